"""A loopback webhook receiver that verifies Standard Webhooks signatures and dedupes on webhook-id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import time
from typing import Any

from tests.fakes.http import FakeService, RecordedRequest, Reply

TOLERANCE_SECONDS = 300


class FakeWebhookReceiver(FakeService):
    """Receives signed events at /hooks/counterpoint; its own verifier, independent of the sender."""

    path = "/hooks/counterpoint"

    def __init__(self, *, secret: str | None = None, reply_with_id: bool = True) -> None:
        super().__init__()
        self.reply_url: str | None = None  # a "url" to answer with (a hostile receiver's javascript: link)
        self.secret = secret or "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.reply_with_id = reply_with_id
        self.deliveries = 0
        self.rejected_signatures = 0
        self.events: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    @property
    def hook_url(self) -> str:
        return self.url + self.path

    def handle(self, request: RecordedRequest) -> Reply:
        if request.path != self.path or request.method != "POST":
            return Reply(status=404, body={"error": "not found"})
        if not self.verify(request):
            with self.lock:
                self.rejected_signatures += 1
            return Reply(status=401, body={"error": "invalid signature"})
        with self.lock:
            self.deliveries += 1
        msg_id = request.headers["webhook-id"]
        scripted = self.next_script() if request.json.get("type") != "ping" else None
        behaviour = scripted.behaviour if scripted else None
        options = scripted.options if scripted else {}
        if behaviour == "500":
            return Reply(status=500, body={"error": "receiver failed"})
        if behaviour == "429":
            return Reply(
                status=429,
                body={"error": "slow down"},
                headers={"Retry-After": str(options.get("retry_after", 2))},
            )
        if behaviour == "302":
            return Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if behaviour == "410":
            return Reply(status=410, body={"error": "endpoint disabled"})
        with self.lock:
            event = self.events.get(msg_id)
            if event is None:
                event = {"id": f"evt_{next(self._ids)}", "payload": request.json}
                self.events[msg_id] = event
                if request.json.get("type") == "post.publish":
                    data = request.json.get("data") or {}
                    self.count_create(msg_id, data.get("text", ""))
        answer = {"id": event["id"]} if self.reply_with_id else {"received": True}
        if self.reply_url is not None:
            answer["url"] = self.reply_url
        if behaviour == "timeout_after_store":
            return Reply(body=answer, hang=options.get("hang", self.hang_seconds))
        if behaviour == "malformed":
            return Reply(body="OK, thanks!")
        return Reply(body=answer)

    def verify(self, request: RecordedRequest) -> bool:
        """Standard Webhooks verification: HMAC-SHA256 of id.timestamp.body, timestamp within 5 minutes."""
        msg_id = request.headers.get("webhook-id")
        timestamp = request.headers.get("webhook-timestamp", "")
        signatures = request.headers.get("webhook-signature", "")
        if not msg_id or not timestamp.isdigit() or not isinstance(request.json, dict):
            return False
        if abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
            return False
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{msg_id}.{timestamp}.".encode() + request.body
        expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        for candidate in signatures.split():
            version, _, value = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                return True
        return False
