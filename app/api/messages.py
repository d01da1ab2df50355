"""Messages over the API: versions, status, approvals and posts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Literal

from flask import abort
from pydantic import Field
from sqlalchemy import select

from app.api.auth import current_api_org
from app.api.contract import endpoint
from app.api.fields import OneOf, Out
from app.campaigns.visibility import takes_part
from app.checks.messages import finding_text
from app.drafting.models import Approval as ApprovalRecord
from app.drafting.models import Message as MessageRecord
from app.drafting.models import MessageVersion as VersionRecord
from app.extensions import db
from app.publishing.models import Post

MESSAGE_STATUSES = ("draft", "in_review", "changes_requested", "approved", "rejected", "archived")
MessageStatusName = Annotated[str, OneOf(MESSAGE_STATUSES)]


class Finding(Out):
    """One do-no-harm finding, with the character range it concerns."""

    code: str = Field(description="The check that found it, such as readability.hard.")
    severity: Literal["error", "warning"]
    message: str = Field(description="What it means and what to do, in the request's language (Accept-Language).")
    params: dict[str, str | int] = Field(
        description="The numbers and names the message quotes (empty for findings saved before codes)."
    )
    start: int
    end: int


class Length(Out):
    """A text's length as the platform counts it, and the platform's limit."""

    count: int
    limit: int


class PlatformReport(Out):
    """The length and findings of a text on one platform."""

    model_config = {"extra": "ignore"}

    length: Length
    findings: list[Finding]


class MessageVersion(Out):
    """One version of a message's text."""

    number: int
    text: str
    variants: dict[str, str]
    content_hash: str
    source: Literal["ai", "offline", "human"]
    author: str | None
    note: str
    findings: dict[str, PlatformReport] = Field(description="Per platform: length and findings.")
    has_errors: bool
    provenance: dict[str, Any] | None = Field(
        description="provider, model, prompt name/version/sha256, parameters, tokens, latency"
    )
    created_at: datetime


class Approval(Out):
    """A lead's approval of one version's text (bound to its hash)."""

    version: int
    content_hash: str
    approver: str
    organisation: str
    created_at: datetime
    is_valid: bool
    revoked_reason: str | None


class PostRef(Out):
    """A post of the message on a channel."""

    id: int
    channel_id: int
    status: str
    scheduled_at: datetime
    remote_url: str | None


class Message(Out):
    """A message with its current text, findings, provenance, history, approvals and posts."""

    id: int
    campaign_id: int
    trend_id: int | None
    strategy: str
    language: str
    status: MessageStatusName
    text: str
    variants: dict[str, str]
    findings: dict[str, PlatformReport]
    has_errors: bool
    provenance: dict[str, Any] | None
    current_version: int | None
    versions: list[MessageVersion]
    approvals: list[Approval]
    posts: list[PostRef]


def finding_out(entry: Mapping[str, Any]) -> Finding:
    """A stored finding with its words rendered in the request's language."""
    return Finding(
        code=entry["code"],
        severity=entry["severity"],
        message=finding_text(entry),
        params=dict(entry.get("params") or {}),
        start=entry["start"],
        end=entry["end"],
    )


def platform_reports(findings: Mapping[str, Any] | None) -> dict[str, PlatformReport]:
    """A version's stored findings per platform, as the API shows them."""
    return {
        platform: PlatformReport(
            length=Length(**report["length"]), findings=[finding_out(f) for f in report.get("findings", [])]
        )
        for platform, report in (findings or {}).items()
    }


def serialize_version(version: VersionRecord) -> MessageVersion:
    """One version as the API shows it."""
    return MessageVersion(
        number=version.number,
        text=version.text,
        variants=dict(version.variants or {}),
        content_hash=version.content_hash,
        source=str(version.source),
        author=version.author.name if version.author else None,
        note=version.note or "",
        findings=platform_reports(version.findings),
        has_errors=version.has_errors,
        provenance=version.provenance,
        created_at=version.created_at,
    )


def serialize_message(message: MessageRecord) -> Message:
    """A message with its current text, findings, provenance, history, approvals and posts."""
    current = message.current_version
    return Message(
        id=message.id,
        campaign_id=message.campaign_id,
        trend_id=message.trend_id,
        strategy=message.strategy,
        language=message.language,
        status=str(message.status),
        text=message.text,
        variants=dict(current.variants or {}) if current else {},
        findings=platform_reports(current.findings if current else None),
        has_errors=bool(current and current.has_errors),
        provenance=current.provenance if current else None,
        current_version=current.number if current else None,
        versions=[serialize_version(v) for v in message.versions],
        approvals=_approvals(message),
        posts=_posts(message),
    )


def _approvals(message: MessageRecord) -> list[Approval]:
    rows = db.session.scalars(
        select(ApprovalRecord).where(ApprovalRecord.message_id == message.id).order_by(ApprovalRecord.id)
    )
    return [
        Approval(
            version=a.version.number,
            content_hash=a.content_hash,
            approver=a.approver.name,
            organisation=a.organisation.slug,
            created_at=a.created_at,
            is_valid=a.is_valid,
            revoked_reason=a.revoked_reason,
        )
        for a in rows
    ]


def _posts(message: MessageRecord) -> list[PostRef]:
    rows = db.session.scalars(select(Post).where(Post.message_id == message.id).order_by(Post.id))
    return [
        PostRef(
            id=p.id,
            channel_id=p.channel_id,
            status=str(p.status),
            scheduled_at=p.scheduled_at,
            remote_url=p.remote_url,
        )
        for p in rows
    ]


@endpoint(
    "/messages/<int:id>",
    summary="One message with its versions, approvals and posts",
    tag="messages",
    responses={200: Message, 404: None},
)
def get_message(id: int) -> Message:
    message = db.session.get(MessageRecord, id)
    if message is None or not takes_part(current_api_org().id, message.campaign_id):
        abort(404)
    return serialize_message(message)
