"""Synthetic, slur-free demo trends for demo-ngo (invented coded terms, mild excerpts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.common.time import utcnow
from app.extensions import db
from app.trends import services
from app.trends.models import Trend

DEMO_SOURCE = "demo"
DEMO_TRENDS: tuple[dict[str, Any], ...] = (
    {
        "external_id": "demo-gloomtide",
        "title": "“Gloomtide” narrative about newcomers and housing",
        "summary": "Claims that recent arrivals are the reason rents rise, spread with the invented code word "
        "“gloomtide”.",
        "narrative_tags": ["economics", "housing"],
        "target_groups": ["MIGRANTS"],
        "platforms": ["x", "telegram"],
        "languages": ["en"],
        "regions": ["GB", "IE"],
        "keywords": ["gloomtide"],
        "hashtags": ["#GloomtideRising"],
        "coded_terms": ["gloomtide"],
        "never_repeat_terms": ["[SLUR]"],
        "severity": 2,
        "status": "monitoring",
        "rabat": {
            "context": {"score": 1, "note": "Housing debate before local elections."},
            "extent": {"score": 1, "note": "A few thousand shares a day."},
        },
        "hallmarks": ["accusation_in_a_mirror"],
        "trigger_event": "A council report on rent levels.",
        "recommended_action": "counter",
        "base": 40,
        "slope": 4,
        "evidence": (
            "Everyone knows the gloomtide pushes the rest of us out of our flats.",
            "Another week, another gloomtide story about our street.",
        ),
    },
    {
        "external_id": "demo-marees-grises",
        "title": "« Marées grises » : rumeurs sur les aides sociales",
        "summary": "Affirmations selon lesquelles un groupe recevrait des aides cachées, diffusées avec le terme "
        "inventé « marées grises ».",
        "narrative_tags": ["économie"],
        "target_groups": ["MIGRANTS", "MUSLIMS"],
        "platforms": ["facebook", "telegram"],
        "languages": ["fr"],
        "regions": ["FR", "BE"],
        "keywords": ["marées grises"],
        "hashtags": ["#MaréesGrises"],
        "coded_terms": ["marées grises"],
        "never_repeat_terms": ["[SLUR]"],
        "severity": 3,
        "status": "responding",
        "rabat": {"intent": {"score": 1, "note": "Messages coordonnés par quelques comptes."}},
        "hallmarks": ["threat_to_group_purity"],
        "trigger_event": "Publication d'un budget municipal.",
        "recommended_action": "counter",
        "base": 25,
        "slope": 2,
        "evidence": (
            "Les marées grises touchent tout, et nous, rien.",
            "Encore une histoire de marées grises dans notre quartier.",
        ),
    },
    {
        "external_id": "demo-hollowmark",
        "title": "“Hollowmark” calls against a community centre",
        "summary": "Posts using the invented term “hollowmark” urge people to gather outside a community "
        "centre on a named date.",
        "narrative_tags": ["threat"],
        "target_groups": ["MUSLIMS"],
        "platforms": ["telegram"],
        "languages": ["en"],
        "regions": ["GB"],
        "keywords": ["hollowmark"],
        "hashtags": ["#Hollowmark"],
        "coded_terms": ["hollowmark"],
        "never_repeat_terms": ["[SLUR]"],
        "severity": 4,
        "status": "escalated",
        "rabat": {factor: {"score": 2, "note": ""} for factor in ("context", "intent", "likelihood")},
        "hallmarks": ["dehumanisation", "threat_to_group_purity"],
        "trigger_event": "A planned open day at the centre.",
        "recommended_action": "report_only",
        "base": 10,
        "slope": 6,
        "evidence": (
            "Be there on Saturday, bring the hollowmark spirit.",
            "The hollowmark crowd will show them who this town belongs to.",
        ),
    },
    {
        "external_id": "demo-quiet-door",
        "title": "“Quiet door” jokes about disabled workers",
        "summary": "Mocking posts suggesting disabled colleagues are a burden, tagged with the invented phrase "
        "“quiet door”.",
        "narrative_tags": ["work"],
        "target_groups": ["DISABLED"],
        "platforms": ["x", "mastodon"],
        "languages": ["en"],
        "regions": ["IE"],
        "keywords": ["quiet door"],
        "hashtags": ["#QuietDoor"],
        "coded_terms": ["quiet door"],
        "never_repeat_terms": ["[SLUR]"],
        "severity": 2,
        "status": "new",
        "rabat": {},
        "hallmarks": [],
        "trigger_event": "",
        "recommended_action": "alternative",
        "base": 30,
        "slope": -1,
        "evidence": (
            "Office life would be faster without the quiet door crowd.",
            "Another quiet door meme about the new colleague went round today.",
        ),
    },
)


def seed_demo_trends(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Create the demo trends once, with 14 days of counts and a few mild evidence posts."""
    org = orgs.get("demo-ngo")
    if org is None:
        return
    owner = users.get("staff@demo.example")
    today = utcnow().date()
    for spec in DEMO_TRENDS:
        exists = db.session.scalar(
            select(Trend.id).where(
                Trend.organisation_id == org.id,
                Trend.source == DEMO_SOURCE,
                Trend.external_id == spec["external_id"],
            )
        )
        if exists:
            continue
        fields = {k: v for k, v in spec.items() if k not in ("base", "slope", "evidence")}
        trend = services.create_trend(
            org, {**fields, "source": DEMO_SOURCE}, actor=None, via="demo", owner=owner
        )
        counts = [
            (today - timedelta(days=13 - i), max(0, spec["base"] + spec["slope"] * i + (i % 3) * 2))
            for i in range(14)
        ]
        for day, count in counts:
            services.set_observation(trend, day, count, DEMO_SOURCE)
        for n, excerpt in enumerate(spec["evidence"]):
            captured = datetime.combine(today - timedelta(days=n * 3), datetime.min.time(), tzinfo=UTC)
            services.upsert_evidence(
                trend,
                services.EvidenceInput(
                    excerpt=excerpt,
                    url=f"https://social.example/{spec['external_id']}/{n + 1}",
                    platform=spec["platforms"][0],
                    captured_at=captured,
                    author_kind="individual",
                    engagement=20 * (n + 1),
                    language=spec["languages"][0],
                    region=spec["regions"][0],
                ),
            )
    db.session.flush()
