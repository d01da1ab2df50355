"""Trend services: create, edit, change status, evidence, observations. Callers commit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import as_utc, utcnow
from app.extensions import db
from app.trends.models import TREND_TRANSITIONS, Evidence, Observation, Trend, TrendStatus
from app.trends.validation import clean_trend


class TrendError(ValueError):
    """A trend change that cannot be carried out, with a message for people."""


class TrendValidationError(TrendError):
    """Invalid fields: `errors` maps each field to what is wrong."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class TrendConflictError(TrendValidationError):
    """Another trend of the organisation already has this (source, external_id)."""

    def __init__(self, existing_id: int) -> None:
        super().__init__(
            {"source": _("Trend %(id)d already has this source and external id.", id=existing_id)}
        )
        self.existing_id = existing_id


def _refuse_duplicate(organisation_id: int, source: str, external_id: str | None, own_id: int | None) -> None:
    """Raise TrendConflictError when another trend holds (source, external_id): the unique constraint."""
    if not external_id:
        return
    query = select(Trend.id).where(
        Trend.organisation_id == organisation_id, Trend.source == source, Trend.external_id == external_id
    )
    if own_id is not None:
        query = query.where(Trend.id != own_id)
    existing = db.session.scalar(query.limit(1))
    if existing is not None:
        raise TrendConflictError(existing)


def can_edit(user: User | None, trend: Trend) -> bool:
    """Only the reporting organisation's people edit a trend; everyone signed in reads it."""
    return user is not None and user.organisation_id == trend.organisation_id


def _validated(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    cleaned, errors = clean_trend(data, partial=partial)
    if errors:
        raise TrendValidationError(errors)
    return cleaned


def create_trend(
    organisation: Organisation,
    data: dict[str, Any],
    *,
    actor: User | None,
    via: str = "web",
    owner: User | None = None,
) -> Trend:
    """Create a trend for the reporting organisation from raw fields."""
    cleaned = _validated(data, partial=False)
    _refuse_duplicate(organisation.id, cleaned.get("source", "manual"), cleaned.get("external_id"), None)
    status = cleaned.pop("status", TrendStatus.NEW)
    trend = Trend(
        organisation=organisation, owner=owner if owner is not None else actor, status=status, **cleaned
    )
    db.session.add(trend)
    db.session.flush()
    record(
        AuditAction.TREND_CREATED,
        actor=actor,
        organisation=organisation,
        obj=trend,
        details={"title": trend.title, "via": via},
    )
    return trend


def update_trend(
    trend: Trend, data: dict[str, Any], *, actor: User | None, via: str = "web", partial: bool = True
) -> list[str]:
    """Change the given fields (status goes through change_status); returns the names changed."""
    cleaned = _validated(data, partial=partial)
    _refuse_duplicate(
        trend.organisation_id,
        cleaned.get("source", trend.source),
        cleaned.get("external_id", trend.external_id),
        trend.id,
    )
    status = cleaned.pop("status", None)
    changed = [name for name, value in cleaned.items() if getattr(trend, name) != value]
    if {"source", "external_id"} & set(changed):
        _refuse_taken_external_id(
            trend.organisation_id,
            cleaned.get("source", trend.source),
            cleaned.get("external_id", trend.external_id),
            keep=trend.id,
        )
    for name in changed:
        setattr(trend, name, value_for(cleaned[name]))
    if changed:
        trend.updated_at = utcnow()
        db.session.flush()
        record(
            AuditAction.TREND_UPDATED,
            actor=actor,
            organisation=trend.organisation,
            obj=trend,
            details={"fields": sorted(changed), "via": via},
        )
    if status is not None and status != trend.status:
        change_status(trend, status, actor=actor, via=via)
        changed.append("status")
    return changed


def _refuse_taken_external_id(org_id: int, source: str | None, external_id: str | None, *, keep: int) -> None:
    """Two trends of one organisation never share (source, external_id): say so instead of a 500."""
    if not external_id:
        return
    taken = db.session.scalar(
        select(Trend.id).where(
            Trend.organisation_id == org_id,
            Trend.source == source,
            Trend.external_id == external_id,
            Trend.id != keep,
        )
    )
    if taken:
        raise TrendValidationError(
            {"source": _("Another trend of your organisation already has this source and external id.")}
        )


def value_for(value: Any) -> Any:
    """Copy lists and dicts so JSON columns notice the change."""
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


def set_owner(trend: Trend, owner: User | None, *, actor: User | None) -> None:
    """Give the trend an owner from its organisation."""
    if owner is not None and owner.organisation_id != trend.organisation_id:
        raise TrendError(_("The owner must belong to the reporting organisation."))
    if trend.owner_id != (owner.id if owner else None):
        trend.owner = owner
        db.session.flush()
        record(
            AuditAction.TREND_UPDATED,
            actor=actor,
            organisation=trend.organisation,
            obj=trend,
            details={"fields": ["owner"]},
        )


def allowed_statuses(trend: Trend) -> list[TrendStatus]:
    """The states the trend may move to next, in flow order."""
    targets = TREND_TRANSITIONS[TrendStatus(trend.status)]
    return [status for status in TrendStatus if status in targets]


def change_status(
    trend: Trend, new_status: TrendStatus | str, *, actor: User | None, via: str = "web"
) -> None:
    """Move a trend along its flow (DESIGN.md states)."""
    try:
        target = TrendStatus(new_status)
    except ValueError:
        raise TrendError(_("Unknown status “%(status)s”.", status=new_status)) from None
    current = TrendStatus(trend.status)
    if target not in TREND_TRANSITIONS[current]:
        raise TrendError(
            _(
                "A trend that is %(current)s cannot become %(target)s.",
                current=current.value,
                target=target.value,
            )
        )
    trend.status = target
    trend.updated_at = utcnow()
    db.session.flush()
    record(
        AuditAction.TREND_STATUS_CHANGED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details={"from": current.value, "to": target.value, "via": via},
    )


def evidence_key(url: str | None, excerpt: str) -> str:
    """Stable key for an evidence post: its URL, else its text."""
    basis = (url or "").strip() or " ".join(excerpt.split()).lower()
    return hashlib.sha256(basis.encode()).hexdigest()


@dataclass(frozen=True)
class EvidenceInput:
    excerpt: str
    url: str | None = None
    platform: str | None = None
    captured_at: datetime | None = None
    author_kind: str | None = None
    author_handle: str | None = None
    engagement: int | None = None
    language: str | None = None
    region: str | None = None


def upsert_evidence(trend: Trend, item: EvidenceInput) -> tuple[Evidence, bool]:
    """Add an evidence post unless one with the same key exists; returns (evidence, created)."""
    if not item.excerpt.strip() and not (item.url or "").strip():
        raise TrendError(_("Give at least an excerpt or a link."))
    key = evidence_key(item.url, item.excerpt)
    existing = db.session.scalar(
        select(Evidence).where(Evidence.trend_id == trend.id, Evidence.dedupe_key == key)
    )
    if existing is not None:
        return existing, False
    evidence = Evidence(
        trend_id=trend.id,
        dedupe_key=key,
        url=(item.url or None),
        platform=item.platform,
        captured_at=item.captured_at,
        excerpt=item.excerpt.strip()[:5000],
        author_kind=item.author_kind,
        author_handle=item.author_handle,
        engagement=item.engagement,
        language=item.language,
        region=item.region,
    )
    db.session.add(evidence)
    _evidence_changed(trend)
    return evidence, True


def _evidence_changed(trend: Trend) -> None:
    """Mark the trend changed: cached check contexts are keyed on its update time."""
    trend.updated_at = utcnow()


def add_evidence(trend: Trend, item: EvidenceInput, *, actor: User | None) -> Evidence:
    """Add one evidence post by hand, audited; a duplicate is refused."""
    evidence, created = upsert_evidence(trend, item)
    if not created:
        raise TrendError(_("This post is already in the evidence."))
    db.session.flush()
    record(
        AuditAction.TREND_EVIDENCE_ADDED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details={"evidence_id": evidence.id},
    )
    return evidence


def update_evidence(evidence: Evidence, item: EvidenceInput, *, actor: User | None) -> list[str]:
    """Correct an evidence post, audited; returns the names changed. Its key follows its link or text."""
    if not item.excerpt.strip() and not (item.url or "").strip():
        raise TrendError(_("Give at least an excerpt or a link."))
    trend = evidence.trend
    key = evidence_key(item.url, item.excerpt)
    clash = db.session.scalar(
        select(Evidence.id).where(
            Evidence.trend_id == evidence.trend_id, Evidence.dedupe_key == key, Evidence.id != evidence.id
        )
    )
    if clash is not None:
        raise TrendError(_("Another evidence post of this trend already has this link or excerpt."))
    values = {
        "url": item.url or None,
        "platform": item.platform,
        "captured_at": item.captured_at,
        "excerpt": item.excerpt.strip()[:5000],
        "author_kind": item.author_kind,
        "author_handle": item.author_handle,
        "engagement": item.engagement,
        "language": item.language,
        "region": item.region,
    }
    changed = [name for name, value in values.items() if getattr(evidence, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(evidence, name, values[name])
    evidence.dedupe_key = key
    _evidence_changed(trend)
    db.session.flush()
    # The excerpt is hateful content: the audit trail names the fields, never their text.
    record(
        AuditAction.TREND_EVIDENCE_EDITED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details={"evidence_id": evidence.id, "fields": sorted(changed)},
    )
    return changed


def delete_evidence(evidence: Evidence, *, actor: User | None) -> None:
    """Remove an evidence post, audited (without its text)."""
    trend = evidence.trend
    _evidence_changed(trend)
    details = {"evidence_id": evidence.id, "platform": evidence.platform}
    db.session.delete(evidence)
    db.session.flush()
    record(
        AuditAction.TREND_EVIDENCE_DELETED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details=details,
    )


def set_observation(trend: Trend, observed_on: date, count: int, source: str = "manual") -> Observation:
    """Set the count for one day and source (re-sending the same day replaces, never adds)."""
    if count < 0:
        raise TrendError(_("A count cannot be negative."))
    source = (source or "manual").strip()[:100] or "manual"
    observation = db.session.scalar(
        select(Observation).where(
            Observation.trend_id == trend.id,
            Observation.observed_on == observed_on,
            Observation.source == source,
        )
    )
    if observation is None:
        observation = Observation(trend_id=trend.id, observed_on=observed_on, count=count, source=source)
        db.session.add(observation)
    else:
        observation.count = count
    trend.growth_on = None  # the kept 7-day growth is recomputed on the next board sorted by growth
    _extend_seen(trend, observed_on)
    return observation


def _extend_seen(trend: Trend, day: date) -> None:
    moment = datetime(day.year, day.month, day.day, tzinfo=utcnow().tzinfo)
    first, last = as_utc(trend.first_seen_at), as_utc(trend.last_seen_at)
    if first is None or moment < first:
        trend.first_seen_at = moment
    if last is None or moment > last:
        trend.last_seen_at = moment


def record_observations(
    trend: Trend, counts: list[tuple[date, int]], *, source: str, actor: User | None, via: str = "web"
) -> list[Observation]:
    """Set several daily counts at once, audited as one event."""
    observations = [set_observation(trend, day, count, source) for day, count in counts]
    db.session.flush()
    record(
        AuditAction.TREND_OBSERVATIONS_RECORDED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details={"days": len(counts), "source": source, "via": via},
    )
    return observations


def correct_observation(observation: Observation, count: int, *, actor: User | None) -> bool:
    """Correct one day's count, audited; False when it did not change."""
    if count < 0:
        raise TrendError(_("A count cannot be negative."))
    previous = observation.count
    if previous == count:
        return False
    observation.count = count
    observation.trend.growth_on = None
    db.session.flush()
    record(
        AuditAction.TREND_OBSERVATION_EDITED,
        actor=actor,
        organisation=observation.trend.organisation,
        obj=observation.trend,
        details={
            "observation_id": observation.id,
            "day": observation.observed_on.isoformat(),
            "source": observation.source,
            "from": previous,
            "to": count,
        },
    )
    return True


def delete_observation(observation: Observation, *, actor: User | None) -> None:
    """Remove one day's count (a mistaken entry), audited with what it said."""
    trend = observation.trend
    details = {
        "observation_id": observation.id,
        "day": observation.observed_on.isoformat(),
        "source": observation.source,
        "count": observation.count,
    }
    trend.growth_on = None
    db.session.delete(observation)
    db.session.flush()
    record(
        AuditAction.TREND_OBSERVATION_DELETED,
        actor=actor,
        organisation=trend.organisation,
        obj=trend,
        details=details,
    )


# Volume over time ---------------------------------------------------------------------------------


def daily_series(trend: Trend, *, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """Counts per day (all sources summed) for the last `days` days, zeros included."""
    return daily_series_for([trend.id], days=days, today=today)[trend.id]


def daily_series_for(
    trend_ids: list[int], *, days: int = 30, today: date | None = None
) -> dict[int, list[tuple[date, int]]]:
    """The daily series of several trends in one query."""
    today = today or utcnow().date()
    start = today - timedelta(days=days - 1)
    rows = db.session.execute(
        select(Observation.trend_id, Observation.observed_on, func.sum(Observation.count))
        .where(
            Observation.trend_id.in_(trend_ids),
            Observation.observed_on >= start,
            Observation.observed_on <= today,
        )
        .group_by(Observation.trend_id, Observation.observed_on)
    ).all()
    totals: dict[tuple[int, date], int] = {(tid, day): int(total or 0) for tid, day, total in rows}
    span = [start + timedelta(days=i) for i in range(days)]
    return {tid: [(day, totals.get((tid, day), 0)) for day in span] for tid in trend_ids}


@dataclass(frozen=True)
class WeekChange:
    recent: int
    previous: int

    @property
    def percent(self) -> int | None:
        """Change of the last 7 days over the 7 before, in percent; None when there was nothing before."""
        if self.previous == 0:
            return None
        return round((self.recent - self.previous) * 100 / self.previous)


def week_change(series: list[tuple[date, int]]) -> WeekChange:
    """The last 7 days against the 7 before (series must end today and span ≥ 14 days)."""
    counts = [count for _, count in series]
    return WeekChange(recent=sum(counts[-7:]), previous=sum(counts[-14:-7]))
