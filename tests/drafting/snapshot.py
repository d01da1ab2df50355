"""A tiny snapshot helper: compare text to tests/drafting/snapshots/<name>.txt."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

SNAPSHOT_DIR = Path(__file__).parent / "snapshots"


def assert_snapshot(name: str, text: str) -> None:
    """Fail with a diff when text differs from the stored snapshot; UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOT_DIR / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT_DIR.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"No snapshot {path.name}; run with UPDATE_SNAPSHOTS=1 to create it.")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"snapshots/{path.name}",
            tofile="rendered",
        )
        pytest.fail("Rendered prompt differs from its snapshot:\n" + "".join(diff), pytrace=False)
