"""Measure the drafting pipeline's own overhead, excluding model time.

Run: PYTHONPATH=. .venv/bin/python bench/bench_drafting.py [iterations]
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable

from app.drafting.llm import (
    CampaignBrief,
    DraftRequest,
    LLMSettings,
    OpenAIDrafter,
    TrendBrief,
    draft_prompts,
)
from app.drafting.offline import OfflineDrafter
from app.drafting.schemas import DraftBatch
from tests.fakes.openai_server import FakeOpenAI, Reply


def _request() -> DraftRequest:
    """A realistic request: 5 evidence posts of 500+ characters, 4 facts, 3 platforms."""
    return DraftRequest(
        campaign=CampaignBrief(
            title="Neighbours first",
            goal="Show that people who moved here are part of the community. " * 3,
            audience="Local residents",
            tone_notes="Warm, calm",
            hashtags=("#NeighboursFirst", "#BetterTogether"),
        ),
        trend=TrendBrief(
            title="Newcomers blamed for housing shortage",
            summary="Posts claim that people who moved here cause the housing shortage. " * 4,
            severity=2,
            target_groups=("MIGRANTS",),
            narrative_tags=("economics", "housing"),
            lexicon=("[SLUR]", "swarm", "[CODED]"),
            hashtags=("#StopTheSwarm",),
        ),
        strategies=("facts", "empathy_affiliation", "alternative"),
        platforms={"mastodon": 500, "bluesky": 300, "x": 280},
        count=5,
        evidence=tuple(f"Evidence post {i}: " + "some synthetic text \u200b " * 40 for i in range(5)),
        knowledge=tuple(
            (f"Vetted fact number {i} about work and housing.", f"https://stats.example.org/{i}")
            for i in range(4)
        ),
    )


def _answer() -> str:
    """A 5-candidate answer in the wire shape."""
    text = "Good neighbours look out for each other. " * 6
    return json.dumps(
        {
            "candidates": [
                {
                    "strategy": "alternative",
                    "language": "en",
                    "text": text,
                    "variants": [{"platform": "bluesky", "text": text[:290]}],
                    "rationale": "Shared values.",
                    "facts_used": [],
                }
                for _ in range(5)
            ]
        }
    )


def _time(label: str, fn: Callable[[], object], iterations: int) -> None:
    fn()  # warm caches (template compilation, schema building)
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1e6)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label:<48} mean {statistics.mean(samples):8.1f} µs   p95 {p95:8.1f} µs")


def main(iterations: int = 2000) -> None:
    """Print per-request timings for each pipeline stage."""
    req = _request()
    answer = _answer()
    print(f"{iterations} iterations per line")
    _time("render system + draft prompts", lambda: draft_prompts(req), iterations)
    _time("parse + validate 5-candidate answer", lambda: DraftBatch.model_validate_json(answer), iterations)
    _time(
        "render + validate (pipeline overhead)",
        lambda: (draft_prompts(req), DraftBatch.model_validate_json(answer)),
        iterations,
    )
    _time("offline drafter, 5 candidates", lambda: OfflineDrafter().draft(req), iterations)
    with FakeOpenAI() as srv:
        srv.fallback = Reply.text(answer)
        drafter = OpenAIDrafter(LLMSettings(base_url=srv.base_url, api_key="k", model="fake-model"))
        _time(
            "full draft() via loopback fake (no model time)",
            lambda: drafter.draft(req),
            max(50, iterations // 20),
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
