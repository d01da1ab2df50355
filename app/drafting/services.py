"""Drafting operations: ask the drafter, store its candidates as messages, rewrite, edit, comment, archive.

Services flush and audit; the caller commits. A failed model call raises DraftingError (from llm.py)
before anything is written, so the person's input and the existing draft stay as they were.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.strategies import STRATEGIES, allowed_strategies
from app.checks import CheckReport, TrendContext, lengths, run_checks
from app.common.labels import labels
from app.drafting.drafters import make_drafter
from app.drafting.llm import (
    CampaignBrief,
    Drafter,
    DraftingError,
    DraftOutcome,
    DraftRequest,
    KnowledgeItem,
    LLMSettings,
    Provenance,
    RewriteRequest,
    TrendBrief,
)
from app.drafting.models import (
    MESSAGE_TRANSITIONS,
    Message,
    MessageStatus,
    MessageVersion,
    VersionSource,
)
from app.drafting.versions import create_message, revoke_approvals, save_version, trend_context
from app.extensions import db
from app.trends.models import Evidence, Trend

__all__ = ["DraftingError", "DraftInputError"]

MAX_EVIDENCE = 5
MAX_COUNT = 10
LANGUAGES = ("en", "fr")
EDITABLE = frozenset(
    {MessageStatus.DRAFT, MessageStatus.CHANGES_REQUESTED, MessageStatus.IN_REVIEW, MessageStatus.APPROVED}
)


class DraftInputError(Exception):
    """A drafting choice that cannot be honoured, with a sentence for people."""


@dataclass(frozen=True)
class DraftResult:
    """The messages a drafting request created and whether they came from the offline drafter."""

    messages: list[Message]
    is_offline: bool
    notice: str | None


@dataclass(frozen=True)
class RewriteResult:
    """What a revise/adapt/translate produced: a new version, a new message, or only a notice."""

    version: MessageVersion | None
    message: Message | None
    notice: str | None


def llm_settings() -> LLMSettings:
    """The model settings from the app's configuration."""
    return LLMSettings.from_config(current_app.config)


def default_drafter() -> Drafter:
    """The drafter the configuration asks for: the model server, or the offline templates."""
    return make_drafter(llm_settings())


# --- Choices --------------------------------------------------------------------------------


def strategy_choices(campaign: Campaign, trend: Trend) -> list[str]:
    """Strategies the severity gate and the campaign both allow, in the catalogue's order."""
    gate = allowed_strategies(max(1, min(4, trend.severity or 1)), str(campaign.mode))
    chosen = set(campaign.strategies or [])
    return [key for key in gate if not chosen or key in chosen]


def platform_limit(platform: str) -> int:
    """The platform's default length limit."""
    return lengths.limit_for(platform)


# --- Drafting -------------------------------------------------------------------------------


def build_draft_request(
    campaign: Campaign,
    trend: Trend,
    *,
    strategies: list[str],
    language: str,
    platforms: list[str],
    count: int,
) -> DraftRequest:
    """The drafter's request from a campaign, a trend, its latest evidence and the knowledge list."""
    _check_choices(
        campaign, trend, strategies=strategies, language=language, platforms=platforms, count=count
    )
    strategies = list(strategies) or strategy_choices(campaign, trend)
    return DraftRequest(
        campaign=campaign_brief(campaign),
        trend=trend_brief(trend),
        strategies=tuple(strategies),
        language=language,
        platforms=tuple((p, platform_limit(p)) for p in platforms),
        count=count,
        evidence=tuple(latest_evidence(trend)),
        knowledge=knowledge_of(campaign),
    )


def campaign_brief(campaign: Campaign) -> CampaignBrief:
    """The campaign fields the drafter needs."""
    return CampaignBrief(
        title=campaign.title,
        goal=campaign.goal or "",
        audience=campaign.audience or "",
        tone_notes=campaign.tone_notes or "",
        mode=str(campaign.mode),
        hashtags=tuple(campaign.hashtags or ()),
    )


def trend_brief(trend: Trend) -> TrendBrief:
    """The trend fields the drafter needs: never evidence URLs or authors."""
    return TrendBrief(
        title=trend.title,
        summary=trend.summary or "",
        severity=max(1, min(4, trend.severity or 1)),
        target_groups=tuple(trend.target_groups or ()),
        narrative_tags=tuple(trend.narrative_tags or ()),
        lexicon=tuple(trend.lexicon),
        hashtags=tuple(trend.hashtags or ()),
    )


def latest_evidence(trend: Trend, limit: int = MAX_EVIDENCE) -> list[str]:
    """The excerpts of the trend's latest evidence posts."""
    query = (
        select(Evidence.excerpt)
        .where(Evidence.trend_id == trend.id, Evidence.excerpt != "")
        .order_by(Evidence.captured_at.desc().nulls_last(), Evidence.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def knowledge_of(campaign: Campaign) -> tuple[KnowledgeItem, ...]:
    """The campaign's vetted facts in their order."""
    return tuple(KnowledgeItem(item.text, item.source_url) for item in campaign.knowledge)


def draft_messages(
    campaign: Campaign,
    *,
    trend: Trend,
    strategies: list[str],
    language: str,
    platforms: list[str],
    count: int,
    actor: User,
    drafter: Drafter | None = None,
) -> DraftResult:
    """Ask the drafter for candidates and store each as a new draft message with its provenance."""
    request = build_draft_request(
        campaign, trend, strategies=strategies, language=language, platforms=platforms, count=count
    )
    try:
        outcome = (drafter or default_drafter()).draft(request)
    except ValueError as error:
        raise DraftInputError(str(error)) from error
    return store_candidates(campaign, trend, outcome, actor=actor)


def store_candidates(campaign: Campaign, trend: Trend, outcome: DraftOutcome, *, actor: User) -> DraftResult:
    """Create one message per candidate (checks run inside save_version)."""
    source = VersionSource.OFFLINE if outcome.is_offline else VersionSource.AI
    messages = []
    for candidate in outcome.candidates:
        provenance = {
            **provenance_dict(outcome.provenance),
            "rationale": candidate.rationale,
            "facts_used": list(candidate.facts_used),
        }
        messages.append(
            create_message(
                campaign=campaign,
                trend=trend,
                strategy=candidate.strategy,
                language=candidate.language.split("-")[0],
                text=candidate.text,
                variants=dict(candidate.variants),
                source=source,
                author=actor,
                provenance=provenance,
            )
        )
    record(
        "campaign.draft",
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={
            "count": len(messages),
            "provider": outcome.provenance.provider,
            "model": outcome.provenance.model,
            "trend": trend.id,
        },
    )
    return DraftResult(messages=messages, is_offline=outcome.is_offline, notice=outcome.notice)


def provenance_dict(provenance: Provenance) -> dict[str, Any]:
    """Provenance as JSON-ready data."""
    return dataclasses.asdict(provenance)


def _check_choices(
    campaign: Campaign,
    trend: Trend,
    *,
    strategies: list[str],
    language: str,
    platforms: list[str],
    count: int,
) -> None:
    if campaign.status == CampaignStatus.ARCHIVED:
        raise DraftInputError(_("This campaign is archived: restore it to a working status before drafting."))
    if trend.id not in {t.id for t in campaign.trends}:
        raise DraftInputError(_("Choose one of the trends this campaign answers."))
    allowed = strategy_choices(campaign, trend)
    if not allowed:
        raise DraftInputError(
            _(
                "No strategy is allowed for this trend and campaign: at the highest severity, "
                "report the content and use broadcast alternative narratives only."
            )
        )
    refused = [key for key in strategies if key not in allowed]
    if refused:
        raise DraftInputError(
            _(
                "These strategies are not allowed here: %(refused)s. Allowed: %(allowed)s.",
                refused=labels(refused, "strategy"),
                allowed=labels(allowed, "strategy"),
            )
        )
    if language not in LANGUAGES:
        raise DraftInputError(_("Choose English or French."))
    unknown = [p for p in platforms if p not in lengths.PLATFORMS]
    if not platforms or unknown:
        raise DraftInputError(_("Choose at least one known platform."))
    if not 1 <= count <= MAX_COUNT:
        raise DraftInputError(_("Ask for between 1 and %(max)d drafts.", max=MAX_COUNT))


# --- Rewriting ------------------------------------------------------------------------------


def revise(
    message: Message,
    *,
    actor: User,
    preset: str | None = None,
    instruction: str = "",
    drafter: Drafter | None = None,
) -> RewriteResult:
    """Revise the current text (warmer, shorter or a free instruction) into a new version."""
    _ensure_editable(message)
    request = _rewrite_request(
        message,
        kind="revise",
        preset=preset or None,
        instruction=instruction.strip(),
        limit=_shortest_limit(message),
    )
    return _apply_rewrite(
        message,
        request,
        actor=actor,
        drafter=drafter,
        note=_("Revised: %(how)s", how=preset or instruction.strip()[:200]),
    )


def adapt(message: Message, *, platform: str, actor: User, drafter: Drafter | None = None) -> RewriteResult:
    """Write the platform's variant from the current text; the main text stays as it is."""
    _ensure_editable(message)
    if platform not in lengths.PLATFORMS:
        raise DraftInputError(_("Choose a known platform."))
    request = _rewrite_request(message, kind="adapt", platform=platform, limit=platform_limit(platform))
    rewrite, provenance = _call_rewrite(request, drafter)
    variants = dict(message.current_version.variants or {}) if message.current_version else {}
    if variants.get(platform) == rewrite.text or (platform not in variants and rewrite.text == message.text):
        return RewriteResult(version=None, message=None, notice=rewrite.rationale or None)
    variants[platform] = rewrite.text
    version = save_version(
        message,
        text=message.text,
        variants=variants,
        source=_source(provenance),
        author=actor,
        provenance=_rewrite_provenance(provenance, rewrite.rationale),
        note=_("Adapted for %(platform)s", platform=platform),
    )
    return RewriteResult(version=version, message=None, notice=None)


def translate(
    message: Message, *, target_language: str, actor: User, drafter: Drafter | None = None
) -> RewriteResult:
    """Translate the current text into a new message in the target language (same campaign and trend)."""
    if target_language not in LANGUAGES or target_language == message.language:
        raise DraftInputError(_("Choose a language other than the message's own."))
    request = _rewrite_request(
        message, kind="translate", target_language=target_language, limit=_shortest_limit(message)
    )
    rewrite, provenance = _call_rewrite(request, drafter)
    if rewrite.text == message.text:
        return RewriteResult(version=None, message=None, notice=rewrite.rationale or None)
    translated = create_message(
        campaign=message.campaign,
        trend=message.trend,
        strategy=message.strategy,
        language=target_language,
        text=rewrite.text,
        source=_source(provenance),
        author=actor,
        provenance={**_rewrite_provenance(provenance, rewrite.rationale), "translated_from": message.id},
    )
    return RewriteResult(version=translated.current_version, message=translated, notice=None)


def _apply_rewrite(
    message: Message, request: RewriteRequest, *, actor: User, drafter: Drafter | None, note: str
) -> RewriteResult:
    rewrite, provenance = _call_rewrite(request, drafter)
    if rewrite.text == message.text:
        return RewriteResult(version=None, message=None, notice=rewrite.rationale or None)
    variants = dict(message.current_version.variants or {}) if message.current_version else {}
    version = save_version(
        message,
        text=rewrite.text,
        variants=variants,
        source=_source(provenance),
        author=actor,
        provenance=_rewrite_provenance(provenance, rewrite.rationale),
        note=note,
    )
    return RewriteResult(version=version, message=None, notice=None)


def _rewrite_request(message: Message, **fields: Any) -> RewriteRequest:
    trend = message.trend
    try:
        return RewriteRequest(
            text=message.text,
            language=message.language,
            avoid_terms=tuple(trend.lexicon) if trend else (),
            avoid_hashtags=tuple(trend.hashtags or ()) if trend else (),
            knowledge=knowledge_of(message.campaign),
            **fields,
        )
    except ValueError as error:
        raise DraftInputError(_("Say how the text should change, or pick “warmer” or “shorter”.")) from error


def _call_rewrite(request: RewriteRequest, drafter: Drafter | None):
    try:
        return (drafter or default_drafter()).rewrite(request)
    except ValueError as error:
        raise DraftInputError(str(error)) from error


def _rewrite_provenance(provenance: Provenance, rationale: str) -> dict[str, Any]:
    return {**provenance_dict(provenance), "rationale": rationale}


def _source(provenance: Provenance) -> VersionSource:
    return VersionSource.OFFLINE if provenance.provider == "offline" else VersionSource.AI


def _shortest_limit(message: Message) -> int:
    return min((platform_limit(p) for p in message.campaign.platforms or ["mastodon"]), default=500)


# --- People's edits, comments, archive --------------------------------------------------------


def save_human_edit(
    message: Message, *, text: str, variants: dict[str, str], actor: User
) -> MessageVersion | None:
    """Save a person's edit as a new human version; None when nothing changed."""
    _ensure_editable(message)
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise DraftInputError(_("The message cannot be empty."))
    variants = {p: v.replace("\r\n", "\n").strip() for p, v in variants.items() if p in lengths.PLATFORMS}
    variants = {p: v for p, v in variants.items() if v}
    current = message.current_version
    if current is not None and current.text == text and (current.variants or {}) == variants:
        return None
    return save_version(message, text=text, variants=variants, source=VersionSource.HUMAN, author=actor)


def archive_message(message: Message, *, actor: User) -> Message:
    """Archive a message: it leaves the working lists and can no longer be edited."""
    current = MessageStatus(message.status)
    if MessageStatus.ARCHIVED not in MESSAGE_TRANSITIONS[current]:
        raise DraftInputError(_("This message is already archived."))
    message.status = MessageStatus.ARCHIVED
    db.session.flush()

    revoke_approvals(message, reason="archived", actor=actor)
    record(
        "message.archive",
        actor=actor,
        organisation=message.campaign.organisation,
        obj=message,
        details={"from": str(current)},
    )
    return message


def _ensure_editable(message: Message) -> None:
    if MessageStatus(message.status) not in EDITABLE:
        raise DraftInputError(
            _("This message is %(status)s and can no longer be edited.", status=message.status)
        )


# --- Checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformCheck:
    """One platform's length count and findings for a text."""

    platform: str
    text: str
    report: dict[str, Any]
    has_errors: bool

    @property
    def findings(self) -> list[dict[str, Any]]:
        return self.report["findings"]

    @property
    def length(self) -> dict[str, int]:
        return self.report["length"]


def check_context(trend: Trend | None, campaign: Campaign | None) -> TrendContext:
    """What the checks know about a trend and the campaign's sources."""
    return trend_context(trend, campaign)


def check_text(text: str, *, platform: str, language: str, context: TrendContext | None) -> CheckReport:
    """Run the do-no-harm checks and the platform's length count."""
    return run_checks(text, platform=platform, language=language, trend=context)


def check_platforms(
    text: str, variants: dict[str, str], *, platforms: list[str], language: str, context: TrendContext | None
) -> list[PlatformCheck]:
    """Check the text (or its variant) for each platform, as the editor and the checks page show it."""
    results = []
    for platform in platforms:
        body = (variants.get(platform) or "").strip() or text
        report = check_text(body, platform=platform, language=language, context=context)
        results.append(PlatformCheck(platform, body, report.as_dict(), report.has_errors))
    return results


def strategy_label(key: str) -> str:
    """A strategy's label for people."""
    strategy = STRATEGIES.get(key)
    return _(strategy.label) if strategy else key
