"""Who sees a campaign, in one place: the owning organisation and the partners taking part.

The rule is a SQL condition, so lists filter in the database; messages and posts reuse it.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, Select, or_, select

from app.campaigns.models import Campaign, campaign_partners
from app.extensions import db


def visible_to(organisation_id: int) -> ColumnElement[bool]:
    """The condition on Campaign: owned by the organisation, or the organisation takes part."""
    partner_of = select(campaign_partners.c.campaign_id).where(
        campaign_partners.c.organisation_id == organisation_id
    )
    return or_(Campaign.organisation_id == organisation_id, Campaign.id.in_(partner_of))


def visible_campaigns(organisation_id: int) -> Select:
    """Campaigns an organisation owns or takes part in."""
    return select(Campaign).where(visible_to(organisation_id))


def takes_part(organisation_id: int, campaign: Campaign | int) -> bool:
    """Whether the organisation sees this campaign."""
    campaign_id = campaign if isinstance(campaign, int) else campaign.id
    query = select(Campaign.id).where(Campaign.id == campaign_id, visible_to(organisation_id))
    return db.session.scalar(query) is not None
