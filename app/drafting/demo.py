"""Demo drafts: two offline drafts for the demo campaign's first trend."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.campaigns.demo import DEMO_TITLE
from app.campaigns.models import Campaign
from app.drafting.models import Message
from app.drafting.offline import OfflineDrafter
from app.drafting.services import draft_messages, strategy_choices
from app.extensions import db


def seed_demo_drafts(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Draft two messages offline for a demo campaign that has none yet."""
    owner, staff = orgs.get("demo-ngo"), users.get("staff@demo.example")
    if owner is None or staff is None:
        return
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == owner.id, Campaign.title == DEMO_TITLE)
    )
    if campaign is None or not campaign.trends or _has_messages(campaign):
        return
    trend = campaign.trends[0]
    choices = strategy_choices(campaign, trend)
    strategies = [key for key in ("facts", "alternative") if key in choices]
    draft_messages(
        campaign,
        trend=trend,
        strategies=strategies or choices[:1],
        language="en",
        platforms=list(campaign.platforms),
        count=2,
        actor=staff,
        drafter=OfflineDrafter(),
    )


def _has_messages(campaign: Campaign) -> bool:
    return (
        db.session.scalar(select(Message.id).where(Message.campaign_id == campaign.id).limit(1)) is not None
    )
