"""Every entry of the lexicons and pattern files fires on its own example (one test per entry)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.checks import ERROR, load_patterns, run_checks

DATA = Path(__file__).resolve().parents[2] / "app" / "checks" / "data"


def _entries(name: str) -> list[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


HOSTILE = [("en", term) for term in _entries("hostile_en.txt")] + [
    ("fr", term) for term in _entries("hostile_fr.txt")
]


@pytest.mark.parametrize(("language", "term"), HOSTILE, ids=[f"{lang}:{term}" for lang, term in HOSTILE])
def test_each_hostile_entry_fires_in_its_language(language: str, term: str) -> None:
    word = term.rstrip("*")
    text = f"Honnêtement, {word} ici." if language == "fr" else f"Honestly, {word} here."
    report = run_checks(text, language=language)
    assert report.findings and {(f.code, f.severity) for f in report.findings} == {("tone.hostile", ERROR)}


PATTERNS = load_patterns()


@pytest.mark.parametrize("pattern", PATTERNS, ids=[f"{p.language}:{p.example}" for p in PATTERNS])
def test_each_pattern_fires_on_its_example(pattern) -> None:
    codes = {f.code for f in run_checks(pattern.example, language=pattern.language).findings}
    assert pattern.code in codes


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Kick rumours off your feed, not people.", "en"),
        ("No one should be thrown out of their home for who they are.", "en"),
        ("Spam gets kicked off every platform; people deserve better.", "en"),
        ("Most people don't know their neighbours' names.", "en"),
        ("Il faut virer les rumeurs, pas les gens.", "fr"),
        ("Personne ne devrait être chassé de son quartier.", "fr"),
        ("Rentrez chez vous en sécurité après la fête.", "fr"),
        ("La plupart des gens ne connaissent pas leurs voisins.", "fr"),
    ],
)
def test_counter_speech_with_the_same_words_stays_clear(text: str, language: str) -> None:
    assert run_checks(text, language=language).findings == ()
