"""Demo approval: one calm, human-written message approved by the demo lead, so the publisher has work."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.campaigns import services as campaign_services
from app.campaigns.demo import DEMO_TITLE
from app.campaigns.models import Campaign, CampaignStatus
from app.drafting.models import Message, MessageStatus, VersionSource
from app.drafting.versions import create_message
from app.extensions import db
from app.review import services

DEMO_TEXT = (
    "Our town works because neighbours show up for each other: at the food bank, on the football "
    "pitch, in the classroom. Wherever you started, you belong in that story. #NeighboursFirst"
)


def seed_demo_approval(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Activate the demo campaign and have the demo lead approve one message written by the demo staff."""
    staff, lead = users.get("staff@demo.example"), users.get("lead@demo.example")
    campaign = _demo_campaign(orgs.get("demo-ngo"))
    if campaign is None or staff is None or lead is None or _has_approved(campaign):
        return
    if campaign.status == CampaignStatus.PLANNING:
        campaign_services.change_status(campaign, CampaignStatus.ACTIVE, actor=lead)
    trend = campaign.trends[0] if campaign.trends else None
    message = create_message(
        campaign=campaign,
        trend=trend,
        strategy="alternative",
        language="en",
        text=DEMO_TEXT,
        source=VersionSource.HUMAN,
        author=staff,
    )
    services.submit(message, staff)
    services.approve(message, lead, override_reason="Demo message, reviewed for the walkthrough.")


def _demo_campaign(org: Organisation | None) -> Campaign | None:
    if org is None:
        return None
    return db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == org.id, Campaign.title == DEMO_TITLE)
    )


def _has_approved(campaign: Campaign) -> bool:
    return (
        db.session.scalar(
            select(Message.id).where(
                Message.campaign_id == campaign.id, Message.status == MessageStatus.APPROVED
            )
        )
        is not None
    )
