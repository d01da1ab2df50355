"""Drafting operations: ask the drafter, store its candidates as messages, rewrite, edit, comment, archive.

Services flush and audit; the caller commits. A failed model call raises DraftingError (from llm.py)
before anything is written, so the person's input and the existing draft stay as they were.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import Select, select

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.strategies import STRATEGIES, allowed_strategies
from app.campaigns.visibility import visible_to
from app.checks import CheckReport, TrendContext, lengths, reading_ease, run_checks
from app.common.audit_actions import AuditAction
from app.common.labels import labels
from app.drafting.drafters import make_drafter
from app.drafting.explanations import explain
from app.drafting.grounding import select_facts
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
from app.drafting.schemas import Rewrite
from app.drafting.second_pass import Rating, ReviewRequest
from app.drafting.variety import RankKey, distinct, rank
from app.drafting.versions import (
    cited_facts,
    create_message,
    revoke_approvals,
    run_version_checks,
    save_version,
    trend_context,
)
from app.extensions import db
from app.trends.models import Evidence, Trend

__all__ = ["DraftingError", "DraftInputError"]

MAX_EVIDENCE = 5
MAX_COUNT = 10
LANGUAGES = ("en", "fr")
EDITABLE = frozenset(
    {MessageStatus.DRAFT, MessageStatus.CHANGES_REQUESTED, MessageStatus.IN_REVIEW, MessageStatus.APPROVED}
)


def available_actions(message: Message) -> frozenset[str]:
    """What the editor offers for a message in its status: edit, submit for review, archive."""
    status = MessageStatus(message.status)
    actions = {"edit"} if status in EDITABLE else set()
    if MessageStatus.IN_REVIEW in MESSAGE_TRANSITIONS[status]:
        actions.add("submit")
    if MessageStatus.ARCHIVED in MESSAGE_TRANSITIONS[status]:
        actions.add("archive")
    return frozenset(actions)


class DraftInputError(Exception):
    """A drafting choice that cannot be honoured, with a sentence for people."""


@dataclass(frozen=True)
class DraftResult:
    """The messages a drafting request created and whether they came from the offline drafter."""

    messages: list[Message]
    is_offline: bool
    notice: str | None
    # The sentences of the notice, each shown on its own, and why the batch is in this order.
    notes: tuple[str, ...] = ()
    order_note: str | None = None


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
    brief = trend_brief(trend)
    return DraftRequest(
        campaign=campaign_brief(campaign),
        trend=brief,
        strategies=tuple(strategies),
        language=language,
        platforms=tuple((p, platform_limit(p)) for p in platforms),
        count=count,
        evidence=tuple(latest_evidence(trend)),
        knowledge=select_facts(knowledge_of(campaign), trend=brief, language=language),
        existing=tuple(existing_texts(campaign)),
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
    """The campaign's vetted facts in their order, each with the id the drafter cites (F<id>)."""
    return tuple(
        KnowledgeItem(item.text, item.source_url, item.language or "", f"F{item.id or n}")
        for n, item in enumerate(campaign.knowledge, start=1)
    )


def existing_texts(campaign: Campaign) -> list[str]:
    """The current texts of the campaign's messages that are not archived."""
    query = (
        select(MessageVersion.text)
        .join(Message, Message.current_version_id == MessageVersion.id)
        .where(Message.campaign_id == campaign.id, Message.status != MessageStatus.ARCHIVED)
    )
    return list(db.session.scalars(query))


def draft_messages(
    campaign: Campaign,
    *,
    trend: Trend,
    strategies: list[str],
    language: str,
    platforms: list[str],
    count: int,
    actor: User | None,
    drafter: Drafter | None = None,
) -> DraftResult:
    """Ask the drafter for candidates and store each as a new draft message with its provenance."""
    request = build_draft_request(
        campaign, trend, strategies=strategies, language=language, platforms=platforms, count=count
    )
    drafter = drafter or default_drafter()
    try:
        outcome = drafter.draft(request)
    except ValueError as error:
        raise DraftInputError(str(error)) from error
    result = store_candidates(campaign, trend, outcome, actor=actor, knowledge=request.knowledge)
    review = getattr(drafter, "review", None)
    if outcome.is_offline or review is None or not result.messages:
        return result
    note = second_reading(result.messages, request, review, actor=actor)
    if note is None:
        return result
    notes = (*result.notes, note)
    return dataclasses.replace(result, notes=notes, notice=" ".join(notes))


def second_reading(
    messages: list[Message],
    request: DraftRequest,
    review: Callable[[ReviewRequest], tuple[dict[int, Rating], Provenance]],
    *,
    actor: User | None,
) -> str | None:
    """Ask the model to rate each new draft; store the advisory ratings with their provenance.

    Never blocks: a failed second reading leaves the drafts as they are and says so.
    """
    facts = {
        f["text"]
        for m in messages
        if m.current_version is not None
        for f in (m.current_version.provenance or {}).get("facts", [])
    }
    req = ReviewRequest(
        drafts=tuple(m.text for m in messages),
        language=request.language,
        evidence=request.evidence,
        lexicon=request.trend.lexicon,
        hashtags=request.trend.hashtags,
        facts=tuple(sorted(facts)),
    )
    try:
        ratings, provenance = review(req)
    except (DraftingError, ValueError) as error:
        return _(
            "The model's second reading did not work, so the drafts are saved without it: %(reason)s",
            reason=getattr(error, "message", None) or str(error),
        )
    concerns = 0
    for number, message in enumerate(messages, start=1):
        rating = ratings.get(number)
        if rating is not None:
            _store_rating(message, rating, provenance, actor=actor)
            concerns += rating.verdict == "concern"
    if not concerns:
        return None
    return ngettext(
        "The model's second reading raised a concern about %(num)d draft: its editor shows why.",
        "The model's second reading raised concerns about %(num)d drafts: their editors show why.",
        concerns,
    )


def _store_rating(message: Message, rating: Rating, provenance: Provenance, *, actor: User | None) -> None:
    """Keep the rating, with what produced it, in the rated version's provenance (advisory only)."""
    version = message.current_version
    if version is None:
        return
    review = {
        "verdict": rating.verdict,
        "rules": list(rating.rules),
        "reason": rating.reason,
        "version": version.number,
        "provider": provenance.provider,
        "model": provenance.model,
        "prompt_name": provenance.prompt_name,
        "prompt_version": provenance.prompt_version,
        "prompt_sha256": provenance.prompt_sha256,
        "latency_ms": provenance.latency_ms,
    }
    version.provenance = {**(version.provenance or {}), "review": review}
    db.session.flush()
    record(
        AuditAction.MESSAGE_REREAD,
        actor=actor,
        organisation=message.campaign.organisation,
        obj=message,
        details={"verdict": rating.verdict, "rules": list(rating.rules), "version": version.number},
    )


ORDER_NOTE = _l(
    "Ordered for editing: drafts with a blocking problem last, then by fewest warnings, then those "
    "that fit every platform, then the easiest to read."
)


def store_candidates(
    campaign: Campaign,
    trend: Trend,
    outcome: DraftOutcome,
    *,
    actor: User | None,
    knowledge: tuple[KnowledgeItem, ...] = (),
) -> DraftResult:
    """Create one message per distinct candidate, best first (checks run inside save_version)."""
    source = VersionSource.OFFLINE if outcome.is_offline else VersionSource.AI
    kept = distinct([c.text for c in outcome.candidates], existing_texts(campaign))
    candidates = [outcome.candidates[i] for i in kept]
    facts = {fact.id: fact for fact in knowledge}
    keys = [_rank_key(c, campaign, trend, facts) for c in candidates]
    messages = []
    for position, index in enumerate(rank(keys), start=1):
        candidate = candidates[index]
        cited = [facts[i] for i in candidate.fact_ids if i in facts]
        provenance = {
            **provenance_dict(outcome.provenance),
            "rationale": candidate.rationale,
            **({"explanation": candidate.explanation.as_dict()} if candidate.explanation else {}),
            "facts_used": list(candidate.facts_used),
            "facts": [{"id": f.id, "text": f.text, "source_url": f.source_url} for f in cited],
            "rank": position,
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
    duplicates = len(outcome.candidates) - len(candidates)
    record(
        AuditAction.CAMPAIGN_DRAFTS_REQUESTED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={
            "count": len(messages),
            "provider": outcome.provenance.provider,
            "model": outcome.provenance.model,
            "trend": trend.id,
            "dropped_off_request": outcome.dropped,
            "dropped_duplicates": duplicates,
        },
    )
    notes = _batch_notes(outcome, duplicates)
    return DraftResult(
        messages=messages,
        is_offline=outcome.is_offline,
        notice=" ".join(notes) or None,
        notes=tuple(notes),
        order_note=str(ORDER_NOTE) if len(messages) > 1 else None,
    )


def _rank_key(candidate: Any, campaign: Campaign, trend: Trend, facts: dict[str, KnowledgeItem]) -> RankKey:
    """Check a candidate as its first version will be checked, and sum up what ranks it."""
    cited = tuple(facts[i].text for i in candidate.fact_ids if i in facts)
    findings, _has_errors = run_version_checks(
        candidate.text,
        dict(candidate.variants),
        language=candidate.language,
        platforms=campaign.platforms,
        context=trend_context(trend, campaign, cited=cited),
    )
    unique = {
        (f["code"], f["start"], f["end"], f["severity"])
        for report in findings.values()
        for f in report["findings"]
    }
    return RankKey(
        errors=sum(1 for f in unique if f[3] == "error"),
        warnings=sum(1 for f in unique if f[3] == "warning"),
        over_length=sum(1 for f in unique if f[0] == "length.over_limit"),
        reading_ease=reading_ease(candidate.text, candidate.language),
    )


def _batch_notes(outcome: DraftOutcome, duplicates: int) -> list[str]:
    """What people should know about the batch, one sentence each, in their language."""
    notes = [_(outcome.notice)] if outcome.notice else []
    if outcome.skipped_for_facts:
        notes.append(
            _(
                "The campaign's knowledge list has no fact these drafts could use, so they follow "
                "strategies that need none. Add vetted facts with their sources to get fact-based "
                "drafts."
            )
        )
    if outcome.dropped:
        notes.append(
            ngettext(
                "%(num)d draft was left out because it did not keep to your choices (strategy or language).",
                "%(num)d drafts were left out because they did not keep to your choices "
                "(strategy or language).",
                outcome.dropped,
            )
        )
    if outcome.shortfall:
        notes.append(
            ngettext(
                "%(num)d fewer draft than asked: the built-in templates have no other wording "
                "that does not repeat a message of this campaign.",
                "%(num)d fewer drafts than asked: the built-in templates have no other wording "
                "that does not repeat a message of this campaign.",
                outcome.shortfall,
            )
        )
    if duplicates:
        notes.append(
            ngettext(
                "%(num)d draft was left out because it repeated another draft or an existing message.",
                "%(num)d drafts were left out because they repeated another draft or an existing message.",
                duplicates,
            )
        )
    return notes


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
        return RewriteResult(version=None, message=None, notice=_notice(rewrite))
    variants[platform] = rewrite.text
    version = save_version(
        message,
        text=message.text,
        variants=variants,
        source=_source(provenance),
        author=actor,
        provenance=_rewrite_provenance(provenance, rewrite),
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
        return RewriteResult(version=None, message=None, notice=_notice(rewrite))
    translated = create_message(
        campaign=message.campaign,
        trend=message.trend,
        strategy=message.strategy,
        language=target_language,
        text=rewrite.text,
        source=_source(provenance),
        author=actor,
        provenance={**_rewrite_provenance(provenance, rewrite), "translated_from": message.id},
    )
    return RewriteResult(version=translated.current_version, message=translated, notice=None)


def _apply_rewrite(
    message: Message, request: RewriteRequest, *, actor: User, drafter: Drafter | None, note: str
) -> RewriteResult:
    rewrite, provenance = _call_rewrite(request, drafter)
    if rewrite.text == message.text:
        return RewriteResult(version=None, message=None, notice=_notice(rewrite))
    variants = dict(message.current_version.variants or {}) if message.current_version else {}
    version = save_version(
        message,
        text=rewrite.text,
        variants=variants,
        source=_source(provenance),
        author=actor,
        provenance=_rewrite_provenance(provenance, rewrite),
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


def _rewrite_provenance(provenance: Provenance, rewrite: Rewrite) -> dict[str, Any]:
    if rewrite.explanation is not None:  # the offline drafter's: stored as a code, worded when shown
        return {**provenance_dict(provenance), "explanation": rewrite.explanation.as_dict()}
    return {**provenance_dict(provenance), "rationale": rewrite.rationale}


def _notice(rewrite: Rewrite) -> str | None:
    """Why the text did not change, in the reader's language when the offline drafter says it."""
    return (explain(rewrite.explanation.as_dict()) if rewrite.explanation else rewrite.rationale) or None


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
        AuditAction.MESSAGE_ARCHIVED,
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


def check_context(
    trend: Trend | None, campaign: Campaign | None, message: Message | None = None
) -> TrendContext:
    """What the checks know about a trend, the campaign's sources and the facts a message cites."""
    return trend_context(trend, campaign, cited=cited_facts(message))


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


def visible_messages(organisation_id: int) -> Select:
    """Messages of the campaigns an organisation sees (app.campaigns.visibility's rule).

    A list of campaign ids rather than a join: the database then walks the messages of those few
    campaigns by index instead of testing the rule on every message."""
    return select(Message).where(Message.campaign_id.in_(select(Campaign.id).where(visible_to(organisation_id))))
