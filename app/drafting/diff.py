"""Text as segments for templates: word-level diffs and findings highlighted in place (escaped by Jinja)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

_TOKEN_RE = re.compile(r"\S+\s*|\s+")  # a word with the spaces after it
SEVERITY_RANK = {"error": 2, "warning": 1}


@dataclass(frozen=True)
class DiffPart:
    """One run of a diff: 'equal', 'insert' or 'delete', with its text."""

    op: str
    text: str


def word_diff(old: str, new: str) -> list[DiffPart]:
    """Compare two texts word by word (whitespace kept) and return the runs in reading order."""
    a, b = _TOKEN_RE.findall(old or ""), _TOKEN_RE.findall(new or "")
    parts: list[DiffPart] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(parts, "equal", "".join(a[i1:i2]))
            continue
        if tag in ("delete", "replace"):
            _append(parts, "delete", "".join(a[i1:i2]))
        if tag in ("insert", "replace"):
            _append(parts, "insert", "".join(b[j1:j2]))
    return parts


def diff_stats(parts: Iterable[DiffPart]) -> dict[str, int]:
    """Words inserted and deleted: a rough edit distance people can read."""
    stats = {"insert": 0, "delete": 0}
    for part in parts:
        if part.op in stats:
            stats[part.op] += len(part.text.split())
    return stats


def _append(parts: list[DiffPart], op: str, text: str) -> None:
    if not text:
        return
    if parts and parts[-1].op == op:
        parts[-1] = DiffPart(op, parts[-1].text + text)
    else:
        parts.append(DiffPart(op, text))


@dataclass(frozen=True)
class Segment:
    """A run of text and the findings that cover it (empty when clean)."""

    text: str
    findings: tuple[Mapping[str, Any], ...] = field(default=())

    @property
    def severity(self) -> str | None:
        """The most serious severity among the covering findings."""
        if not self.findings:
            return None
        return max(
            (f.get("severity", "warning") for f in self.findings), key=lambda s: SEVERITY_RANK.get(s, 0)
        )


def highlight(text: str, findings: Iterable[Mapping[str, Any]]) -> list[Segment]:
    """Split a text at every finding boundary so each run knows which findings cover it."""
    spans = [f for f in findings if _valid_span(f, len(text))]
    opening: dict[int, list[int]] = {}
    closing: dict[int, list[int]] = {}
    for index, finding in enumerate(spans):
        opening.setdefault(finding["start"], []).append(index)
        closing.setdefault(finding["end"], []).append(index)
    cuts = sorted({0, len(text), *opening, *closing})
    # One sweep over the cuts (linear in text and findings, not cuts x findings): the open findings
    # at a cut are exactly those covering the run that starts there.
    open_now: set[int] = set()
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        open_now.difference_update(closing.get(start, ()))
        open_now.update(opening.get(start, ()))
        segments.append(Segment(text[start:end], tuple(spans[i] for i in sorted(open_now))))
    return segments or [Segment(text)]


def _valid_span(finding: Mapping[str, Any], length: int) -> bool:
    start, end = finding.get("start"), finding.get("end")
    return isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length
