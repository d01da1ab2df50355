"""The labelled set (EN and FR): recall floor and no blocking false alarm (the bench prints the table)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("bench_labelled", ROOT / "bench" / "bench_labelled.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_the_set_is_large_and_covers_both_languages_and_clear_counter_speech() -> None:
    items = json.loads(bench.LABELLED.read_text("utf-8"))["items"]
    assert len(items) >= 150
    assert {i["language"] for i in items} == {"en", "fr"}
    assert sum(1 for i in items if not i["codes"]) >= 60  # clear texts, counter-speech among them
    assert len({i["id"] for i in items}) == len(items)


def test_recall_is_at_least_95_percent_with_no_blocking_false_alarm() -> None:
    result = bench.evaluate()
    found, missed = sum(result["tp"].values()), sum(result["fn"].values())
    assert found / (found + missed) >= 0.95, result["missed"]
    assert result["alarms"] == []
    for code in ("tone.hostile", "stereotype.negated_generalisation"):
        assert result["tp"][code] / (result["tp"][code] + result["fn"][code]) >= 0.95, code
