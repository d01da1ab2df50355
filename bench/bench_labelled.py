"""Precision and recall of the do-no-harm checks per code on the labelled set (EN and FR).

Run from the repository root: python bench/bench_labelled.py
The set is tests/fixtures/labelled_checks.json: synthetic, mild texts written for this project.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.checks import ERROR, run_checks  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "labelled_checks.json"


def evaluate() -> dict:
    """Per-code true/false positives and false negatives, and blocking false alarms."""
    items = json.loads(LABELLED.read_text("utf-8"))["items"]
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    missed, alarms = [], []
    for item in items:
        report = run_checks(item["text"], language=item["language"])
        found = {f.code for f in report.findings if f.code != "readability.hard"}
        expected = set(item["codes"])
        for code in found & expected:
            tp[code] += 1
        for code in found - expected:
            fp[code] += 1
        for code in expected - found:
            fn[code] += 1
            missed.append((item["id"], code))
        blocking = {f.code for f in report.findings if f.severity == ERROR}
        if blocking - expected:
            alarms.append((item["id"], sorted(blocking - expected)))
    return {"items": len(items), "tp": tp, "fp": fp, "fn": fn, "missed": missed, "alarms": alarms}


def main() -> int:
    """Print the table; exit 1 when overall recall is under 95% or a blocking false alarm appears."""
    result = evaluate()
    tp, fp, fn = result["tp"], result["fp"], result["fn"]
    print(f"{result['items']} labelled texts")
    print(f"{'code':40} {'precision':>9} {'recall':>7} {'tp':>4} {'fp':>4} {'fn':>4}")
    for code in sorted(set(tp) | set(fp) | set(fn)):
        precision = tp[code] / ((tp[code] + fp[code]) or 1)
        recall = tp[code] / ((tp[code] + fn[code]) or 1)
        print(f"{code:40} {precision:9.1%} {recall:7.1%} {tp[code]:4} {fp[code]:4} {fn[code]:4}")
    total_tp, total_fn = sum(tp.values()), sum(fn.values())
    recall = total_tp / ((total_tp + total_fn) or 1)
    print(f"overall recall {recall:.1%}; blocking false alarms: {len(result['alarms'])}")
    for item_id, code in result["missed"]:
        print(f"  missed {code} in {item_id}")
    for item_id, codes in result["alarms"]:
        print(f"  false alarm {codes} in {item_id}")
    return 0 if recall >= 0.95 and not result["alarms"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
