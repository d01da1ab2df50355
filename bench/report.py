"""Where the benches write their tables: each its own section of BENCHMARKS.md, between two markers."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def write_section(section: str, begin: str, end: str, path: Path = BENCHMARKS) -> None:
    """Put `section` (which starts with `begin` and ends with `end`) in place of the text between those
    markers, or at the end of the file the first time."""
    current = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by `make bench`.\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(current)
