"""The strategy table and the severity gate."""

from __future__ import annotations

import pytest

from app.campaigns.strategies import STRATEGIES, allowed_strategies

ALL_KEYS = [
    "facts",
    "question",
    "hypocrisy",
    "empathy_affiliation",
    "denouncing",
    "consequences",
    "humor",
    "alternative",
]


def test_the_eight_strategies_of_the_domain_notes():
    assert list(STRATEGIES) == ALL_KEYS
    assert all(s.label and s.guidance for s in STRATEGIES.values())


def test_only_humor_needs_reviewer_acknowledgement():
    assert [k for k, s in STRATEGIES.items() if s.needs_ack] == ["humor"]


@pytest.mark.parametrize("severity", [1, 2, 3])
def test_replies_may_use_every_strategy_below_the_highest_severity(severity):
    assert allowed_strategies(severity, "reply") == ALL_KEYS


@pytest.mark.parametrize("severity", [1, 2, 3])
def test_broadcast_leaves_out_strategies_that_point_at_a_specific_post(severity):
    allowed = allowed_strategies(severity, "broadcast")
    assert "alternative" in allowed and "empathy_affiliation" in allowed
    assert "denouncing" not in allowed and "hypocrisy" not in allowed


def test_highest_severity_offers_only_the_alternative_narrative_and_no_replies():
    assert allowed_strategies(4, "broadcast") == ["alternative"]
    assert allowed_strategies(4, "reply") == []


@pytest.mark.parametrize(("severity", "mode"), [(0, "broadcast"), (5, "reply"), (2, "thread")])
def test_out_of_range_inputs_are_rejected(severity, mode):
    with pytest.raises(ValueError):
        allowed_strategies(severity, mode)
