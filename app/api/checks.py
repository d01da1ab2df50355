"""Do-no-harm checks over the API: the same function the checks page and the editor use."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from app.api.auth import current_api_org
from app.api.contract import endpoint
from app.api.fields import Body, Id, OneOf, Out, Text
from app.api.messages import Finding, Length, finding_out
from app.api.problems import ValidationProblem
from app.campaigns.models import Campaign
from app.campaigns.visibility import takes_part
from app.checks import lengths
from app.common import limits
from app.config import LANGUAGES
from app.drafting import services as drafting_services
from app.extensions import db
from app.trends.models import Trend

MAX_TEXT = limits.MESSAGE_TEXT_MAX  # as the editor's form


class CheckInput(Body):
    """A text to check for one platform."""

    text: Annotated[str, Text(MAX_TEXT)]
    platform: Annotated[str, OneOf(lengths.PLATFORMS)]
    trend_id: Id | None = Field(
        default=None, description="Check against this trend's lexicon, hashtags and evidence."
    )
    campaign_id: Id | None = Field(
        default=None, description="Count this campaign's knowledge sources as citations."
    )
    language: Annotated[str, OneOf(LANGUAGES)] = "en"


class CheckReport(Out):
    """The platform's length count and the do-no-harm findings."""

    length: Length
    findings: list[Finding]


@endpoint(
    "/checks",
    "POST",
    summary="Run the do-no-harm checks and the platform length count on a text",
    tag="checks",
    body=CheckInput,
    responses={200: CheckReport},
)
def run_checks(body: CheckInput) -> CheckReport:
    org_id = current_api_org().id
    campaign = _campaign(body.campaign_id, org_id)
    trend = _trend(body.trend_id, org_id, campaign)
    report = drafting_services.check_text(
        body.text,
        platform=body.platform,
        language=body.language,
        context=drafting_services.check_context(trend, campaign),
    )
    return CheckReport(
        length=Length(count=report.length.count, limit=report.length.limit),
        findings=[finding_out(f.as_dict()) for f in report.findings],
    )


def _campaign(campaign_id: int | None, org_id: int) -> Campaign | None:
    if campaign_id is None:
        return None
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not takes_part(org_id, campaign):
        raise ValidationProblem({"campaign_id": "No such campaign for this organisation."})
    return campaign


def _trend(trend_id: int | None, org_id: int, campaign: Campaign | None) -> Trend | None:
    """A trend of the organisation, or one the given campaign answers."""
    if trend_id is None:
        return None
    trend = db.session.get(Trend, trend_id)
    linked = campaign is not None and trend is not None and any(t.id == trend.id for t in campaign.trends)
    if trend is None or (trend.organisation_id != org_id and not linked):
        raise ValidationProblem({"trend_id": "No such trend for this organisation."})
    return trend
