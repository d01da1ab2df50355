"""Fixtures for the drafting engine: a loopback model server and request factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app.drafting.llm import CampaignBrief, DraftRequest, LLMSettings, TrendBrief
from tests.fakes.openai_server import FakeOpenAI

LEXICON = ("[SLUR]", "swarm")
TREND_HASHTAGS = ("#StopTheSwarm",)
FACT = ("Most people who moved here in the last decade are in work.", "https://stats.example.org/work-2024")


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI-compatible server."""
    with FakeOpenAI() as srv:
        yield srv


@pytest.fixture
def settings_for() -> Callable[..., LLMSettings]:
    """Settings pointing at a fake server; fast timeouts and no client retries unless asked."""

    def make(srv: FakeOpenAI, **overrides: Any) -> LLMSettings:
        values: dict[str, Any] = {
            "base_url": srv.base_url,
            "api_key": "test-key",
            "model": "fake-model",
            "timeout": 5.0,
            "max_retries": 0,
        }
        values.update(overrides)
        return LLMSettings(**values)

    return make


@pytest.fixture
def make_request() -> Callable[..., DraftRequest]:
    """A DraftRequest factory with a mild synthetic campaign and trend."""

    def make(
        *,
        severity: int = 2,
        mode: str = "broadcast",
        strategies: tuple[str, ...] = ("facts", "alternative"),
        evidence: tuple[str, ...] = ("People like that [SLUR] are taking over our town. #StopTheSwarm",),
        knowledge: tuple[tuple[str, str], ...] = (FACT,),
        **overrides: Any,
    ) -> DraftRequest:
        campaign = CampaignBrief(
            title="Neighbours first",
            goal="Show that people who moved here are part of the community.",
            audience="Local residents who follow the town's pages",
            tone_notes="Warm, calm, no jargon",
            mode=mode,
            hashtags=("#NeighboursFirst",),
        )
        trend = TrendBrief(
            title="Newcomers blamed for housing shortage",
            summary="Posts claim that people who moved here cause the housing shortage.",
            severity=severity,
            target_groups=("MIGRANTS",),
            narrative_tags=("economics",),
            lexicon=LEXICON,
            hashtags=TREND_HASHTAGS,
        )
        values: dict[str, Any] = {
            "campaign": campaign,
            "trend": trend,
            "strategies": strategies,
            "language": "en",
            "platforms": {"mastodon": 500, "bluesky": 300},
            "count": 2,
            "evidence": evidence,
            "knowledge": knowledge,
        }
        values.update(overrides)
        return DraftRequest(**values)

    return make


def wire_batch(*items: tuple[str, str], language: str = "en") -> dict[str, Any]:
    """A well-formed model answer: (strategy, text) pairs in the wire shape."""
    return {
        "candidates": [
            {
                "strategy": strategy,
                "language": language,
                "text": text,
                "variants": [{"platform": "bluesky", "text": text[:300]}],
                "rationale": "Follows the strategy.",
                "facts_used": [],
            }
            for strategy, text in items
        ]
    }
