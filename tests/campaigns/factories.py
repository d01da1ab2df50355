"""Factories shared by the campaign and drafting-flow tests: trends with evidence, campaigns, tokens."""

from __future__ import annotations

from typing import Any

from app.accounts.models import Organisation, User
from app.api import tokens
from app.campaigns.models import Campaign, KnowledgeItem
from app.extensions import db
from app.trends.models import Evidence, Trend, TrendStatus

LEXICON_TERM = "swarm"
TREND_HASHTAG = "#StopTheSwarm"
EVIDENCE_TEXT = "They are a swarm taking our homes, share this everywhere #StopTheSwarm"
FACT = ("Most people who moved here in the last decade are in work.", "https://stats.example.org/work-2024")


def make_trend(
    org: Organisation,
    *,
    title: str = "Newcomers blamed for housing",
    severity: int = 2,
    evidence: tuple[str, ...] = (EVIDENCE_TEXT,),
    **fields: Any,
) -> Trend:
    """A mild synthetic trend with a lexicon term, a hashtag and evidence posts."""
    trend = Trend(
        organisation=org,
        title=title,
        severity=severity,
        status=TrendStatus.MONITORING,
        summary="Posts blame people who moved here for the housing shortage.",
        target_groups=["MIGRANTS"],
        never_repeat_terms=[LEXICON_TERM],
        hashtags=[TREND_HASHTAG],
        **fields,
    )
    db.session.add(trend)
    db.session.flush()
    for number, text in enumerate(evidence):
        db.session.add(
            Evidence(
                trend=trend,
                excerpt=text,
                url=f"https://social.example/p/{number}",
                author_handle=f"@poster{number}",
                platform="mastodon",
                dedupe_key=f"k{number}",
            )
        )
    db.session.commit()
    return trend


def make_campaign(
    org: Organisation,
    author: User | None = None,
    *,
    trends: list[Trend] | None = None,
    partners: list[Organisation] | None = None,
    platforms: list[str] | None = None,
    knowledge: tuple[tuple[str, str], ...] = (FACT,),
    **fields: Any,
) -> Campaign:
    """A campaign owned by org, answering the given trends."""
    campaign = Campaign(
        organisation=org,
        created_by=author,
        title=fields.pop("title", "Neighbours first"),
        goal="Show that newcomers are neighbours.",
        platforms=platforms or ["mastodon", "bluesky"],
        languages=["en", "fr"],
        strategies=fields.pop("strategies", []),
        hashtags=["#NeighboursFirst"],
        **fields,
    )
    campaign.trends = list(trends or [])
    campaign.partners = list(partners or [])
    for position, (text, url) in enumerate(knowledge):
        campaign.knowledge.append(KnowledgeItem(text=text, source_url=url, position=position))
    db.session.add(campaign)
    db.session.commit()
    return campaign


def make_token(org: Organisation) -> dict[str, str]:
    """Authorization headers for a fresh API token of org."""
    _, clear = tokens.create_token(org, "tests", actor=None)
    db.session.commit()
    return {"Authorization": f"Bearer {clear}"}
