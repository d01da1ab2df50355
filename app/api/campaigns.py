"""Campaigns and drafting over the API: list, create, read, ask for drafts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from flask import jsonify, request
from sqlalchemy import select

from app.accounts.models import Organisation as Org
from app.api import bp, openapi
from app.api.auth import current_api_org, token_required
from app.api.messages import serialize_message
from app.api.pagination import paginated_response
from app.api.problems import ApiProblem, ValidationProblem
from app.api.requests import json_object
from app.campaigns import services as campaign_services
from app.campaigns.access import campaign_for
from app.campaigns.services import CampaignData
from app.campaigns.strategies import MODES, STRATEGIES
from app.checks import lengths
from app.config import LANGUAGES
from app.drafting import services as drafting_services
from app.drafting.llm import MAX_CANDIDATES, DraftingError
from app.extensions import db
from app.trends.models import Trend

if TYPE_CHECKING:
    from app.accounts.models import Organisation
    from app.campaigns.models import Campaign
    from app.campaigns.services import CampaignData
    from app.trends.models import Trend

# Model modules are imported inside the views: this module loads with app.api, which model modules
# of other features import while they are still initialising.
CAMPAIGN_STATUSES = ("planning", "active", "paused", "completed", "archived")
_STRINGS = {"type": "array", "items": {"type": "string"}}
openapi.schema(
    "Campaign",
    {
        "type": "object",
        "required": [
            "id",
            "title",
            "status",
            "organisation",
            "mode",
            "strategies",
            "languages",
            "platforms",
            "trend_ids",
            "partners",
            "knowledge",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "goal": {"type": "string"},
            "audience": {"type": "string"},
            "status": {"type": "string", "enum": list(CAMPAIGN_STATUSES)},
            "mode": {"type": "string", "enum": list(MODES)},
            "organisation": {
                "type": "object",
                "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}},
            },
            "strategies": _STRINGS,
            "tone_notes": {"type": "string"},
            "languages": _STRINGS,
            "platforms": _STRINGS,
            "hashtags": _STRINGS,
            "starts_on": {"type": ["string", "null"], "format": "date"},
            "ends_on": {"type": ["string", "null"], "format": "date"},
            "trend_ids": {"type": "array", "items": {"type": "integer"}},
            "partners": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "slug": {"type": "string"},
                        "name": {"type": "string"},
                    },
                },
            },
            "knowledge": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["text", "source_url"],
                    "properties": {
                        "text": {"type": "string"},
                        "source_url": {"type": "string"},
                        "language": {"type": "string"},
                    },
                },
            },
            "requires_partner_approval": {"type": "boolean"},
        },
    },
)
openapi.schema(
    "CampaignInput",
    {
        "type": "object",
        "required": ["title"],
        "properties": {
            "title": {"type": "string", "maxLength": 200},
            "goal": {"type": "string"},
            "audience": {"type": "string"},
            "mode": {"type": "string", "enum": list(MODES)},
            "strategies": {"type": "array", "items": {"type": "string", "enum": list(STRATEGIES)}},
            "tone_notes": {"type": "string"},
            "languages": _STRINGS,
            "platforms": {"type": "array", "items": {"type": "string", "enum": list(lengths.PLATFORMS)}},
            "hashtags": _STRINGS,
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "trend_ids": {"type": "array", "items": {"type": "integer"}},
            "partner_slugs": _STRINGS,
            "requires_partner_approval": {"type": "boolean"},
        },
    },
)
openapi.schema(
    "DraftInput",
    {
        "type": "object",
        "required": ["trend_id"],
        "properties": {
            "trend_id": {"type": "integer"},
            "strategies": {"type": "array", "items": {"type": "string", "enum": list(STRATEGIES)}},
            "language": {"type": "string", "enum": list(LANGUAGES)},
            "platforms": {"type": "array", "items": {"type": "string", "enum": list(lengths.PLATFORMS)}},
            "count": {"type": "integer", "minimum": 1, "maximum": MAX_CANDIDATES},
        },
    },
)
openapi.schema(
    "DraftResult",
    {
        "type": "object",
        "required": ["messages", "is_offline"],
        "properties": {
            "messages": {"type": "array", "items": openapi.ref("Message")},
            "is_offline": {"type": "boolean"},
            "notice": {"type": ["string", "null"]},
        },
    },
)
openapi.operation(
    "/campaigns",
    "get",
    summary="Campaigns the organisation owns or takes part in",
    tag="campaigns",
    parameters=[
        openapi.query("status", "Only campaigns in this status."),
        openapi.query("q", "Search in titles and goals."),
    ],
    responses={200: "Campaign", 422: None},
    paginated=True,
)
openapi.operation(
    "/campaigns",
    "post",
    summary="Create a campaign",
    tag="campaigns",
    request_body="CampaignInput",
    responses={201: "Campaign", 400: None, 415: None, 422: None},
)
openapi.operation(
    "/campaigns/{id}",
    "get",
    summary="One campaign",
    tag="campaigns",
    parameters=[openapi.path_id()],
    responses={200: "Campaign", 404: None},
)
openapi.operation(
    "/campaigns/{id}/drafts",
    "post",
    summary="Draft messages for a campaign's trend",
    tag="campaigns",
    parameters=[openapi.path_id()],
    request_body="DraftInput",
    responses={201: "DraftResult", 400: None, 404: None, 415: None, 422: None, 502: None, 503: None},
    description="Uses the configured model, or the offline template drafter when none is configured "
    "(`is_offline` says which). Model failures answer 502/503 with a specific `detail`.",
)


def serialize_campaign(campaign: Campaign) -> dict[str, Any]:
    """A campaign as the API shows it."""
    return {
        "id": campaign.id,
        "title": campaign.title,
        "goal": campaign.goal,
        "audience": campaign.audience,
        "status": str(campaign.status),
        "mode": str(campaign.mode),
        "organisation": {"id": campaign.organisation.id, "slug": campaign.organisation.slug},
        "strategies": list(campaign.strategies or []),
        "tone_notes": campaign.tone_notes,
        "languages": list(campaign.languages or []),
        "platforms": list(campaign.platforms or []),
        "hashtags": list(campaign.hashtags or []),
        "starts_on": campaign.starts_on.isoformat() if campaign.starts_on else None,
        "ends_on": campaign.ends_on.isoformat() if campaign.ends_on else None,
        "trend_ids": [t.id for t in campaign.trends],
        "partners": [{"id": o.id, "slug": o.slug, "name": o.name} for o in campaign.partners],
        "knowledge": [
            {"text": k.text, "source_url": k.source_url, "language": k.language} for k in campaign.knowledge
        ],
        "requires_partner_approval": campaign.requires_partner_approval,
    }


@bp.route("/campaigns")
@token_required
def list_campaigns():

    query = campaign_services.search_campaigns(
        current_api_org().id, status=request.args.get("status", ""), search=request.args.get("q", "").strip()
    )
    return paginated_response(query, serialize_campaign)


@bp.route("/campaigns", methods=["POST"])
@token_required
def create_campaign():

    org = current_api_org()
    data = _campaign_data(json_object(), org)
    try:
        campaign = campaign_services.create_campaign(data, actor=None, organisation=org, via="api")
    except campaign_services.CampaignError as error:
        db.session.rollback()
        raise ValidationProblem({"campaign": str(error)}) from error
    db.session.commit()
    response = jsonify(serialize_campaign(campaign))
    response.status_code = 201
    return response


@bp.route("/campaigns/<int:campaign_id>")
@token_required
def get_campaign(campaign_id: int):

    return jsonify(serialize_campaign(campaign_for(current_api_org().id, campaign_id)))


@bp.route("/campaigns/<int:campaign_id>/drafts", methods=["POST"])
@token_required
def create_drafts(campaign_id: int):

    campaign = campaign_for(current_api_org().id, campaign_id)
    body = json_object()
    trend = _draft_trend(campaign, body.get("trend_id"))
    choices = _draft_choices(campaign, body)
    try:
        result = drafting_services.draft_messages(campaign, trend=trend, actor=None, **choices)
    except drafting_services.DraftInputError as error:
        db.session.rollback()
        raise ValidationProblem({"strategies": str(error)}) from error
    except DraftingError as error:
        db.session.rollback()
        raise _drafting_problem(error) from error
    db.session.commit()
    response = jsonify(
        {
            "messages": [serialize_message(m) for m in result.messages],
            "is_offline": result.is_offline,
            "notice": result.notice,
        }
    )
    response.status_code = 201
    return response


def _drafting_problem(error: DraftingError) -> ApiProblem:
    if error.code == "rate_limited":
        headers = {"Retry-After": str(max(1, round(error.retry_after)))} if error.retry_after else None
        return ApiProblem(503, "Model rate limited", error.message, headers=headers)
    if error.code == "refused":
        return ApiProblem(422, "Model refused", error.message)
    return ApiProblem(502, f"Model failure: {error.code}", error.message)


def _draft_trend(campaign: Campaign, trend_id: Any) -> Trend:
    if not isinstance(trend_id, int) or isinstance(trend_id, bool):
        raise ValidationProblem({"trend_id": "Give the id of one of the campaign's trends."})
    trend = next((t for t in campaign.trends if t.id == trend_id), None)
    if trend is None:
        raise ValidationProblem({"trend_id": "This campaign does not answer that trend."})
    return trend


def _draft_choices(campaign: Campaign, body: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, str] = {}
    strategies = _string_list(body, "strategies", errors, [])
    platforms = _string_list(body, "platforms", errors, list(campaign.platforms or ["mastodon"]))
    language = body.get("language", (campaign.languages or ["en"])[0])
    count = body.get("count", 3)
    if language not in LANGUAGES:
        errors["language"] = f"Must be one of {', '.join(LANGUAGES)}."
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_CANDIDATES:
        errors["count"] = f"Must be a whole number from 1 to {MAX_CANDIDATES}."
    unknown = [p for p in platforms if p not in lengths.PLATFORMS]
    if unknown or not platforms:
        errors["platforms"] = f"Must be a non-empty list of: {', '.join(lengths.PLATFORMS)}."
    if errors:
        raise ValidationProblem(errors)
    return {"strategies": strategies, "language": language, "platforms": platforms, "count": count}


def _string_list(body: dict[str, Any], name: str, errors: dict[str, str], default: list[str]) -> list[str]:
    value = body.get(name, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[name] = "Must be a list of strings."
        return []
    return value


def _campaign_data(body: dict[str, Any], org: Organisation) -> CampaignData:

    errors: dict[str, str] = {}
    title = body.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > 200:
        errors["title"] = "Give a title of 1 to 200 characters."
    texts = {name: body.get(name, "") for name in ("goal", "audience", "tone_notes")}
    for name, value in texts.items():
        if not isinstance(value, str):
            errors[name] = "Must be a string."
    mode = body.get("mode", "broadcast")
    if mode not in list(MODES):
        errors["mode"] = "Must be broadcast or reply."
    lists = {
        name: _string_list(body, name, errors, default)
        for name, default in (
            ("strategies", []),
            ("languages", ["en"]),
            ("platforms", ["mastodon"]),
            ("hashtags", []),
            ("partner_slugs", []),
        )
    }
    if any(key not in STRATEGIES for key in lists["strategies"]):
        errors["strategies"] = f"Must be keys among: {', '.join(STRATEGIES)}."
    if any(p not in lengths.PLATFORMS for p in lists["platforms"]):
        errors["platforms"] = f"Must be among: {', '.join(lengths.PLATFORMS)}."
    if any(lang not in LANGUAGES for lang in lists["languages"]):
        errors["languages"] = "Must be among: en, fr."
    dates = {name: _date(body.get(name), name, errors) for name in ("starts_on", "ends_on")}
    trends = _trends(body.get("trend_ids", []), org, errors)
    partners = list(db.session.scalars(select(Org).where(Org.slug.in_(lists["partner_slugs"]))))
    if len(partners) != len(set(lists["partner_slugs"])):
        errors["partner_slugs"] = "Unknown organisation."
    if errors:
        raise ValidationProblem(errors)
    return CampaignData(
        title=title,
        mode=mode,
        strategies=lists["strategies"],
        languages=lists["languages"],
        platforms=lists["platforms"],
        hashtags=lists["hashtags"],
        trends=trends,
        partners=partners,
        requires_partner_approval=bool(body.get("requires_partner_approval", False)),
        **texts,
        **dates,
    )


def _date(value: Any, name: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        errors[name] = "Must be a date as YYYY-MM-DD."
        return None


def _trends(ids: Any, org: Organisation, errors: dict[str, str]) -> list[Trend]:

    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        errors["trend_ids"] = "Must be a list of trend ids."
        return []
    trends = list(db.session.scalars(select(Trend).where(Trend.id.in_(ids), Trend.organisation_id == org.id)))
    if len(trends) != len(set(ids)):
        errors["trend_ids"] = "Link only your organisation's trends."
    return trends
