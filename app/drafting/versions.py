"""Creating messages and saving versions: the one path every text change goes through."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update

from app.accounts.models import User
from app.audit.services import record
from app.campaigns import services as campaign_services
from app.campaigns.models import Campaign, CampaignStatus
from app.checks import TrendContext, run_checks
from app.common.audit_actions import AuditAction
from app.common.sql import rowcount
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.trends.models import Trend

# Check contexts per trend, keyed on the trend's id and update time (evidence changes bump it), so
# the live check does not reload every evidence post on each keystroke. Small: a few trends are live.
_CONTEXTS: OrderedDict[tuple[int, str], TrendContext] = OrderedDict()
_CONTEXTS_SIZE = 64
_CONTEXTS_LOCK = threading.Lock()


def cited_facts(message: Message | None, provenance: dict[str, Any] | None = None) -> tuple[str, ...]:
    """The texts of the knowledge facts a grounded draft cites (from its drafter's provenance)."""
    if not (provenance and "facts" in provenance) and message is not None:
        original = next((v for v in message.versions if v.source != VersionSource.HUMAN), None)
        provenance = original.provenance if original is not None else None
    return tuple(str(fact.get("text", "")) for fact in (provenance or {}).get("facts") or ())


def trend_context(
    trend: Trend | None, campaign: Campaign | None = None, *, cited: tuple[str, ...] = ()
) -> TrendContext:
    """What the do-no-harm checks need to know about a trend, the campaign's sources and cited facts."""
    sources = tuple(item.source_url for item in campaign.knowledge) if campaign else ()
    if trend is None:
        return TrendContext(sources=sources, cited_facts=cited)
    key = (trend.id, trend.updated_at.isoformat() if trend.updated_at else "")
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(key)
        if cached is not None:
            _CONTEXTS.move_to_end(key)
    if cached is None:
        cached = _load_trend_context(trend)
        with _CONTEXTS_LOCK:
            _CONTEXTS[key] = cached
            while len(_CONTEXTS) > _CONTEXTS_SIZE:
                _CONTEXTS.popitem(last=False)
    return replace(cached, sources=sources, cited_facts=cited)


def _load_trend_context(trend: Trend) -> TrendContext:
    evidence = list(db.session.scalars(trend.evidence.select()))
    return TrendContext(
        lexicon_terms=tuple(trend.lexicon),
        hashtags=tuple(trend.hashtags),
        evidence_texts=tuple(item.excerpt for item in evidence if item.excerpt),
        evidence_urls=tuple(item.url for item in evidence if item.url),
        evidence_handles=tuple(item.author_handle for item in evidence if item.author_handle),
        extra_hostile_terms=tuple(trend.extra_hostile_terms),
    )


def run_version_checks(
    text: str, variants: dict[str, str], *, language: str, platforms: list[str], context: Any
) -> tuple[dict[str, Any], bool]:
    """Check the main text for every target platform and each variant for its own platform."""

    findings: dict[str, Any] = {}
    has_errors = False
    for platform in platforms or ["mastodon"]:
        body = variants.get(platform) or text
        report = run_checks(body, platform=platform, language=language, trend=context)
        findings[platform] = report.as_dict()
        has_errors = has_errors or report.has_errors
    return findings, has_errors


def create_message(
    *,
    campaign: Campaign,
    trend: Trend | None,
    strategy: str,
    language: str,
    text: str,
    variants: dict[str, str] | None = None,
    source: VersionSource,
    author: User | None,
    provenance: dict[str, Any] | None = None,
) -> Message:
    """Create a draft message with its first version."""
    message = Message(
        campaign=campaign,
        trend=trend,
        strategy=strategy,
        language=language,
        status=MessageStatus.DRAFT,
        created_by=author,
    )
    db.session.add(message)
    db.session.flush()
    save_version(
        message, text=text, variants=variants or {}, source=source, author=author, provenance=provenance
    )
    record(
        AuditAction.MESSAGE_CREATED,
        actor=author,
        organisation=campaign.organisation,
        obj=message,
        details={"source": str(source), "strategy": strategy, "language": language},
    )
    return message


def save_version(
    message: Message,
    *,
    text: str,
    variants: dict[str, str],
    source: VersionSource,
    author: User | None,
    provenance: dict[str, Any] | None = None,
    note: str = "",
) -> MessageVersion:
    """Store a new version; editing an approved message returns it to draft and voids its approvals."""
    variants = {platform: body for platform, body in variants.items() if body and body.strip()}
    findings, has_errors = run_version_checks(
        text,
        variants,
        language=message.language,
        platforms=message.campaign.platforms,
        context=trend_context(message.trend, message.campaign, cited=cited_facts(message, provenance)),
    )
    number = (
        db.session.scalar(
            select(db.func.max(MessageVersion.number)).where(MessageVersion.message_id == message.id)
        )
        or 0
    ) + 1
    version = MessageVersion(
        message=message,
        number=number,
        text=text,
        variants=variants,
        content_hash=content_hash(text, variants),
        source=source,
        author=author,
        findings=findings,
        has_errors=has_errors,
        provenance=provenance,
        note=note,
    )
    db.session.add(version)
    db.session.flush()
    message.current_version = version
    if message.status in (MessageStatus.APPROVED, MessageStatus.IN_REVIEW):
        revoke_approvals(message, reason="edited", actor=author)
        message.status = MessageStatus.DRAFT
    record(
        AuditAction.MESSAGE_VERSION_SAVED,
        actor=author,
        organisation=message.campaign.organisation,
        obj=message,
        details={"version": number, "hash": version.content_hash, "source": str(source)},
    )
    return version


def revoke_approvals(message: Message, *, reason: str, actor: User | None) -> int:
    """Void every standing approval of a message; returns how many were voided."""

    result = db.session.execute(
        update(Approval)
        .where(Approval.message_id == message.id, Approval.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    )
    if rowcount(result):
        record(
            AuditAction.APPROVAL_REVOKED,
            actor=actor,
            organisation=message.campaign.organisation,
            obj=message,
            details={"reason": reason, "count": rowcount(result)},
        )
    return rowcount(result)


def change_campaign_status(campaign: Campaign, status: CampaignStatus, *, actor: User) -> Campaign:
    """Move a campaign along its status flow; ending it voids the approvals of its messages."""
    campaign = campaign_services.change_status(campaign, status, actor=actor)
    if campaign.status in campaign_services.ENDED:
        for message in db.session.scalars(select(Message).where(Message.campaign_id == campaign.id)):
            revoke_approvals(message, reason="campaign_ended", actor=actor)
    return campaign
