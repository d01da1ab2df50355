"""The webhook connector against a receiver that verifies Standard Webhooks signatures."""

from __future__ import annotations

import base64
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
from app.channels.connectors.webhook import generate_webhook_secret


def test_publish_delivers_a_signed_event_the_receiver_accepts(receiver, webhook_config, make_request):
    result = get_connector(webhook_config).publish(make_request())

    assert result.remote_id == "evt_1"
    [event] = receiver.events.values()
    assert event["payload"]["type"] == "post.publish"
    assert event["payload"]["data"]["text"] == make_request().text
    assert event["payload"]["data"]["key"] == "post-42-channel-7"
    assert receiver.requests[0].headers["webhook-id"] == "post-42-channel-7"


def test_wrong_secret_is_refused_by_the_receiver_as_auth_error(receiver, webhook_config, make_request):
    config = replace(webhook_config, credentials={"secret": generate_webhook_secret()})
    with pytest.raises(AuthError):
        get_connector(config).publish(make_request())
    assert receiver.rejected_signatures == 1
    assert receiver.events == {}


def test_timeout_after_store_then_retry_is_deduplicated_by_webhook_id(receiver, webhook_config, make_request):
    connector = get_connector(webhook_config)
    receiver.script("timeout_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    retried = connector.publish(make_request())

    assert receiver.deliveries == 2
    assert receiver.created_by_key["post-42-channel-7"] == 1
    assert retried.remote_id == "evt_1"


def test_rate_limit_uses_retry_after(receiver, webhook_config, make_request):
    receiver.script("429", retry_after=5)
    with pytest.raises(RateLimited) as caught:
        get_connector(webhook_config).publish(make_request())
    assert abs(caught.value.retry_at - (datetime.now(UTC) + timedelta(seconds=5))) < timedelta(seconds=2)


def test_server_error_is_transient(receiver, webhook_config, make_request):
    receiver.script("500")
    with pytest.raises(TransientError):
        get_connector(webhook_config).publish(make_request())


def test_redirect_is_not_followed(receiver, webhook_config, make_request):
    receiver.script("302")
    with pytest.raises(Rejected) as caught:
        get_connector(webhook_config).publish(make_request())
    assert "redirect" in caught.value.message
    assert len(receiver.requests) == 1


def test_non_json_success_reply_uses_the_key_as_remote_id(receiver, webhook_config, make_request):
    receiver.script("malformed")
    assert get_connector(webhook_config).publish(make_request()).remote_id == "post-42-channel-7"


def test_ping_checks_the_signature_and_publishes_nothing(receiver, webhook_config):
    assert get_connector(webhook_config).test_connection() == receiver.hook_url
    assert get_connector(webhook_config).test_connection() == receiver.hook_url
    assert receiver.deliveries == 2
    assert sum(receiver.created_by_key.values()) == 0


def test_generated_secrets_are_standard_and_unique():
    first, second = generate_webhook_secret(), generate_webhook_secret()
    assert first.startswith("whsec_") and first != second
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32


# The example in the Standard Webhooks specification (standard-webhooks/standard-webhooks, spec).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signing_matches_the_specifications_example():
    from app.channels.connectors.webhook import sign

    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE


def test_a_secret_that_is_not_base64_or_empty_is_refused():
    from app.channels.connectors.webhook import sign

    for secret in ("whsec_", "whsec_not*base64"):
        with pytest.raises(ValueError):
            sign(secret, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY)
