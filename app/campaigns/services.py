"""Campaign operations: create, edit, change status, knowledge list; they flush and audit, never commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, or_
from sqlalchemy.orm import joinedload, selectinload

from app.accounts.models import Organisation, User
from app.audit.services import record
from app.campaigns.models import (
    CAMPAIGN_TRANSITIONS,
    Campaign,
    CampaignMode,
    CampaignStatus,
    KnowledgeItem,
)
from app.campaigns.visibility import visible_campaigns
from app.common.audit_actions import AuditAction
from app.extensions import db
from app.trends.models import Trend

ENDED = frozenset({CampaignStatus.COMPLETED, CampaignStatus.ARCHIVED})


class CampaignError(Exception):
    """A campaign change that cannot be made, with a sentence for people."""


@dataclass
class CampaignData:
    """The editable fields of a campaign, as plain data."""

    title: str
    goal: str = ""
    audience: str = ""
    mode: str = CampaignMode.BROADCAST
    strategies: list[str] = field(default_factory=list)
    tone_notes: str = ""
    languages: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    requires_partner_approval: bool = False
    trends: list[Trend] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)


def search_campaigns(organisation_id: int, *, status: str = "", search: str = "") -> Select:
    """The list page's query: visible campaigns filtered by status and title, newest first."""
    query = visible_campaigns(organisation_id)
    if status in CampaignStatus.__members__.values():
        query = query.where(Campaign.status == status)
    if search:
        like = f"%{search}%"
        query = query.where(or_(Campaign.title.ilike(like), Campaign.goal.ilike(like)))
    return query.options(*LIST_LOADS).order_by(Campaign.updated_at.desc(), Campaign.id.desc())


# What campaign lists (the page and the API) show of each campaign, loaded with the page.
LIST_LOADS = (
    joinedload(Campaign.organisation),
    selectinload(Campaign.partners),
    selectinload(Campaign.trends),
    selectinload(Campaign.knowledge),
)


def create_campaign(
    data: CampaignData, *, actor: User | None, organisation: Organisation | None = None, via: str = "web"
) -> Campaign:
    """Create a campaign owned by the actor's (or the API token's) organisation, in planning."""
    if organisation is None:
        if actor is None:
            raise ValueError("create_campaign needs an actor or an organisation")
        organisation = actor.organisation
    campaign = Campaign(
        organisation_id=organisation.id,
        organisation=organisation,
        created_by=actor,
        status=CampaignStatus.PLANNING,
    )
    _apply(campaign, data, organisation.id)
    db.session.add(campaign)
    db.session.flush()
    record(
        AuditAction.CAMPAIGN_CREATED,
        actor=actor,
        organisation=organisation,
        obj=campaign,
        details={"title": campaign.title, "via": via},
    )
    return campaign


def update_campaign(campaign: Campaign, data: CampaignData, *, actor: User) -> Campaign:
    """Change a campaign's editable fields and audit which ones changed."""
    before = _snapshot(campaign)
    _apply(campaign, data, campaign.organisation_id)
    db.session.flush()
    after = _snapshot(campaign)
    changed = sorted(name for name in after if after[name] != before[name])
    record(
        AuditAction.CAMPAIGN_UPDATED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={"changed": changed},
    )
    return campaign


def change_status(campaign: Campaign, status: CampaignStatus, *, actor: User) -> Campaign:
    """Move a campaign along its status flow (drafting.versions.change_campaign_status also voids approvals)."""
    status = CampaignStatus(status)
    current = CampaignStatus(campaign.status)
    if status not in CAMPAIGN_TRANSITIONS[current]:
        raise CampaignError(
            _("A campaign that is %(current)s cannot become %(status)s.", current=current, status=status)
        )
    campaign.status = status
    db.session.flush()
    record(
        AuditAction.CAMPAIGN_STATUS_CHANGED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={"from": str(current), "to": str(status)},
    )
    return campaign


def add_knowledge(
    campaign: Campaign, *, text: str, source_url: str, language: str, actor: User
) -> KnowledgeItem:
    """Append a vetted fact with its source to the campaign's knowledge list."""
    text = (text or "").strip()
    if not text:
        raise CampaignError(_("Write the fact itself."))
    if not is_http_url(source_url):
        raise CampaignError(_("The source must be a web address starting with http:// or https://."))
    position = max((item.position for item in campaign.knowledge), default=-1) + 1
    item = KnowledgeItem(text=text, source_url=source_url.strip(), language=language, position=position)
    campaign.knowledge.append(item)
    db.session.flush()
    record(
        AuditAction.CAMPAIGN_KNOWLEDGE_ADDED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={"item": item.id, "source_url": item.source_url},
    )
    return item


def remove_knowledge(campaign: Campaign, item: KnowledgeItem, *, actor: User) -> None:
    """Remove a fact from the knowledge list."""
    _own_item(campaign, item)
    campaign.knowledge.remove(item)
    db.session.flush()
    _renumber(campaign)
    record(
        AuditAction.CAMPAIGN_KNOWLEDGE_REMOVED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={"item": item.id, "source_url": item.source_url},
    )


def move_knowledge(campaign: Campaign, item: KnowledgeItem, *, offset: int, actor: User) -> None:
    """Move a fact up (offset -1) or down (+1) the list; the drafter reads it in this order."""
    _own_item(campaign, item)
    items = sorted(campaign.knowledge, key=lambda k: k.position)
    index = items.index(item)
    target = max(0, min(len(items) - 1, index + offset))
    items.insert(target, items.pop(index))
    for position, entry in enumerate(items):
        entry.position = position
    db.session.flush()
    record(
        AuditAction.CAMPAIGN_KNOWLEDGE_MOVED,
        actor=actor,
        organisation=campaign.organisation,
        obj=campaign,
        details={"item": item.id, "position": target},
    )


def is_http_url(value: str | None) -> bool:
    """Tell whether a string is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit((value or "").strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in (value or "").strip()


def _apply(campaign: Campaign, data: CampaignData, organisation_id: int) -> None:
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise CampaignError(_("The end date must be on or after the start date."))
    if any(trend.organisation_id != organisation_id for trend in data.trends):
        raise CampaignError(_("Link only your organisation's trends."))
    campaign.title = data.title.strip()
    campaign.goal = data.goal.strip()
    if data.audience.strip():
        campaign.audience = data.audience.strip()
    campaign.mode = CampaignMode(data.mode)
    campaign.strategies = list(data.strategies)
    campaign.tone_notes = data.tone_notes.strip()
    campaign.languages = list(data.languages)
    campaign.platforms = list(data.platforms)
    campaign.hashtags = [normalise_hashtag(tag) for tag in data.hashtags if normalise_hashtag(tag)]
    campaign.starts_on = data.starts_on
    campaign.ends_on = data.ends_on
    campaign.requires_partner_approval = data.requires_partner_approval
    campaign.trends = list(data.trends)
    campaign.partners = [org for org in data.partners if org.id != organisation_id]


def normalise_hashtag(tag: str) -> str:
    """'#NeighboursFirst' from 'NeighboursFirst' or '#NeighboursFirst'; empty for blanks."""
    tag = tag.strip().lstrip("#").strip()
    return f"#{tag}" if tag else ""


def _snapshot(campaign: Campaign) -> dict:
    return {
        "title": campaign.title,
        "goal": campaign.goal,
        "audience": campaign.audience,
        "mode": str(campaign.mode),
        "strategies": list(campaign.strategies or []),
        "tone_notes": campaign.tone_notes,
        "languages": list(campaign.languages or []),
        "platforms": list(campaign.platforms or []),
        "hashtags": list(campaign.hashtags or []),
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "requires_partner_approval": campaign.requires_partner_approval,
        "trends": sorted(t.id for t in campaign.trends),
        "partners": sorted(o.id for o in campaign.partners),
    }


def _own_item(campaign: Campaign, item: KnowledgeItem) -> None:
    if item.campaign_id != campaign.id:
        raise CampaignError(_("That fact belongs to another campaign."))


def _renumber(campaign: Campaign) -> None:
    for position, entry in enumerate(sorted(campaign.knowledge, key=lambda k: k.position)):
        entry.position = position
