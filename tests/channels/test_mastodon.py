"""The Mastodon connector against a loopback Mastodon server."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.channels.connectors import (
    AuthError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    get_connector,
)
from tests.channels.conftest import loopback_config
from tests.fakes.mastodon import FakeMastodon


def test_publish_returns_the_status_id_and_url(mastodon, mastodon_config, make_request):
    result = get_connector(mastodon_config).publish(make_request())

    assert result.remote_id == mastodon.statuses[0]["id"]
    assert result.url == f"{mastodon.url}/@counterpoint/{result.remote_id}"
    assert result.raw["language"] == "en"
    sent = mastodon.requests_to("/api/v1/statuses", "POST")[0]
    assert sent.headers["idempotency-key"] == "post-42-channel-7"


def test_same_key_twice_leaves_one_status(mastodon, mastodon_config, make_request):
    connector = get_connector(mastodon_config)
    first = connector.publish(make_request())
    second = connector.publish(make_request())

    assert first.remote_id == second.remote_id
    assert len(mastodon.statuses) == 1


def test_revoked_token_is_auth_error_and_not_retried(mastodon, mastodon_config, make_request):
    mastodon.script("401")
    with pytest.raises(AuthError) as caught:
        get_connector(mastodon_config).publish(make_request())

    assert caught.value.status == 401
    assert mastodon.create_calls == 1
    assert mastodon.statuses == []
    assert "test-token" not in str(caught.value)


def test_server_answering_400_for_a_bad_token_is_auth_error(mastodon, mastodon_config, make_request):
    mastodon.script("400_invalid_token")
    with pytest.raises(AuthError):
        get_connector(mastodon_config).publish(make_request())


def test_rate_limit_reports_reset_time_without_waiting(mastodon, mastodon_config, make_request):
    mastodon.script("429", reset_in=3)
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        get_connector(mastodon_config).publish(make_request())
    elapsed = time.monotonic() - started

    server_reset = mastodon.scripted_reset_at
    assert elapsed < 1.0, "Mastodon.py must throw, not sleep until the reset"
    assert mastodon.create_calls == 1
    assert server_reset <= caught.value.retry_at <= server_reset + timedelta(seconds=1.5)


def test_server_error_is_transient(mastodon, mastodon_config, make_request):
    mastodon.script("500")
    with pytest.raises(TransientError):
        get_connector(mastodon_config).publish(make_request())
    assert mastodon.statuses == []


def test_timeout_after_the_server_stored_it_then_retry_leaves_one_post(
    mastodon, mastodon_config, make_request
):
    connector = get_connector(mastodon_config)
    mastodon.script("timeout_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    retried = connector.publish(make_request())

    assert mastodon.create_calls == 2
    assert len(mastodon.statuses) == 1
    assert mastodon.created_by_key["post-42-channel-7"] == 1
    assert retried.remote_id == mastodon.statuses[0]["id"]


def test_malformed_reply_is_unknown_outcome_and_retry_recovers_the_post(
    mastodon, mastodon_config, make_request
):
    connector = get_connector(mastodon_config)
    mastodon.script("malformed")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    assert connector.publish(make_request()).remote_id == mastodon.statuses[0]["id"]
    assert len(mastodon.statuses) == 1


def test_connection_reset_after_store_is_unknown_outcome(mastodon, mastodon_config, make_request):
    mastodon.script("reset_after_store")
    with pytest.raises(UnknownOutcome):
        get_connector(mastodon_config).publish(make_request())


def test_connection_refused_is_transient(make_request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = loopback_config("mastodon", f"http://127.0.0.1:{port}", credentials={"access_token": "t"})
    with pytest.raises(TransientError):
        get_connector(config).publish(make_request())


def test_text_over_the_instance_limit_is_rejected_with_the_server_message(
    mastodon, mastodon_config, make_request
):
    with pytest.raises(Rejected) as caught:
        get_connector(mastodon_config).publish(make_request("a" * 501))
    assert "character limit of 500" in caught.value.message


def test_character_limit_is_read_from_the_instance(make_request):
    with FakeMastodon(max_characters=1000) as fake:
        config = loopback_config("mastodon", fake.url, credentials={"access_token": "test-token"})
        assert get_connector(config).character_limit() == 1000


def test_test_connection_names_the_account_and_posts_nothing(mastodon, mastodon_config):
    assert get_connector(mastodon_config).test_connection() == "@counterpoint"
    assert mastodon.create_calls == 0


def test_test_connection_with_a_wrong_token_is_auth_error(mastodon, mastodon_config):
    config = replace(mastodon_config, credentials={"access_token": "wrong"})
    with pytest.raises(AuthError):
        get_connector(config).test_connection()


def test_find_existing_reconciles_when_the_server_ignores_the_key(make_request):
    with FakeMastodon(honour_idempotency=False) as fake:
        config = loopback_config("mastodon", fake.url, credentials={"access_token": "test-token"})
        connector = get_connector(config)
        text = "Line one\n\nSee https://example.org/facts?a=1&b=2 for the numbers."
        request = make_request(text, created_at=datetime.now(UTC))
        fake.script("timeout_after_store")
        with pytest.raises(UnknownOutcome):
            connector.publish(request)

        found = connector.find_existing(request)

        assert found is not None and found.remote_id == fake.statuses[0]["id"]
        assert connector.find_existing(make_request("A different text", created_at=datetime.now(UTC))) is None


def test_find_existing_ignores_an_identical_text_posted_long_before(make_request):
    with FakeMastodon() as fake:
        config = loopback_config("mastodon", fake.url, credentials={"access_token": "test-token"})
        connector = get_connector(config)
        connector.publish(make_request(idempotency_key="old-post"))
        later = make_request(idempotency_key="new-post", created_at=datetime.now(UTC) + timedelta(hours=2))
        assert connector.find_existing(later) is None


def test_private_server_address_is_refused_before_any_request(mastodon, mastodon_config, make_request):
    config = replace(mastodon_config, allow_private_urls=False, require_https=False)
    with pytest.raises(Rejected) as caught:
        get_connector(config).publish(make_request())
    assert "loopback" in caught.value.message
    assert mastodon.requests == []


def test_redirect_is_not_followed(mastodon, mastodon_config, make_request):
    mastodon.script("302")
    with pytest.raises(Rejected, match="redirect"):
        get_connector(mastodon_config).publish(make_request())
    assert len(mastodon.requests) == 1


def test_unresolvable_server_name_is_transient_not_a_rejection(make_request):
    config = replace(
        loopback_config("mastodon", "https://nothing.invalid", credentials={"access_token": "t"}),
        allow_private_urls=False,
        require_https=True,
    )
    with pytest.raises(TransientError, match="could not be found"):
        get_connector(config).publish(make_request())
