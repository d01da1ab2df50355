"""Messages over the API: versions, status, approvals and posts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import abort, jsonify
from sqlalchemy import select

from app.api import bp, openapi
from app.api.auth import current_api_org, token_required
from app.drafting.models import Approval, Message
from app.extensions import db
from app.publishing.models import Post

if TYPE_CHECKING:
    from app.drafting.models import Message, MessageVersion

# Model modules are imported inside functions: this module loads with app.api (see campaigns.py).
MESSAGE_STATUSES = ("draft", "in_review", "changes_requested", "approved", "rejected", "archived")

_FINDING = {
    "type": "object",
    "required": ["code", "severity", "message", "start", "end"],
    "properties": {
        "code": {"type": "string"},
        "severity": {"type": "string", "enum": ["error", "warning"]},
        "message": {"type": "string"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
    },
}
openapi.schema("Finding", _FINDING)
openapi.schema(
    "MessageVersion",
    {
        "type": "object",
        "required": [
            "number",
            "text",
            "variants",
            "content_hash",
            "source",
            "findings",
            "has_errors",
            "created_at",
        ],
        "properties": {
            "number": {"type": "integer"},
            "text": {"type": "string"},
            "variants": {"type": "object", "additionalProperties": {"type": "string"}},
            "content_hash": {"type": "string"},
            "source": {"type": "string", "enum": ["ai", "offline", "human"]},
            "author": {"type": ["string", "null"]},
            "note": {"type": "string"},
            "findings": {
                "type": "object",
                "description": "Per platform: {length: {count, limit}, findings: [Finding]}",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "length": {
                            "type": "object",
                            "properties": {"count": {"type": "integer"}, "limit": {"type": "integer"}},
                        },
                        "findings": {"type": "array", "items": openapi.ref("Finding")},
                    },
                },
            },
            "has_errors": {"type": "boolean"},
            "provenance": {
                "type": ["object", "null"],
                "description": "provider, model, prompt name/version/sha256, parameters, tokens, latency",
            },
            "created_at": {"type": "string", "format": "date-time"},
        },
    },
)
openapi.schema(
    "Message",
    {
        "type": "object",
        "required": [
            "id",
            "campaign_id",
            "strategy",
            "language",
            "status",
            "text",
            "variants",
            "findings",
            "provenance",
            "versions",
            "approvals",
            "posts",
        ],
        "properties": {
            "id": {"type": "integer"},
            "campaign_id": {"type": "integer"},
            "trend_id": {"type": ["integer", "null"]},
            "strategy": {"type": "string"},
            "language": {"type": "string"},
            "status": {"type": "string", "enum": list(MESSAGE_STATUSES)},
            "text": {"type": "string"},
            "variants": {"type": "object", "additionalProperties": {"type": "string"}},
            "findings": {"type": "object"},
            "has_errors": {"type": "boolean"},
            "provenance": {"type": ["object", "null"]},
            "current_version": {"type": ["integer", "null"]},
            "versions": {"type": "array", "items": openapi.ref("MessageVersion")},
            "approvals": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "version": {"type": "integer"},
                        "content_hash": {"type": "string"},
                        "approver": {"type": "string"},
                        "organisation": {"type": "string"},
                        "created_at": {"type": "string", "format": "date-time"},
                        "is_valid": {"type": "boolean"},
                        "revoked_reason": {"type": ["string", "null"]},
                    },
                },
            },
            "posts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "channel_id": {"type": "integer"},
                        "status": {"type": "string"},
                        "scheduled_at": {"type": "string", "format": "date-time"},
                        "remote_url": {"type": ["string", "null"]},
                    },
                },
            },
        },
    },
)
openapi.operation(
    "/messages/{id}",
    "get",
    summary="One message with its versions, approvals and posts",
    tag="messages",
    parameters=[openapi.path_id()],
    responses={200: "Message", 404: None},
)


def serialize_version(version: MessageVersion) -> dict[str, Any]:
    """One version as the API shows it."""
    return {
        "number": version.number,
        "text": version.text,
        "variants": dict(version.variants or {}),
        "content_hash": version.content_hash,
        "source": str(version.source),
        "author": version.author.name if version.author else None,
        "note": version.note,
        "findings": version.findings or {},
        "has_errors": version.has_errors,
        "provenance": version.provenance,
        "created_at": version.created_at.isoformat(),
    }


def serialize_message(message: Message) -> dict[str, Any]:
    """A message with its current text, findings, provenance, history, approvals and posts."""
    current = message.current_version
    return {
        "id": message.id,
        "campaign_id": message.campaign_id,
        "trend_id": message.trend_id,
        "strategy": message.strategy,
        "language": message.language,
        "status": str(message.status),
        "text": message.text,
        "variants": dict(current.variants or {}) if current else {},
        "findings": (current.findings or {}) if current else {},
        "has_errors": bool(current and current.has_errors),
        "provenance": current.provenance if current else None,
        "current_version": current.number if current else None,
        "versions": [serialize_version(v) for v in message.versions],
        "approvals": _approvals(message),
        "posts": _posts(message),
    }


def _approvals(message: Message) -> list[dict[str, Any]]:

    rows = db.session.scalars(select(Approval).where(Approval.message_id == message.id).order_by(Approval.id))
    return [
        {
            "version": a.version.number,
            "content_hash": a.content_hash,
            "approver": a.approver.name,
            "organisation": a.organisation.slug,
            "created_at": a.created_at.isoformat(),
            "is_valid": a.is_valid,
            "revoked_reason": a.revoked_reason,
        }
        for a in rows
    ]


def _posts(message: Message) -> list[dict[str, Any]]:

    rows = db.session.scalars(select(Post).where(Post.message_id == message.id).order_by(Post.id))
    return [
        {
            "id": p.id,
            "channel_id": p.channel_id,
            "status": str(p.status),
            "scheduled_at": p.scheduled_at.isoformat(),
            "remote_url": p.remote_url,
        }
        for p in rows
    ]


@bp.route("/messages/<int:message_id>")
@token_required
def get_message(message_id: int):

    message = db.session.get(Message, message_id)
    if message is None or not message.campaign.takes_part(current_api_org().id):
        abort(404)
    return jsonify(serialize_message(message))
