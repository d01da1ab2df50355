"""Do-no-harm checks over the API: the same function the checks page and the editor use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import jsonify

from app.api import bp, openapi
from app.api.auth import current_api_org, token_required
from app.api.problems import ValidationProblem
from app.api.requests import json_object
from app.campaigns.models import Campaign
from app.checks import lengths
from app.config import LANGUAGES
from app.drafting import services as drafting_services
from app.extensions import db
from app.trends.models import Trend

if TYPE_CHECKING:
    from app.campaigns.models import Campaign
    from app.trends.models import Trend

MAX_TEXT = 5000  # as the editor's form (app.drafting.forms.MAX_TEXT)

openapi.schema(
    "CheckInput",
    {
        "type": "object",
        "required": ["text", "platform"],
        "properties": {
            "text": {"type": "string", "maxLength": MAX_TEXT},
            "platform": {"type": "string", "enum": list(lengths.PLATFORMS)},
            "trend_id": {
                "type": "integer",
                "description": "Check against this trend's lexicon, hashtags and evidence.",
            },
            "campaign_id": {
                "type": "integer",
                "description": "Count this campaign's knowledge sources as citations.",
            },
            "language": {"type": "string", "enum": list(LANGUAGES), "default": "en"},
        },
    },
)
openapi.schema(
    "CheckReport",
    {
        "type": "object",
        "required": ["length", "findings"],
        "properties": {
            "length": {
                "type": "object",
                "required": ["count", "limit"],
                "properties": {"count": {"type": "integer"}, "limit": {"type": "integer"}},
            },
            "findings": {"type": "array", "items": openapi.ref("Finding")},
        },
    },
)
openapi.operation(
    "/checks",
    "post",
    summary="Run the do-no-harm checks and the platform length count on a text",
    tag="checks",
    request_body="CheckInput",
    responses={200: "CheckReport", 400: None, 415: None, 422: None},
)


@bp.route("/checks", methods=["POST"])
@token_required
def run_checks():

    body = json_object()
    text, platform, language = _inputs(body)
    org_id = current_api_org().id
    campaign = _campaign(body.get("campaign_id"), org_id)
    trend = _trend(body.get("trend_id"), org_id, campaign)
    report = drafting_services.check_text(
        text, platform=platform, language=language, context=drafting_services.check_context(trend, campaign)
    )
    return jsonify(report.as_dict())


def _inputs(body: dict[str, Any]) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    text, platform, language = body.get("text"), body.get("platform"), body.get("language", "en")
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        errors["text"] = f"Must be a string of at most {MAX_TEXT} characters."
    if platform not in lengths.PLATFORMS:
        errors["platform"] = f"Must be one of: {', '.join(lengths.PLATFORMS)}."
    if language not in LANGUAGES:
        errors["language"] = f"Must be one of: {', '.join(LANGUAGES)}."
    if errors:
        raise ValidationProblem(errors)
    return text, platform, language


def _campaign(campaign_id: Any, org_id: int) -> Campaign | None:

    if campaign_id is None:
        return None
    campaign = db.session.get(Campaign, campaign_id) if _is_id(campaign_id) else None
    if campaign is None or not campaign.takes_part(org_id):
        raise ValidationProblem({"campaign_id": "No such campaign for this organisation."})
    return campaign


def _trend(trend_id: Any, org_id: int, campaign: Campaign | None) -> Trend | None:
    """A trend of the organisation, or one the given campaign answers."""

    if trend_id is None:
        return None
    trend = db.session.get(Trend, trend_id) if _is_id(trend_id) else None
    linked = campaign is not None and trend is not None and any(t.id == trend.id for t in campaign.trends)
    if trend is None or (trend.organisation_id != org_id and not linked):
        raise ValidationProblem({"trend_id": "No such trend for this organisation."})
    return trend


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
