"""The drafting pipeline's own cost per request, model time excluded (run with -s to see the figures)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from app.drafting import services
from app.drafting.llm import draft_prompts
from app.drafting.offline import OfflineDrafter
from app.drafting.schemas import DraftBatch
from app.extensions import db
from tests.campaigns.factories import make_campaign, make_trend

ROUNDS = 30
TEXT = (
    "Neighbours who moved here help run the food bank and coach the youth teams. "
    "Most of them are in work (https://stats.example.org/work-2024). #NeighboursFirst"
)


def per_call_ms(action: Callable[[], object], rounds: int = ROUNDS) -> float:
    action()  # warm caches the way a running server has them warm
    started = time.perf_counter()
    for _ in range(rounds):
        action()
    return (time.perf_counter() - started) * 1000 / rounds


def test_pipeline_overhead_per_request(app, org, staff):
    evidence = tuple(f"Example post number {n} about rents and newcomers in our town." for n in range(50))
    trend = make_trend(org, evidence=evidence, keywords=[f"term{n}" for n in range(200)])
    campaign = make_campaign(org, staff, trends=[trend], platforms=["x", "mastodon", "bluesky"])
    choices = {
        "strategies": ["facts", "alternative"],
        "language": "en",
        "platforms": ["x", "mastodon", "bluesky"],
        "count": 3,
    }
    request = services.build_draft_request(campaign, trend, **choices)
    reply = json.dumps(
        {
            "candidates": [
                {
                    "strategy": "alternative",
                    "language": "en",
                    "text": TEXT,
                    "variants": [{"platform": "x", "text": TEXT[:270]}],
                    "rationale": "r",
                    "facts_used": [],
                }
            ]
            * 3
        }
    )
    outcome = OfflineDrafter().draft(request)

    def store() -> None:
        services.store_candidates(campaign, trend, outcome, actor=staff)
        db.session.flush()

    figures = {
        "build request (evidence + knowledge queries)": per_call_ms(
            lambda: services.build_draft_request(campaign, trend, **choices)
        ),
        "render prompts": per_call_ms(lambda: draft_prompts(request)),
        "validate a 3-candidate answer": per_call_ms(lambda: DraftBatch.model_validate(json.loads(reply))),
        "checks + DB writes for 3 messages x 3 platforms": per_call_ms(store, rounds=10),
        "whole request, offline drafter": per_call_ms(
            lambda: services.draft_messages(
                campaign, trend=trend, actor=staff, drafter=OfflineDrafter(), **choices
            ),
            rounds=10,
        ),
    }
    db.session.rollback()
    for name, value in figures.items():
        print(f"{name:52s} {value:8.2f} ms")
    assert figures["whole request, offline drafter"] < 500  # generous: a slow CI machine must still pass
