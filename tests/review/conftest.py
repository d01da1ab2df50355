"""Review fixtures: a campaign with a trend, a partner organisation, leads, and message factories."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from app.accounts.models import Organisation, Role, User
from app.campaigns.models import Campaign, CampaignStatus
from app.drafting.models import Message, VersionSource
from app.drafting.versions import create_message, save_version
from app.extensions import db
from app.trends.models import Trend, TrendStatus

# Texts the do-no-harm checks pass: calm, no numbers without sources, no @mentions.
CLEAN_TEXTS = (
    "Our town is stronger when neighbours look out for each other.",
    "Neighbours who moved here help run the food bank and coach the youth teams.",
    "We all want safe streets and good homes. Let us build them together.",
    "Every family on our street deserves a warm home and a fair chance.",
)
LEXICON_TERM = "swarm"
ERROR_TEXT = "They call it a swarm, but these are our neighbours."  # repeats the trend's lexicon
WARNING_TEXT = "Please ask @townhall to listen to every neighbour."  # a handle: a warning


@pytest.fixture
def partner_org(make_org) -> Organisation:
    return make_org("partner-ngo", name="Partner NGO")


@pytest.fixture
def outsider_org(make_org) -> Organisation:
    return make_org("outsider-ngo", name="Outsider NGO")


@pytest.fixture
def lead2(make_user, org) -> User:
    return make_user(Role.LEAD, org=org, email="lead2@home.example", name="Second Lead")


@pytest.fixture
def partner_lead(make_user, partner_org) -> User:
    return make_user(Role.LEAD, org=partner_org, email="lead@partner.example", name="Partner Lead")


@pytest.fixture
def partner_staff(make_user, partner_org) -> User:
    return make_user(Role.STAFF, org=partner_org, email="staff@partner.example", name="Partner Staff")


@pytest.fixture
def outsider_lead(make_user, outsider_org) -> User:
    return make_user(Role.LEAD, org=outsider_org, email="lead@outsider.example", name="Outsider Lead")


@pytest.fixture
def trend(org, lead) -> Trend:
    trend = Trend(
        organisation=org,
        owner=lead,
        title="Newcomers blamed for housing",
        severity=2,
        status=TrendStatus.MONITORING,
        never_repeat_terms=[LEXICON_TERM],
        hashtags=["#StopThem"],
    )
    db.session.add(trend)
    db.session.commit()
    return trend


@pytest.fixture
def campaign(org, lead, partner_org, trend) -> Campaign:
    campaign = Campaign(
        organisation=org,
        created_by=lead,
        title="Neighbours first",
        platforms=["mastodon"],
        languages=["en"],
        status=CampaignStatus.ACTIVE,
        strategies=["alternative", "humor"],
    )
    campaign.partners.append(partner_org)
    campaign.trends.append(trend)
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def make_message(campaign, trend, staff) -> Callable[..., Message]:
    def make(
        text: str = CLEAN_TEXTS[0],
        *,
        author: User | None = None,
        strategy: str = "alternative",
        source: VersionSource = VersionSource.HUMAN,
        language: str = "en",
    ) -> Message:
        message = create_message(
            campaign=campaign,
            trend=trend,
            strategy=strategy,
            language=language,
            text=text,
            source=source,
            author=author or staff,
            provenance={"model": "fake-model"} if source == VersionSource.AI else None,
        )
        db.session.commit()
        return message

    return make


@pytest.fixture
def edit() -> Callable[..., None]:
    def apply(message: Message, text: str, author: User) -> None:
        save_version(message, text=text, variants={}, source=VersionSource.HUMAN, author=author)
        db.session.commit()

    return apply
