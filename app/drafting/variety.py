"""Variety and ranking of a drafting batch: no near-duplicates, and the most usable drafts first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.checks.lengths import find_hashtags, find_urls

SHINGLE_WORDS = 3
# Jaccard similarity of word 3-shingles at or above which two drafts are the same draft. Two
# texts that share a long sentence (a template and its copy with one word changed) score well
# above it; two drafts of the same strategy in different words score well below.
NEAR_DUPLICATE = 0.5
_WORD = re.compile(r"[^\W_]+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[tuple[str, ...]]:
    """Word n-grams of a text, lower-cased, with links and hashtags left out."""
    spans = sorted(find_urls(text) + list(find_hashtags(text)))
    plain, last = [], 0
    for start, end in spans:
        plain.append(text[last:start])
        last = max(last, end)
    plain.append(text[last:])
    words = _WORD.findall(" ".join(plain).casefold())
    if len(words) < size:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + size]) for i in range(len(words) - size + 1))


def similarity(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Jaccard similarity of two shingle sets (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def is_near_duplicate(text: str, others: Iterable[str], threshold: float = NEAR_DUPLICATE) -> bool:
    """True when the text is as good as a copy of one of the others."""
    mine = shingles(text)
    return any(similarity(mine, shingles(other)) >= threshold for other in others)


def distinct(texts: Sequence[str], existing: Iterable[str], threshold: float = NEAR_DUPLICATE) -> list[int]:
    """Indexes of the texts to keep: none near another kept one or an existing message."""
    seen = [shingles(t) for t in existing]
    kept = []
    for index, text in enumerate(texts):
        mine = shingles(text)
        if any(similarity(mine, other) >= threshold for other in seen):
            continue
        seen.append(mine)
        kept.append(index)
    return kept


@dataclass(frozen=True)
class RankKey:
    """What orders a batch: blocking problems last, then warnings, then fit, then readability."""

    errors: int
    warnings: int
    over_length: int
    reading_ease: float

    def sort_key(self) -> tuple[int, int, int, float]:
        """Smaller sorts first."""
        return (1 if self.errors else 0, self.warnings, self.over_length, -self.reading_ease)


def rank(keys: Sequence[RankKey]) -> list[int]:
    """Indexes in ranking order; ties keep the drafter's order."""
    return sorted(range(len(keys)), key=lambda i: (*keys[i].sort_key(), i))
