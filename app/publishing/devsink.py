"""A development-only webhook receiver so the demo webhook channel publishes without the internet."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from flask import Flask, abort, render_template, request
from flask_login import login_required
from sqlalchemy import select

from app.channels.models import Channel
from app.common.crypto import CredentialError, decrypt_credentials
from app.extensions import csrf, db, limiter
from app.publishing.models import SinkDelivery

SINK_PATH = "/dev/webhook-sink"
TOLERANCE_SECONDS = 300


def register(app: Flask) -> None:
    """Add the sink routes (never called in production)."""
    if "dev_webhook_sink" in app.view_functions:
        return
    app.add_url_rule(SINK_PATH, "dev_webhook_sink", csrf.exempt(limiter.exempt(receive)), methods=["POST"])
    app.add_url_rule(SINK_PATH, "dev_webhook_sink_list", login_required(deliveries), methods=["GET"])


def receive():
    """Verify the Standard Webhooks signature against the sink channels' secrets and record the delivery."""
    msg_id = request.headers.get("webhook-id", "")
    timestamp = request.headers.get("webhook-timestamp", "")
    signatures = request.headers.get("webhook-signature", "")
    body = request.get_data()
    if not msg_id or not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        abort(400)
    channel = _signing_channel(msg_id, timestamp, body, signatures)
    if channel is None:
        return {"error": "invalid signature"}, 401
    existing = db.session.scalar(select(SinkDelivery).where(SinkDelivery.webhook_id == msg_id))
    if existing is None:
        existing = SinkDelivery(
            webhook_id=msg_id[:100],
            channel_id=channel.id,
            is_verified=True,
            payload=request.get_json(silent=True),
        )
        db.session.add(existing)
        db.session.commit()
    return {"id": f"sink_{existing.id}", "url": None}


def _signing_channel(msg_id: str, timestamp: str, body: bytes, signatures: str) -> Channel | None:
    channels = db.session.scalars(select(Channel).where(Channel.platform == "webhook"))
    for channel in channels:
        if SINK_PATH not in str((channel.settings or {}).get("url", "")):
            continue
        try:
            secret = decrypt_credentials(channel).get("secret", "")
            key = base64.b64decode(secret.removeprefix("whsec_"))
        except (CredentialError, ValueError):
            continue
        expected = base64.b64encode(
            hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
        ).decode()
        for candidate in signatures.split():
            version, _, value = candidate.partition(",")
            if version == "v1" and hmac.compare_digest(value, expected):
                return channel
    return None


def deliveries():
    """The deliveries the sink received, newest first."""
    items = db.session.scalars(select(SinkDelivery).order_by(SinkDelivery.id.desc()).limit(50)).all()
    return render_template("publishing/dev_sink.html", deliveries=items)
