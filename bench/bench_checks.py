"""Time run_checks on a 280-character post against a large synthetic trend.

Run from the repository root: python bench/bench_checks.py [--runs 2000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.checks import TrendContext, prepare_trend, run_checks  # noqa: E402

_SYLLABLES = ("glo", "mar", "tid", "ven", "sor", "lum", "bre", "kas", "dun", "fel", "rin", "pow")
_WORDS = [
    "neighbours",
    "town",
    "people",
    "work",
    "help",
    "families",
    "street",
    "school",
    "market",
    "volunteers",
    "city",
    "night",
    "the",
    "and",
    "of",
    "to",
    "in",
    "on",
    "with",
    "for",
    "a",
    "is",
    "are",
    "was",
    "were",
    "our",
    "their",
    "every",
    "many",
    "some",
    "new",
    "old",
    "rumour",
    "claim",
    "post",
    "jobs",
    "money",
    "crime",
    "safety",
    "kids",
    "future",
    "change",
    "fear",
    "truth",
    "voices",
]


def synthetic_trend(seed: int = 7, *, evidence: int = 50, terms: int = 200) -> TrendContext:
    """A trend with `terms` invented lexicon words and `evidence` posts of about 200 characters."""
    rng = random.Random(seed)
    lexicon = tuple("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(terms))
    posts = []
    for _ in range(evidence):
        words: list[str] = []
        while len(" ".join(words)) < 200:
            words.append(rng.choice(lexicon) if rng.random() < 0.1 else rng.choice(_WORDS))
        posts.append(" ".join(words)[:200])
    return TrendContext(
        lexicon_terms=lexicon,
        hashtags=("#InventedHateTag", "#StopTheDrift"),
        evidence_texts=tuple(posts),
        evidence_urls=tuple(f"https://social.example/@poster{i}/{1000 + i}" for i in range(evidence)),
        evidence_handles=tuple(f"@poster{i}@social.example" for i in range(evidence)),
        sources=("https://data.example.org/migration-2024",),
    )


POST = (
    "Every Saturday, neighbours of all backgrounds run the repair café on Elm Street. "
    "They fix bikes, lamps and radios, and share tea. In our region 3 in 4 newcomers work "
    "within two years: https://data.example.org/migration-2024 Come and say hello! "
    "Everyone is welcome. #BetterTogether"
)


def main() -> None:
    """Measure and print checks per second and the median time per text."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2000)
    args = parser.parse_args()
    text = POST
    assert len(text) == 280, len(text)
    trend = synthetic_trend()
    prepared = prepare_trend(trend)
    for _ in range(200):
        run_checks(text, platform="x", trend=trend)
    # Vary one character per run so per-text caches cannot hide the real work.
    texts = [f"{text[:-2]}{chr(0x41 + i % 26)}{i % 10}" for i in range(args.runs)]
    timings = []
    for variant in texts:
        start = time.perf_counter()
        run_checks(variant, platform="x", trend=trend)
        timings.append(time.perf_counter() - start)
    median_ms = statistics.median(timings) * 1000
    p95_ms = sorted(timings)[int(len(timings) * 0.95)] * 1000
    report = run_checks(text, platform="x", trend=prepared)
    print(f"text: {len(text)} characters, X weighted length {report.length.count}")
    print(f"trend: {len(trend.evidence_texts)} evidence posts, {len(trend.lexicon_terms)} lexicon terms")
    print(f"runs: {args.runs}; median {median_ms:.3f} ms per text; p95 {p95_ms:.3f} ms")
    print(f"throughput: {1000 / median_ms:,.0f} checks per second (one core)")
    print("target: under 2 ms per text:", "met" if median_ms < 2 else "NOT met")


if __name__ == "__main__":
    main()
