"""Demo campaign: demo-ngo with partner-ngo taking part, and three vetted facts."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.campaigns import services
from app.campaigns.models import Campaign, CampaignMode
from app.extensions import db
from app.trends.demo import DEMO_TRENDS
from app.trends.models import Trend

DEMO_TITLE = "Neighbours, not numbers"
DEMO_KNOWLEDGE = (
    (
        "Most people who moved to the region in the last decade are in work or in training.",
        "https://stats.example.org/employment-2024",
    ),
    (
        "Local volunteering rates are the same among newcomers and long-time residents.",
        "https://stats.example.org/volunteering-survey",
    ),
    (
        "Housing shortages in the region are driven mainly by construction delays, according to the "
        "regional planning office.",
        "https://planning.example.org/housing-report",
    ),
)


def seed_demo_campaign(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Create the demo campaign once; link the demo trends when the trends seeder made them."""
    owner, partner = orgs.get("demo-ngo"), orgs.get("partner-ngo")
    staff = users.get("staff@demo.example")
    if owner is None or staff is None:
        return
    exists = db.session.scalar(
        select(Campaign).where(Campaign.organisation_id == owner.id, Campaign.title == DEMO_TITLE)
    )
    if exists is not None:
        return
    trends = _demo_trends(owner)
    campaign = services.create_campaign(
        services.CampaignData(
            title=DEMO_TITLE,
            goal="Show the movable middle that people who moved here are neighbours who work, volunteer and build "
            "the town with everyone else.",
            mode=CampaignMode.BROADCAST,
            strategies=[],
            tone_notes="Warm, calm and concrete. No jargon, no sarcasm.",
            languages=["en", "fr"],
            platforms=["mastodon", "bluesky"],
            hashtags=["#NeighboursFirst"],
            trends=trends,
            partners=[partner] if partner else [],
        ),
        actor=staff,
    )
    for text, url in DEMO_KNOWLEDGE:
        services.add_knowledge(campaign, text=text, source_url=url, language="en", actor=staff)


def _demo_trends(owner: Organisation) -> list[Trend]:
    """The demo organisation's seeded trends (the trends seeder runs first), severity gate aside."""
    titles = [entry["title"] for entry in DEMO_TRENDS]
    query = select(Trend).where(Trend.organisation_id == owner.id, Trend.title.in_(titles)).order_by(Trend.id)
    return list(db.session.scalars(query))
