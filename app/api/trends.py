"""Trend endpoints of the JSON API (DESIGN.md). Evidence is never exposed here.

Trends are shared coalition-wide: every token reads every trend; only the reporting organisation's
tokens change a trend or add observations (others get 403).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from flask import abort, url_for
from pydantic import AfterValidator, Discriminator, Field, RootModel, Tag, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.api.auth import current_api_org, current_api_token
from app.api.contract import endpoint
from app.api.fields import (
    Body,
    Choices,
    IsoDate,
    IsoDateTime,
    Omittable,
    OneOf,
    OrganisationRef,
    Out,
    QueryInt,
    Text,
    Whole,
)
from app.api.pagination import PageQuery, page_of, paginated_response
from app.api.problems import ApiProblem, ValidationProblem
from app.common import limits
from app.common.time import utcnow
from app.extensions import db
from app.trends import services
from app.trends.models import HALLMARKS, RecommendedAction, TrendStatus
from app.trends.models import Trend as TrendRecord
from app.trends.queries import SORTS, BoardFilters, board_query, refresh_growth
from app.trends.validation import LIST_FIELDS

SERIES_DAYS = 30
MAX_OBSERVATIONS = limits.OBSERVATIONS_MAX

TrendStatusName = Annotated[str, OneOf(tuple(s.value for s in TrendStatus))]
ActionName = Annotated[str, OneOf(tuple(a.value for a in RecommendedAction))]


def _item(pattern: str = limits.NO_NUL) -> Any:
    """An item of a trend's list field: at most TREND_ITEM_MAX characters matching `pattern`."""
    return Field(max_length=limits.TREND_ITEM_MAX, pattern=pattern)


def _at_most() -> Any:
    return Field(max_length=limits.TREND_LIST_ITEMS_MAX)


Terms = Annotated[list[Annotated[str, _item()]], _at_most()]
GroupNames = Annotated[list[Annotated[str, _item(limits.TARGET_GROUP_INPUT)]], _at_most()]
PlatformKeys = Annotated[list[Annotated[str, _item(limits.PLATFORM_KEY_INPUT)]], _at_most()]
LanguageTags = Annotated[list[Annotated[str, _item(limits.LANGUAGE_TAG_INPUT)]], _at_most()]
RegionCodes = Annotated[list[Annotated[str, _item(limits.REGION_CODE_INPUT)]], _at_most()]
Hashtags = Annotated[list[Annotated[str, _item(limits.HASHTAG_INPUT)]], _at_most()]


class RabatEntry(Body):
    """One Rabat factor: a score from 0 to 2 and a note."""

    score: Annotated[int, Whole(0, 2)] | None = None
    note: Annotated[str, Text(limits.RABAT_NOTE_MAX)] = ""


class Rabat(Body):
    """The Rabat Plan of Action's six-part test."""

    context: Omittable[RabatEntry] = None
    speaker: Omittable[RabatEntry] = None
    intent: Omittable[RabatEntry] = None
    content_form: Omittable[RabatEntry] = None
    extent: Omittable[RabatEntry] = None
    likelihood: Omittable[RabatEntry] = None


class FactCheck(Body):
    """A misinformation claim and the fact-check that answers it."""

    claim: Annotated[str, Text(limits.FACT_CLAIM_MAX)] = ""
    url: Annotated[str, Field(max_length=limits.URL_MAX, pattern=limits.HTTP_URL_INPUT)] = ""


class TrendFields(Body):
    """The writable fields of a trend."""

    title: Omittable[Annotated[str, Text(limits.TREND_TITLE_MAX, required=True)]] = None
    summary: Omittable[Annotated[str, Text(limits.TREND_TEXT_MAX["summary"])]] = None
    narrative_tags: Omittable[Terms] = None
    target_groups: Omittable[GroupNames] = Field(default=None, description="Group names such as MIGRANTS.")
    platforms: Omittable[PlatformKeys] = Field(
        default=None, description="Platform keys such as x or telegram."
    )
    languages: Omittable[LanguageTags] = Field(default=None, description="BCP 47 language tags.")
    regions: Omittable[RegionCodes] = Field(default=None, description="ISO 3166 codes such as FR or BE-BRU.")
    keywords: Omittable[Terms] = None
    hashtags: Omittable[Hashtags] = Field(default=None, description="Stored with a leading #.")
    coded_terms: Omittable[Terms] = None
    never_repeat_terms: Omittable[Terms] = None
    severity: Omittable[Annotated[int, Whole(limits.SEVERITY_MIN, limits.SEVERITY_MAX)]] = None
    status: Omittable[TrendStatusName] = Field(default=None, description="Changes follow the trend flow.")
    recommended_action: Omittable[ActionName] = None
    hallmarks: Omittable[Annotated[list[str], Choices(HALLMARKS)]] = None
    rabat: Omittable[Rabat] = None
    fact_checks: Omittable[Annotated[list[FactCheck], Field(max_length=limits.FACT_CHECKS_MAX)]] = None
    trigger_event: Omittable[Annotated[str, Text(limits.TREND_TEXT_MAX["trigger_event"])]] = None
    source: Omittable[Annotated[str, Text(limits.TREND_TEXT_MAX["source"])]] = None
    external_id: Annotated[str, Text(limits.TREND_TEXT_MAX["external_id"])] | None = None
    first_seen_at: IsoDateTime | None = None
    last_seen_at: IsoDateTime | None = Field(default=None, description="Not before first_seen_at.")

    @field_validator("last_seen_at")
    @classmethod
    def _seen_in_order(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        first = info.data.get("first_seen_at")
        if value is not None and first is not None and value < first:
            raise ValueError("Last seen cannot be before first seen.")
        return value

    def changes(self) -> dict[str, Any]:
        """The fields given, as the trend services take them."""
        return self.model_dump(exclude_unset=True, exclude_none=False)


class TrendCreate(TrendFields):
    """A new trend (title required)."""

    title: Annotated[str, Text(limits.TREND_TITLE_MAX, required=True)]


class TrendPatch(TrendFields):
    """Some fields of a trend; status changes follow the trend flow."""


def _not_future(day: date) -> date:
    if day > utcnow().date():
        raise ValueError("Cannot be in the future.")
    return day


class Observation(Body):
    """One day's count of detected posts."""

    date: Annotated[IsoDate, AfterValidator(_not_future)] = Field(description="Not in the future.")
    count: Annotated[int, Whole(0, limits.OBSERVATION_COUNT_MAX)]
    source: Omittable[Annotated[str, Text(limits.TREND_TEXT_MAX["source"])]] = None


class Observations(Body):
    """Several days at once; a day repeated for the same source is refused."""

    source: Omittable[Annotated[str, Text(limits.TREND_TEXT_MAX["source"])]] = None
    observations: Annotated[list[Observation], Field(min_length=1, max_length=MAX_OBSERVATIONS)]


def _observation_kind(value: Any) -> str | None:
    return ("batch" if "observations" in value else "single") if isinstance(value, dict) else None


class ObservationsInput(
    RootModel[
        Annotated[
            Annotated[Observations, Tag("batch")] | Annotated[Observation, Tag("single")],
            Discriminator(_observation_kind),
        ]
    ]
):
    """One {date, count, source} or {source, observations: [...]}; a day already recorded for the
    source is replaced, never added to."""

    model_config = {"strict": True}


class TrendQuery(PageQuery):
    """Filters of the trend list."""

    status: Omittable[TrendStatusName] = Field(default=None, description="Filter by status.")
    severity: Omittable[Annotated[int, QueryInt(limits.SEVERITY_MIN, limits.SEVERITY_MAX)]] = Field(
        default=None, description="Filter by severity."
    )
    target_group: Omittable[Annotated[str, Text(40)]] = Field(
        default=None, description="Filter by target group, e.g. MIGRANTS."
    )
    platform: Omittable[Annotated[str, Text(32)]] = Field(default=None, description="Filter by platform key.")
    language: Omittable[Annotated[str, Text(35)]] = Field(default=None, description="Filter by language tag.")
    region: Omittable[Annotated[str, Text(10)]] = Field(default=None, description="Filter by ISO 3166 code.")
    q: Omittable[Annotated[str, Text(limits.SEARCH_MAX)]] = Field(
        default=None, description="Search title, summary, keywords."
    )
    sort: Omittable[Annotated[str, OneOf(SORTS)]] = Field(default=None, description="Order.")
    organisation: Omittable[Annotated[str, Text(limits.ORG_SLUG_MAX)]] = Field(
        default=None, description="Only trends reported by this organisation (slug)."
    )


class RabatScore(Out):
    """One Rabat factor as recorded."""

    score: int | None
    note: str


class FactCheckOut(Out):
    """A claim and its fact-check."""

    claim: str
    url: str


class Trend(Out):
    """A trend as the API shows it: every field but evidence."""

    id: int
    title: str
    summary: str
    narrative_tags: list[str]
    target_groups: list[str]
    platforms: list[str]
    languages: list[str]
    regions: list[str]
    keywords: list[str]
    hashtags: list[str]
    coded_terms: list[str]
    never_repeat_terms: list[str]
    severity: int
    status: TrendStatusName
    recommended_action: ActionName
    hallmarks: list[str]
    rabat: dict[str, RabatScore]
    fact_checks: list[FactCheckOut]
    trigger_event: str
    source: str
    external_id: str | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    created_at: datetime
    updated_at: datetime
    is_gated: bool = Field(description="Severity 4: report it; only alternative narratives.")
    organisation: OrganisationRef


class WeekChange(Out):
    """The last 7 days against the 7 before."""

    recent: int
    previous: int
    percent: int | None


class DailyCount(Out):
    """Detected posts on one day, all sources."""

    date: date
    count: int


class TrendDetail(Trend):
    """A trend with its last 30 days of counts."""

    week_change: WeekChange
    observations: list[DailyCount] = Field(description="Daily counts (all sources) for the last 30 days.")


class RecordedObservation(Out):
    """A day's count as recorded."""

    date: date
    count: int
    source: str


class ObservationsResult(Out):
    """The counts recorded by one request."""

    trend_id: int
    observations: list[RecordedObservation]


def _trend_fields(trend: TrendRecord) -> dict[str, Any]:
    return {
        **{name: list(getattr(trend, name) or []) for name in LIST_FIELDS},
        "id": trend.id,
        "title": trend.title,
        "summary": trend.summary or "",
        "severity": trend.severity,
        "status": str(trend.status),
        "recommended_action": str(trend.recommended_action),
        "hallmarks": list(trend.hallmarks or []),
        "rabat": dict(trend.rabat or {}),
        "fact_checks": list(trend.fact_checks or []),
        "trigger_event": trend.trigger_event or "",
        "source": trend.source,
        "external_id": trend.external_id,
        "first_seen_at": trend.first_seen_at,
        "last_seen_at": trend.last_seen_at,
        "created_at": trend.created_at,
        "updated_at": trend.updated_at,
        "is_gated": trend.is_gated,
        "organisation": OrganisationRef.model_validate(trend.organisation),
    }


def serialize(trend: TrendRecord) -> Trend:
    """A trend in a list."""
    return Trend(**_trend_fields(trend))


def detail(trend: TrendRecord) -> TrendDetail:
    """One trend with its daily counts and week-on-week change."""
    series = services.daily_series(trend, days=SERIES_DAYS)
    change = services.week_change(series)
    return TrendDetail(
        **_trend_fields(trend),
        week_change=WeekChange(recent=change.recent, previous=change.previous, percent=change.percent),
        observations=[DailyCount(date=day, count=count) for day, count in series],
    )


def _audit_via() -> str:
    return f"api:{current_api_token().prefix}"


def _own_trend(id: int) -> TrendRecord:
    """The trend named in the path, if the token's organisation reported it (else 404/403)."""
    trend = db.session.get(TrendRecord, id)
    if trend is None:
        abort(404)
    if trend.organisation_id != current_api_org().id:
        raise ApiProblem(403, "Forbidden", "Only the reporting organisation changes this trend.")
    return trend


def _conflict(error: services.TrendConflictError) -> ApiProblem:
    return ApiProblem(
        409,
        "Conflict",
        f"Trend {error.existing_id} already has this source and external_id; "
        f"PATCH /api/v1/trends/{error.existing_id} to change it.",
    )


@endpoint(
    "/trends",
    summary="List trends (coalition-wide)",
    tag="trends",
    query=TrendQuery,
    responses={200: page_of(Trend)},
)
def list_trends(query: TrendQuery):
    org_id = None
    if query.organisation:
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == query.organisation))
        if org_id is None:
            raise ValidationProblem(
                {"organisation": "No organisation with this slug."}, "Invalid query parameters."
            )
    filters = BoardFilters(
        status=query.status or "",
        severity=query.severity,
        target_group=query.target_group or "",
        platform=query.platform or "",
        language=query.language or "",
        region=query.region or "",
        q=query.q or "",
        sort=query.sort or "newest",
        organisation_id=org_id,
    )
    today = utcnow().date()
    if filters.sort == "growing" and refresh_growth(today):
        db.session.commit()
    select_ = board_query(filters, today=today).options(joinedload(TrendRecord.organisation))
    return paginated_response(select_, serialize, query, Trend)


@endpoint(
    "/trends",
    "POST",
    summary="Record a trend for the token's organisation",
    tag="trends",
    body=TrendCreate,
    responses={201: TrendDetail, 409: None},
)
def create_trend(body: TrendCreate):
    try:
        trend = services.create_trend(
            current_api_org(), body.changes(), actor=None, via=_audit_via(), owner=None
        )
    except services.TrendConflictError as error:
        db.session.rollback()
        raise _conflict(error) from None
    except services.TrendValidationError as error:
        db.session.rollback()
        raise ValidationProblem(error.errors) from None
    db.session.commit()
    return detail(trend), 201, {"Location": url_for("api.get_trend", id=trend.id)}


@endpoint(
    "/trends/<int:id>",
    summary="One trend with its last 30 days of counts",
    tag="trends",
    responses={200: TrendDetail, 404: None},
)
def get_trend(id: int) -> TrendDetail:
    trend = db.session.get(TrendRecord, id)
    if trend is None:
        abort(404)
    return detail(trend)


@endpoint(
    "/trends/<int:id>",
    "PATCH",
    summary="Change some fields (status follows the trend flow)",
    tag="trends",
    body=TrendPatch,
    load=_own_trend,
    responses={200: TrendDetail, 403: None, 404: None, 409: None},
)
def patch_trend(trend: TrendRecord, body: TrendPatch) -> TrendDetail:
    changes = body.changes()
    status = changes.pop("status", None)
    try:
        services.update_trend(trend, changes, actor=None, via=_audit_via())
        if status is not None and status != trend.status:
            services.change_status(trend, status, actor=None, via=_audit_via())
    except services.TrendConflictError as error:
        db.session.rollback()
        raise _conflict(error) from None
    except services.TrendValidationError as error:
        db.session.rollback()
        raise ValidationProblem(error.errors) from None
    except services.TrendError as error:
        db.session.rollback()
        raise ValidationProblem({"status": str(error)}) from None
    db.session.commit()
    return detail(trend)


def _cleaned(body: ObservationsInput) -> list[tuple[date, int, str]]:
    """(day, count, source) per item; future days and repeated (day, source) pairs are 422."""
    given = body.root
    default = (given.source if isinstance(given, Observations) else None) or "api"
    items = given.observations if isinstance(given, Observations) else [given]
    prefix = "observations[{}]." if isinstance(given, Observations) else ""
    errors: dict[str, str] = {}
    cleaned: list[tuple[date, int, str]] = []
    seen: set[tuple[date, str]] = set()
    for index, item in enumerate(items):
        field = prefix.format(index) + "date"
        source = (item.source or default).strip() or "api"
        if (item.date, source) in seen:
            errors[field] = "This day appears twice for the same source."
        seen.add((item.date, source))
        cleaned.append((item.date, item.count, source))
    if errors:
        raise ValidationProblem(errors)
    return cleaned


@endpoint(
    "/trends/<int:id>/observations",
    "POST",
    summary="Record daily counts",
    tag="trends",
    body=ObservationsInput,
    load=_own_trend,
    responses={200: ObservationsResult, 403: None, 404: None},
)
def post_observations(trend: TrendRecord, body: ObservationsInput) -> ObservationsResult:
    cleaned = _cleaned(body)
    by_source: dict[str, list[tuple[date, int]]] = {}
    for day, count, source in cleaned:
        by_source.setdefault(source, []).append((day, count))
    for source, counts in by_source.items():
        services.record_observations(trend, counts, source=source, actor=None, via=_audit_via())
    db.session.commit()
    return ObservationsResult(
        trend_id=trend.id,
        observations=[RecordedObservation(date=d, count=c, source=s) for d, c, s in cleaned],
    )
