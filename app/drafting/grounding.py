"""Grounding: pick the knowledge facts that fit a trend, and tie a draft to the facts it cites."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from app.checks.lengths import find_urls

if TYPE_CHECKING:
    from app.drafting.llm import KnowledgeItem, TrendBrief

# The prompt stays short and focused: the best few facts, never the whole list.
MAX_FACTS = 5
SOURCE_LABEL = "Source"
_TOKEN = re.compile(r"[^\W_]+")


def _tokens(text: str) -> list[str]:
    """Lower-case word tokens; a crude prefix stem lets 'housing' meet 'house' and 'logements' 'logement'."""
    return [t[:6] for t in _TOKEN.findall(text.casefold()) if len(t) > 2 or t.isdigit()]


def trend_query(trend: TrendBrief) -> list[str]:
    """What a fact should be about: the trend's title, summary, narrative tags, targets and keywords."""
    parts: list[str] = [trend.title, trend.summary]
    parts += [tag.replace("_", " ") for tag in trend.narrative_tags]
    parts += [group.replace("_", " ") for group in trend.target_groups]
    parts += list(trend.lexicon) + [tag.lstrip("#") for tag in trend.hashtags]
    return _tokens(" ".join(parts))


def select_facts(
    knowledge: Iterable[KnowledgeItem], *, trend: TrendBrief, language: str, limit: int = MAX_FACTS
) -> tuple[KnowledgeItem, ...]:
    """The facts that best fit the trend (BM25+ ranking), in the draft's language when one is set.

    Facts in another language are left out unless none is in the draft's language. Facts that
    share no word with the trend come last but still fill the list when nothing fits better, so a
    campaign's only fact is never hidden. Ties keep the campaign's own order.
    """
    facts = list(knowledge)
    same = [f for f in facts if not f.language or f.language.split("-")[0] == language.split("-")[0]]
    facts = same or facts
    if len(facts) <= 1:
        return tuple(facts)
    # Imported here, not for a cycle: rank_bm25 brings numpy (about 11 MB resident), which the worker
    # and most web requests never need (issue 15: the worker's peak memory).
    from rank_bm25 import BM25Plus

    corpus = [_tokens(f.text) or ["_"] for f in facts]
    scores = BM25Plus(corpus).get_scores(trend_query(trend))
    order = sorted(range(len(facts)), key=lambda i: (-round(float(scores[i]), 9), i))
    return tuple(facts[i] for i in order[:limit])


def attach_sources(text: str, cited: list[KnowledgeItem], all_facts: Iterable[KnowledgeItem]) -> str:
    """Keep only links that are a fact's own source; add each cited fact's source the model left out.

    The model cites facts by id; the link comes from the fact, never from the model's typing.
    """
    allowed = {f.source_url for f in all_facts}
    kept = _strip_links(text, allowed)
    missing = [f.source_url for f in cited if f.source_url not in kept]
    if not missing:
        return kept
    lines = "\n".join(f"{SOURCE_LABEL}: {url}" for url in dict.fromkeys(missing))
    body, tags = _split_hashtag_line(kept)
    return f"{body}\n{lines}" + (f"\n\n{tags}" if tags else "")


def _strip_links(text: str, allowed: set[str]) -> str:
    """Remove every link that is not a known fact's source, tidying what the removal leaves."""
    out, last = [], 0
    for start, end in find_urls(text):
        if text[start:end] in allowed:
            continue
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    cleaned = "".join(out)
    cleaned = re.sub(r"\(\s*\)|\[\s*\]", "", cleaned)
    cleaned = re.sub(r"[ \t]+([.,;:!?)])", r"\1", cleaned)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip()


def _split_hashtag_line(text: str) -> tuple[str, str]:
    """Split off a last paragraph made only of hashtags, so sources go before it."""
    body, sep, last = text.rpartition("\n\n")
    if sep and last.strip() and all(word.startswith("#") for word in last.split()):
        return body.rstrip(), last.strip()
    return text.rstrip(), ""
