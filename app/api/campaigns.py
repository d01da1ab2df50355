"""Campaigns and drafting over the API: list, create, read, ask for drafts."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator
from sqlalchemy import select

from app.accounts.models import Organisation
from app.api.auth import current_api_org
from app.api.contract import endpoint
from app.api.fields import Body, Choices, Id, IsoDate, Omittable, OneOf, Out, Slug, Text, Whole
from app.api.messages import Message, serialize_message
from app.api.pagination import PageQuery, page_of, paginated_response
from app.api.problems import ApiProblem, ValidationProblem
from app.campaigns import services as campaign_services
from app.campaigns.access import campaign_for
from app.campaigns.models import Campaign as CampaignRecord
from app.campaigns.services import CampaignData
from app.campaigns.strategies import MODES, STRATEGIES
from app.checks import lengths
from app.common import limits
from app.config import LANGUAGES
from app.drafting import services as drafting_services
from app.drafting.llm import MAX_CANDIDATES, DraftingError
from app.extensions import db
from app.trends.models import Trend

CAMPAIGN_STATUSES = ("planning", "active", "paused", "completed", "archived")
CampaignStatusName = Annotated[str, OneOf(CAMPAIGN_STATUSES)]
ModeName = Annotated[str, OneOf(MODES)]
LanguageName = Annotated[str, OneOf(LANGUAGES)]
PlatformName = Annotated[str, OneOf(lengths.PLATFORMS)]
Hashtag = Annotated[str, Field(max_length=limits.HASHTAG_MAX, pattern=limits.HASHTAG_INPUT)]
Ids = Annotated[list[Id], Field(max_length=limits.CAMPAIGN_LINKS_MAX)]


class CampaignInput(Body):
    """A new campaign: the same fields and limits as the campaign form."""

    title: Annotated[str, Text(limits.CAMPAIGN_TITLE_MAX, required=True)]
    goal: Annotated[str, Text(limits.CAMPAIGN_GOAL_MAX)] = ""
    audience: Annotated[str, Text(limits.CAMPAIGN_AUDIENCE_MAX)] = ""
    mode: ModeName = "broadcast"
    strategies: Annotated[list[str], Choices(tuple(STRATEGIES))] = Field(default_factory=list)
    tone_notes: Annotated[str, Text(limits.CAMPAIGN_TONE_MAX)] = ""
    languages: Annotated[list[str], Choices(LANGUAGES, min_items=1)] = Field(default_factory=lambda: ["en"])
    platforms: Annotated[list[str], Choices(lengths.PLATFORMS, min_items=1)] = Field(
        default_factory=lambda: ["mastodon"]
    )
    hashtags: Annotated[list[Hashtag], Field(max_length=limits.CAMPAIGN_HASHTAGS_MAX)] = Field(
        default_factory=list, description="Stored with a leading #."
    )
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = Field(default=None, description="On or after starts_on.")
    trend_ids: Ids = Field(default_factory=list, description="Trends of the token's organisation.")
    partner_slugs: Annotated[list[Slug], Field(max_length=limits.CAMPAIGN_LINKS_MAX)] = Field(
        default_factory=list
    )
    requires_partner_approval: bool = False

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is not None and value < starts_on:
            raise ValueError("The end date must be on or after the start date.")
        return value


class DraftInput(Body):
    """What to draft: for one of the campaign's trends."""

    trend_id: Id
    strategies: Annotated[list[str], Choices(tuple(STRATEGIES))] = Field(default_factory=list)
    language: Omittable[LanguageName] = Field(
        default=None, description="Default: the campaign's first language."
    )
    platforms: Omittable[Annotated[list[str], Choices(lengths.PLATFORMS, min_items=1)]] = Field(
        default=None, description="Default: the campaign's platforms."
    )
    count: Annotated[int, Whole(1, MAX_CANDIDATES)] = 3


class CampaignQuery(PageQuery):
    """Filters of the campaign list."""

    status: Omittable[CampaignStatusName] = Field(default=None, description="Only campaigns in this status.")
    q: Omittable[Annotated[str, Text(limits.SEARCH_MAX)]] = Field(
        default=None, description="Search in titles and goals."
    )


class CampaignOrganisation(Out):
    """The organisation that owns a campaign."""

    id: int
    slug: str


class Partner(Out):
    """A partner organisation taking part."""

    id: int
    slug: str
    name: str


class Knowledge(Out):
    """A vetted fact the drafter may cite."""

    text: str
    source_url: str
    language: str


class Campaign(Out):
    """A campaign as the API shows it."""

    id: int
    title: str
    goal: str
    audience: str
    status: CampaignStatusName
    mode: ModeName
    organisation: CampaignOrganisation
    strategies: list[str]
    tone_notes: str
    languages: list[str]
    platforms: list[str]
    hashtags: list[str]
    starts_on: date | None
    ends_on: date | None
    trend_ids: list[int]
    partners: list[Partner]
    knowledge: list[Knowledge]
    requires_partner_approval: bool


def serialize_campaign(campaign: CampaignRecord) -> Campaign:
    """A campaign as the API shows it."""
    return Campaign(
        id=campaign.id,
        title=campaign.title,
        goal=campaign.goal or "",
        audience=campaign.audience or "",
        status=str(campaign.status),
        mode=str(campaign.mode),
        organisation=CampaignOrganisation.model_validate(campaign.organisation),
        strategies=list(campaign.strategies or []),
        tone_notes=campaign.tone_notes or "",
        languages=list(campaign.languages or []),
        platforms=list(campaign.platforms or []),
        hashtags=list(campaign.hashtags or []),
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        trend_ids=[t.id for t in campaign.trends],
        partners=[Partner.model_validate(o) for o in campaign.partners],
        knowledge=[Knowledge.model_validate(k) for k in campaign.knowledge],
        requires_partner_approval=campaign.requires_partner_approval,
    )


@endpoint(
    "/campaigns",
    summary="Campaigns the organisation owns or takes part in",
    tag="campaigns",
    query=CampaignQuery,
    responses={200: page_of(Campaign)},
)
def list_campaigns(query: CampaignQuery):
    select_ = campaign_services.search_campaigns(
        current_api_org().id, status=query.status or "", search=(query.q or "").strip()
    )
    return paginated_response(select_, serialize_campaign, query, Campaign)


@endpoint(
    "/campaigns",
    "POST",
    summary="Create a campaign",
    tag="campaigns",
    body=CampaignInput,
    responses={201: Campaign},
)
def create_campaign(body: CampaignInput):
    org = current_api_org()
    data = _campaign_data(body, org)
    try:
        campaign = campaign_services.create_campaign(data, actor=None, organisation=org, via="api")
    except campaign_services.CampaignError as error:
        db.session.rollback()
        raise ValidationProblem({"campaign": str(error)}) from error
    db.session.commit()
    return serialize_campaign(campaign), 201


@endpoint(
    "/campaigns/<int:id>",
    summary="One campaign",
    tag="campaigns",
    responses={200: Campaign, 404: None},
)
def get_campaign(id: int) -> Campaign:
    return serialize_campaign(_visible_campaign(id))


def _visible_campaign(id: int) -> CampaignRecord:
    """The campaign named in the path, if the token's organisation takes part (else 404)."""
    return campaign_for(current_api_org().id, id)


class DraftResult(Out):
    """The drafts made, and whether the offline drafter made them."""

    messages: list[Message]
    is_offline: bool
    notice: str | None


@endpoint(
    "/campaigns/<int:id>/drafts",
    "POST",
    summary="Draft messages for a campaign's trend",
    tag="campaigns",
    body=DraftInput,
    load=_visible_campaign,
    responses={201: DraftResult, 404: None, 502: None, 503: None},
    description="Uses the configured model, or the offline template drafter when none is configured "
    "(`is_offline` says which). Model failures answer 502/503 with a specific `detail`.",
)
def create_drafts(campaign: CampaignRecord, body: DraftInput):
    trend = next((t for t in campaign.trends if t.id == body.trend_id), None)
    if trend is None:
        raise ValidationProblem({"trend_id": "This campaign does not answer that trend."})
    try:
        result = drafting_services.draft_messages(
            campaign,
            trend=trend,
            actor=None,
            strategies=body.strategies,
            language=body.language or (campaign.languages or ["en"])[0],
            platforms=body.platforms or list(campaign.platforms or ["mastodon"]),
            count=body.count,
        )
    except drafting_services.DraftInputError as error:
        db.session.rollback()
        raise ValidationProblem({"strategies": str(error)}) from error
    except DraftingError as error:
        db.session.rollback()
        raise _drafting_problem(error) from error
    db.session.commit()
    return DraftResult(
        messages=[serialize_message(m) for m in result.messages],
        is_offline=result.is_offline,
        notice=result.notice,
    ), 201


def _drafting_problem(error: DraftingError) -> ApiProblem:
    if error.code == "rate_limited":
        headers = {"Retry-After": str(max(1, round(error.retry_after)))} if error.retry_after else None
        return ApiProblem(503, "Model rate limited", error.message, headers=headers)
    if error.code == "refused":
        return ApiProblem(422, "Model refused", error.message)
    return ApiProblem(502, f"Model failure: {error.code}", error.message)


def _campaign_data(body: CampaignInput, org: Organisation) -> CampaignData:
    """The validated body with its trends and partners looked up (unknown ones are 422)."""
    errors: dict[str, str] = {}
    trends = list(
        db.session.scalars(select(Trend).where(Trend.id.in_(body.trend_ids), Trend.organisation_id == org.id))
    )
    if len(trends) != len(set(body.trend_ids)):
        errors["trend_ids"] = "Link only your organisation's trends."
    partners = list(db.session.scalars(select(Organisation).where(Organisation.slug.in_(body.partner_slugs))))
    if len(partners) != len(set(body.partner_slugs)):
        errors["partner_slugs"] = "Unknown organisation."
    if errors:
        raise ValidationProblem(errors)
    fields = body.model_dump(exclude={"trend_ids", "partner_slugs"})
    return CampaignData(**fields, trends=trends, partners=partners)
