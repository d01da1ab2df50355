"""Who may see and change a campaign: the owner edits; partners taking part view and draft."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.accounts.access import deny
from app.campaigns.models import Campaign
from app.extensions import db


def campaign_for(organisation_id: int, campaign_id: int) -> Campaign:
    """A campaign the organisation owns or takes part in; anything else is a 404."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not campaign.takes_part(organisation_id):
        abort(404)
    return campaign


def viewable_campaign(campaign_id: int) -> Campaign:
    """A campaign the signed-in person's organisation takes part in, else 404."""
    return campaign_for(current_user.organisation_id, campaign_id)


def editable_campaign(campaign_id: int) -> Campaign:
    """A campaign the signed-in person's organisation owns; partners get 403, others 404."""
    campaign = viewable_campaign(campaign_id)
    if campaign.organisation_id != current_user.organisation_id:
        deny("campaign.not_owner", campaign=campaign.id)
    return campaign


def can_edit(campaign: Campaign) -> bool:
    """Tell templates whether to offer editing controls."""
    return current_user.is_authenticated and campaign.organisation_id == current_user.organisation_id
