"""Checks against a trend with 50, 500 and 2,000 evidence posts: time per text must grow at most linearly.

Run: `make bench` (or `PYTHONPATH=. .venv/bin/python bench/bench_evidence.py`). Each evidence post has
an author handle, a link and a 30-word excerpt; the text checked is a 280-character post that names
one handle. The trend is prepared once (as the app caches it per trend); the table shows the
preparation and the time per checked text.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.checks import TrendContext, prepare_trend, run_checks  # noqa: E402

SIZES, RUNS = (50, 500, 2000), 300
WORDS = [
    "people",
    "town",
    "street",
    "market",
    "school",
    "night",
    "rumour",
    "claim",
    "jobs",
    "money",
    "safety",
    "kids",
    "family",
    "work",
    "help",
]


def context(size: int) -> TrendContext:
    texts = tuple(
        " ".join(WORDS[(i * 7 + k) % len(WORDS)] + str(i % 13) for k in range(30)) for i in range(size)
    )
    return TrendContext(
        lexicon_terms=("invaders", "parasites"),
        hashtags=("#StopTheInvasion",),
        evidence_texts=texts,
        evidence_urls=tuple(f"https://social.example/@poster{i}/{1000 + i}" for i in range(size)),
        evidence_handles=tuple(f"poster{i}@social.example" for i in range(size)),
    )


TEXT = (
    "Neighbours on our street rebuilt the library together after the flood, and @poster7 saw it too. "
    "That is who we are: most people here want safe streets and good schools for every child. "
    "Read the figures at https://example.org/study #BetterTogether"
)


def main() -> None:
    print("| evidence posts | prepare (once per trend) | per text, median | per text, p95 |")
    print("|---|---|---|---|")
    medians = {}
    for size in SIZES:
        ctx = context(size)
        started = time.perf_counter()
        prepared = prepare_trend(ctx)
        prepare_ms = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            run_checks(TEXT, platform="mastodon", language="en", trend=prepared)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        medians[size] = statistics.median(times)
        print(
            f"| {size:,} | {prepare_ms:.1f} ms | {medians[size]:.3f} ms | {times[int(0.95 * len(times))]:.3f} ms |"
        )
    growth = medians[SIZES[-1]] / medians[SIZES[0]]
    allowed = SIZES[-1] / SIZES[0]
    print(
        f"per-text time grew {growth:.2f}x for {allowed:.0f}x the evidence (at most linear: {growth <= allowed})"
    )
    if growth > allowed:
        raise SystemExit("checks grow faster than the evidence")


if __name__ == "__main__":
    main()
