"""Variety and ranking: word-shingle near-duplicates, and the order a batch is shown in."""

from __future__ import annotations

from app.drafting.variety import RankKey, distinct, is_near_duplicate, rank

BASE = "Good neighbours look out for each other. That is what holds a town together."


def test_a_copy_with_small_changes_links_or_hashtags_is_a_near_duplicate():
    assert is_near_duplicate(BASE + " #NeighboursFirst", [BASE])
    assert is_near_duplicate(
        "Good neighbours look out for each other! That is what holds our town together.", [BASE]
    )
    assert is_near_duplicate(BASE + " https://example.org/a", [BASE + " https://example.org/b"])


def test_the_same_strategy_in_other_words_is_not():
    other = "A town stays strong when people help each other with the small things, every day."
    assert not is_near_duplicate(other, [BASE])
    assert not is_near_duplicate("Hello.", [BASE])


def test_distinct_keeps_the_first_of_each_near_copy_and_skips_existing_messages():
    texts = [BASE, BASE.upper(), "Rumours travel fast; check the source first.", BASE + " Really."]
    assert distinct(texts, existing=[]) == [0, 2]
    assert distinct(texts, existing=[BASE]) == [2]


def test_ranking_puts_errors_last_then_fewer_warnings_then_fit_then_readability():
    keys = [
        RankKey(errors=1, warnings=0, over_length=0, reading_ease=90),
        RankKey(errors=0, warnings=2, over_length=0, reading_ease=90),
        RankKey(errors=0, warnings=0, over_length=1, reading_ease=90),
        RankKey(errors=0, warnings=0, over_length=0, reading_ease=40),
        RankKey(errors=0, warnings=0, over_length=0, reading_ease=80),
    ]
    assert rank(keys) == [4, 3, 2, 1, 0]
