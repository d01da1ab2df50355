"""Outgoing webhooks signed per the Standard Webhooks specification."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from app.channels.connectors.base import (
    AuthError,
    Connector,
    PublishRequest,
    PublishResult,
    Rejected,
    classify_response,
    json_or_none,
    send,
)

WHSEC_PREFIX = "whsec_"


def generate_webhook_secret() -> str:
    """A new signing secret in the Standard Webhooks `whsec_<base64>` form."""
    return WHSEC_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value for one delivery (the standardwebhooks library signs)."""
    try:
        webhook = Webhook(secret)
    except EmptyWebhookSecretError:
        raise ValueError("empty webhook secret") from None
    return webhook.sign(msg_id, datetime.fromtimestamp(timestamp, UTC), body.decode())


class WebhookConnector(Connector):
    """POSTs the post as a signed event; receivers dedupe on webhook-id."""

    platform = "webhook"
    # Standard Webhooks receivers are expected to dedupe on webhook-id; we assume a day.
    dedupe_window = timedelta(hours=24)

    def publish(self, req: PublishRequest) -> PublishResult:
        """Deliver a post.publish event keyed by the idempotency key."""
        data = {"text": req.text, "language": req.language, "key": req.idempotency_key}
        if req.created_at:
            data["created_at"] = req.created_at.astimezone(UTC).isoformat()
        answer = self._deliver(req.idempotency_key, "post.publish", data, creates=True)
        remote_id = answer.get("id") if isinstance(answer.get("id"), (str, int)) else None
        url = answer.get("url") if isinstance(answer.get("url"), str) else None
        return PublishResult(remote_id=str(remote_id or req.idempotency_key), url=url, raw=answer)

    def test_connection(self) -> str:
        """Send a signed ping event (a fresh id, so receivers never dedupe it)."""
        self._deliver(f"ping_{uuid.uuid4().hex}", "ping", {}, creates=False)
        return self._url()

    def _url(self) -> str:
        url = self.config.settings.get("url") or self.config.server_url
        if not url:
            raise Rejected("This webhook channel has no URL.")
        return self.checked_url(str(url))

    def _deliver(self, msg_id: str, event: str, data: dict[str, Any], *, creates: bool) -> dict[str, Any]:
        """POST one signed event and return the receiver's JSON answer (or {})."""
        secret = self.config.credentials.get("secret", "")
        if not secret:
            raise AuthError("This webhook channel has no signing secret.")
        url = self._url()
        now = datetime.now(UTC)
        payload = {"type": event, "timestamp": now.isoformat(), "data": data}
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = int(now.timestamp())
        try:
            signature = sign(secret, msg_id, timestamp, body)
        except ValueError:
            raise AuthError("The webhook signing secret is not valid base64.") from None
        headers = {
            "content-type": "application/json",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature,
        }
        with self.http_client() as client:
            resp = send(client, "POST", url, creates=creates, content=body, headers=headers)
        error = classify_response(resp)
        if error:
            raise error
        answer = json_or_none(resp)
        return answer if isinstance(answer, dict) else {}
