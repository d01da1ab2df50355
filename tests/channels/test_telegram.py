"""The Telegram connector against a loopback Bot API."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.channels.connectors import (
    AuthError,
    ConnectorError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    get_connector,
)


def test_publish_returns_message_id_and_public_link(telegram, telegram_config, make_request):
    result = get_connector(telegram_config).publish(make_request())

    assert result.remote_id == "-1001234567890:1"
    assert result.url == "https://t.me/counterpoint_news/1"
    assert telegram.messages[0]["text"] == make_request().text


def test_wrong_bot_token_is_auth_error(telegram, telegram_config, make_request):
    config = replace(telegram_config, credentials={"bot_token": "999:revoked"})
    with pytest.raises(AuthError) as caught:
        get_connector(config).publish(make_request())
    assert "999:revoked" not in str(caught.value)
    assert telegram.messages == []


def test_bot_removed_from_channel_is_auth_error_without_retry(telegram, telegram_config, make_request):
    telegram.script("403")
    with pytest.raises(AuthError):
        get_connector(telegram_config).publish(make_request())
    assert telegram.create_calls == 1


def test_flood_limit_gives_retry_at_from_retry_after(telegram, telegram_config, make_request):
    telegram.script("429", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        get_connector(telegram_config).publish(make_request())
    expected = datetime.now(UTC) + timedelta(seconds=7)
    assert abs(caught.value.retry_at - expected) < timedelta(seconds=2)


def test_server_error_is_transient(telegram, telegram_config, make_request):
    telegram.script("500")
    with pytest.raises(TransientError):
        get_connector(telegram_config).publish(make_request())


def test_timeout_after_store_is_unknown_and_there_is_nothing_to_reconcile(
    telegram, telegram_config, make_request
):
    connector = get_connector(telegram_config)
    telegram.script("timeout_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    assert len(telegram.messages) == 1
    assert connector.dedupe_window is None, "no idempotency: the worker must never re-send blindly"
    assert connector.find_existing(make_request()) is None


def test_malformed_reply_is_unknown_outcome(telegram, telegram_config, make_request):
    telegram.script("malformed")
    with pytest.raises(UnknownOutcome):
        get_connector(telegram_config).publish(make_request())


def test_unknown_chat_is_rejected_with_telegrams_message(telegram, telegram_config, make_request):
    config = replace(telegram_config, settings={"chat_id": "@elsewhere"})
    with pytest.raises(Rejected) as caught:
        get_connector(config).publish(make_request())
    assert "chat not found" in caught.value.message


def test_test_connection_checks_bot_and_chat_without_sending(telegram, telegram_config):
    assert get_connector(telegram_config).test_connection() == "@counterpoint_bot → Counterpoint News"
    assert telegram.create_calls == 0


def test_errors_never_carry_the_bot_token(telegram_config, make_request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = replace(telegram_config, server_url=f"http://127.0.0.1:{port}")
    with pytest.raises(ConnectorError) as caught:
        get_connector(config).publish(make_request())
    assert isinstance(caught.value, TransientError)
    token = telegram_config.credentials["bot_token"]
    assert token not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
