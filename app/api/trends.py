"""Trend endpoints of the JSON API (DESIGN.md). Evidence is never exposed here.

Trends are shared coalition-wide: every token reads every trend; only the reporting organisation's
tokens change a trend or add observations (others get 403).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.accounts.models import Organisation
from app.api import bp, openapi
from app.api.auth import current_api_org, current_api_token, token_required
from app.api.pagination import paginated_response
from app.api.problems import ApiProblem, ValidationProblem
from app.api.requests import json_object
from app.common.time import utcnow
from app.extensions import db
from app.trends import services
from app.trends.models import RABAT_FACTORS, RecommendedAction, Trend, TrendStatus
from app.trends.queries import SORTS, BoardFilters, board_query, refresh_growth
from app.trends.validation import LIST_FIELDS, parse_date

WRITABLE = {
    "title",
    "summary",
    "severity",
    "status",
    "recommended_action",
    "hallmarks",
    "rabat",
    "fact_checks",
    "trigger_event",
    "source",
    "external_id",
    "first_seen_at",
    "last_seen_at",
    *LIST_FIELDS,
}
SERIES_DAYS = 30
MAX_OBSERVATIONS = 366

_strings = {"type": "array", "items": {"type": "string"}}
_datetime = {"type": ["string", "null"], "format": "date-time"}
_rabat = {
    "type": "object",
    "propertyNames": {"enum": list(RABAT_FACTORS)},
    "additionalProperties": {
        "type": "object",
        "properties": {
            "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 2},
            "note": {"type": "string"},
        },
    },
}
_fact_checks = {
    "type": "array",
    "items": {"type": "object", "properties": {"claim": {"type": "string"}, "url": {"type": "string"}}},
}
_trend_fields: dict[str, Any] = {
    "title": {"type": "string", "maxLength": 200},
    "summary": {"type": "string"},
    **{name: _strings for name in LIST_FIELDS},
    "severity": {"type": "integer", "minimum": 1, "maximum": 4},
    "status": {"type": "string", "enum": [s.value for s in TrendStatus]},
    "recommended_action": {"type": "string", "enum": [a.value for a in RecommendedAction]},
    "hallmarks": _strings,
    "rabat": _rabat,
    "fact_checks": _fact_checks,
    "trigger_event": {"type": "string"},
    "source": {"type": "string"},
    "external_id": {"type": ["string", "null"]},
    "first_seen_at": _datetime,
    "last_seen_at": _datetime,
}
_observation = {
    "type": "object",
    "required": ["date", "count"],
    "properties": {
        "date": {"type": "string", "format": "date"},
        "count": {"type": "integer", "minimum": 0},
        "source": {"type": "string"},
    },
}
openapi.schema(
    "Trend",
    {
        "type": "object",
        "required": ["id", "title", "status", "severity", "organisation", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "integer"},
            **_trend_fields,
            "is_gated": {
                "type": "boolean",
                "description": "Severity 4: report it; only alternative narratives.",
            },
            "organisation": {
                "type": "object",
                "required": ["id", "slug", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "slug": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "week_change": {
                "type": "object",
                "properties": {
                    "recent": {"type": "integer"},
                    "previous": {"type": "integer"},
                    "percent": {"type": ["integer", "null"]},
                },
            },
            "observations": {
                "type": "array",
                "description": "Daily counts (all sources) for the last 30 days.",
                "items": {
                    "type": "object",
                    "required": ["date", "count"],
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "count": {"type": "integer"},
                    },
                },
            },
        },
    },
)
openapi.schema(
    "TrendCreate",
    {"type": "object", "required": ["title"], "additionalProperties": False, "properties": _trend_fields},
)
openapi.schema("TrendPatch", {"type": "object", "additionalProperties": False, "properties": _trend_fields})
openapi.schema(
    "ObservationsInput",
    {
        "oneOf": [
            {**_observation, "additionalProperties": False},
            {
                "type": "object",
                "required": ["observations"],
                "additionalProperties": False,
                "properties": {
                    "source": {"type": "string"},
                    "observations": {
                        "type": "array",
                        "minItems": 1,
                        "maxItems": MAX_OBSERVATIONS,
                        "items": _observation,
                    },
                },
            },
        ],
        "description": "One {date, count, source} or {source, observations: [...]}; a day already recorded "
        "for the source is replaced, never added to.",
    },
)
openapi.schema(
    "ObservationsResult",
    {
        "type": "object",
        "required": ["trend_id", "observations"],
        "properties": {
            "trend_id": {"type": "integer"},
            "observations": {
                "type": "array",
                "items": {**_observation, "required": ["date", "count", "source"]},
            },
        },
    },
)
_list_params = [
    openapi.query("status", "Filter by status.", {"type": "string", "enum": [s.value for s in TrendStatus]}),
    openapi.query("severity", "Filter by severity.", {"type": "integer", "minimum": 1, "maximum": 4}),
    openapi.query("target_group", "Filter by target group, e.g. MIGRANTS."),
    openapi.query("platform", "Filter by platform key."),
    openapi.query("language", "Filter by language tag."),
    openapi.query("region", "Filter by ISO 3166 code."),
    openapi.query("q", "Search title, summary, keywords."),
    openapi.query("sort", "Order.", {"type": "string", "enum": list(SORTS)}),
    openapi.query("organisation", "Only trends reported by this organisation (slug)."),
]
openapi.operation(
    "/trends",
    "get",
    summary="List trends (coalition-wide)",
    tag="trends",
    paginated=True,
    parameters=_list_params,
    responses={200: "Trend", 422: None},
)
openapi.operation(
    "/trends",
    "post",
    summary="Record a trend for the token's organisation",
    tag="trends",
    request_body="TrendCreate",
    responses={201: "Trend", 400: None, 409: None, 415: None, 422: None},
)
openapi.operation(
    "/trends/{id}",
    "get",
    summary="One trend with its last 30 days of counts",
    tag="trends",
    parameters=[openapi.path_id()],
    responses={200: "Trend", 404: None},
)
openapi.operation(
    "/trends/{id}",
    "patch",
    summary="Change some fields (status follows the trend flow)",
    tag="trends",
    parameters=[openapi.path_id()],
    request_body="TrendPatch",
    responses={200: "Trend", 400: None, 403: None, 404: None, 415: None, 422: None},
)
openapi.operation(
    "/trends/{id}/observations",
    "post",
    summary="Record daily counts",
    tag="trends",
    parameters=[openapi.path_id()],
    request_body="ObservationsInput",
    responses={200: "ObservationsResult", 400: None, 403: None, 404: None, 415: None, 422: None},
)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def serialize(trend: Trend, *, series: list[tuple[date, int]] | None = None) -> dict[str, Any]:
    """A trend as the API shows it: every field but evidence."""
    body: dict[str, Any] = {name: list(getattr(trend, name) or []) for name in LIST_FIELDS}
    body.update(
        id=trend.id,
        title=trend.title,
        summary=trend.summary or "",
        severity=trend.severity,
        status=str(trend.status),
        recommended_action=str(trend.recommended_action),
        hallmarks=list(trend.hallmarks or []),
        rabat=dict(trend.rabat or {}),
        fact_checks=list(trend.fact_checks or []),
        trigger_event=trend.trigger_event or "",
        source=trend.source,
        external_id=trend.external_id,
        first_seen_at=_iso(trend.first_seen_at),
        last_seen_at=_iso(trend.last_seen_at),
        created_at=_iso(trend.created_at),
        updated_at=_iso(trend.updated_at),
        is_gated=trend.is_gated,
        organisation={
            "id": trend.organisation.id,
            "slug": trend.organisation.slug,
            "name": trend.organisation.name,
        },
    )
    if series is not None:
        change = services.week_change(series)
        body["week_change"] = {
            "recent": change.recent,
            "previous": change.previous,
            "percent": change.percent,
        }
        body["observations"] = [{"date": day.isoformat(), "count": count} for day, count in series]
    return body


def _body(allowed: set[str]) -> dict[str, Any]:
    body = json_object()
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ValidationProblem({name: "Unknown field." for name in unknown})
    return body


def _audit_via() -> str:
    return f"api:{current_api_token().prefix}"


def _own_trend(trend_id: int) -> Trend:
    trend = db.session.get(Trend, trend_id)
    if trend is None:
        abort(404)
    if trend.organisation_id != current_api_org().id:
        raise ApiProblem(403, "Forbidden", "Only the reporting organisation changes this trend.")
    return trend


@bp.route("/trends", methods=["GET"])
@token_required
def list_trends():
    args = request.args
    errors = {}
    severity = args.get("severity")
    if severity is not None and severity not in {"1", "2", "3", "4"}:
        errors["severity"] = "Must be 1, 2, 3 or 4."
    if args.get("status") and args["status"] not in {s.value for s in TrendStatus}:
        errors["status"] = "Unknown status."
    if args.get("sort") and args["sort"] not in SORTS:
        errors["sort"] = f"Use one of {', '.join(SORTS)}."
    org_id = None
    if args.get("organisation"):
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.slug == args["organisation"]))
        if org_id is None:
            errors["organisation"] = "No organisation with this slug."
    if errors:
        raise ValidationProblem(errors, detail="Invalid query parameters.")
    filters = BoardFilters(
        status=args.get("status", ""),
        severity=int(severity) if severity else None,
        target_group=args.get("target_group", ""),
        platform=args.get("platform", ""),
        language=args.get("language", ""),
        region=args.get("region", ""),
        q=args.get("q", "")[:200],
        sort=args.get("sort", "newest"),
        organisation_id=org_id,
    )
    today = utcnow().date()
    if filters.sort == "growing" and refresh_growth(today):
        db.session.commit()
    query = board_query(filters, today=today).options(joinedload(Trend.organisation))
    return paginated_response(query, serialize)


@bp.route("/trends", methods=["POST"])
@token_required
def create_trend():
    body = _body(WRITABLE)
    org = current_api_org()
    if body.get("external_id"):
        source = str(body.get("source") or "manual")
        existing = db.session.scalar(
            select(Trend.id).where(
                Trend.organisation_id == org.id,
                Trend.source == source,
                Trend.external_id == str(body["external_id"]),
            )
        )
        if existing:
            raise ApiProblem(
                409,
                "Conflict",
                f"Trend {existing} already has this source and external_id; "
                f"PATCH /api/v1/trends/{existing} to change it.",
            )
    try:
        trend = services.create_trend(org, body, actor=None, via=_audit_via(), owner=None)
    except services.TrendValidationError as error:
        raise ValidationProblem(error.errors) from None
    db.session.commit()
    response = jsonify(serialize(trend, series=services.daily_series(trend, days=SERIES_DAYS)))
    response.status_code = 201
    response.headers["Location"] = url_for("api.get_trend", trend_id=trend.id)
    return response


@bp.route("/trends/<int:trend_id>", methods=["GET"])
@token_required
def get_trend(trend_id: int):
    trend = db.session.get(Trend, trend_id)
    if trend is None:
        abort(404)
    return jsonify(serialize(trend, series=services.daily_series(trend, days=SERIES_DAYS)))


@bp.route("/trends/<int:trend_id>", methods=["PATCH"])
@token_required
def patch_trend(trend_id: int):
    trend = _own_trend(trend_id)
    body = _body(WRITABLE)
    status = body.pop("status", None)
    try:
        services.update_trend(trend, body, actor=None, via=_audit_via())
        if status is not None and status != trend.status:
            services.change_status(trend, status, actor=None, via=_audit_via())
    except services.TrendValidationError as error:
        db.session.rollback()
        raise ValidationProblem(error.errors) from None
    except services.TrendError as error:
        db.session.rollback()
        raise ValidationProblem({"status": str(error)}) from None
    db.session.commit()
    return jsonify(serialize(trend, series=services.daily_series(trend, days=SERIES_DAYS)))


def _observation_items(body: dict[str, Any]) -> tuple[str, list[tuple[str, Any]]]:
    """(source, [(field prefix, item)]) from either accepted body form."""
    if "observations" in body:
        items = body["observations"]
        if not isinstance(items, list) or not items:
            raise ValidationProblem({"observations": "Must be a non-empty list of {date, count}."})
        if len(items) > MAX_OBSERVATIONS:
            raise ValidationProblem({"observations": f"At most {MAX_OBSERVATIONS} per request."})
        return str(body.get("source") or "api"), [
            (f"observations[{i}]", item) for i, item in enumerate(items)
        ]
    return str(body.get("source") or "api"), [("", body)]


def _clean_observations(source: str, items: list[tuple[str, Any]]) -> list[tuple[date, int, str]]:
    errors: dict[str, str] = {}
    cleaned: list[tuple[date, int, str]] = []
    seen: set[tuple[date, str]] = set()
    for prefix, item in items:
        date_key, count_key = (f"{prefix}.date", f"{prefix}.count") if prefix else ("date", "count")
        if not isinstance(item, dict):
            errors[prefix or "body"] = "Must be an object with date and count."
            continue
        day = None
        try:
            day = parse_date(item.get("date"))
        except ValueError:
            errors[date_key] = "Use an ISO date such as 2024-03-01."
        if day is None and date_key not in errors:
            errors[date_key] = "Required."
        elif day is not None and day > utcnow().date():
            errors[date_key] = "Cannot be in the future."
        count = item.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            errors[count_key] = "Must be a whole number of 0 or more."
        item_source = str(item.get("source") or source).strip()[:100] or "api"
        if day is not None and (day, item_source) in seen:
            errors[date_key] = "This day appears twice for the same source."
        if day is not None and isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            seen.add((day, item_source))
            cleaned.append((day, count, item_source))
    if errors:
        raise ValidationProblem(errors)
    return cleaned


@bp.route("/trends/<int:trend_id>/observations", methods=["POST"])
@token_required
def post_observations(trend_id: int):
    trend = _own_trend(trend_id)
    body = _body({"date", "count", "source", "observations"})
    source, items = _observation_items(body)
    cleaned = _clean_observations(source, items)
    by_source: dict[str, list[tuple[date, int]]] = {}
    for day, count, item_source in cleaned:
        by_source.setdefault(item_source, []).append((day, count))
    for item_source, counts in by_source.items():
        services.record_observations(trend, counts, source=item_source, actor=None, via=_audit_via())
    db.session.commit()
    return jsonify(
        {
            "trend_id": trend.id,
            "observations": [{"date": d.isoformat(), "count": c, "source": s} for d, c, s in cleaned],
        }
    )
