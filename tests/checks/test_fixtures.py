"""The synthetic good and bad counter-messages behave as their fixtures say."""

from __future__ import annotations

import pytest

from app.checks import ERROR, run_checks

from .conftest import FIXTURES, fixture_trend

GOOD = FIXTURES["good"]
BAD = FIXTURES["bad"]

SEVERITY = {
    "length.over_limit": "error",
    "amplification.lexicon_term": "error",
    "amplification.hashtag": "error",
    "amplification.evidence_overlap": "error",
    "amplification.evidence_link": "error",
    "mention.handle": "warning",
    "tone.hostile": "error",
    "claim.unsourced": "warning",
    "stereotype.negated_generalisation": "warning",
    "authenticity.identity_claim": "warning",
    "placeholder.unfilled": "error",
    "readability.hard": "warning",
}


def _check(message: dict):
    return run_checks(
        message["text"],
        platform=message["platform"],
        language=message["language"],
        trend=fixture_trend(),
    )


def test_fixture_set_is_large_enough_and_covers_every_code_in_both_languages() -> None:
    assert len(GOOD) >= 30
    assert len(BAD) >= 40
    assert {m["language"] for m in GOOD} == {"en", "fr"}
    covered = {(code, m["language"]) for m in BAD for code in m["expected_codes"]}
    assert covered >= {(code, lang) for code in SEVERITY for lang in ("en", "fr")}


@pytest.mark.parametrize("message", GOOD, ids=[m["id"] for m in GOOD])
def test_good_messages_pass(message: dict) -> None:
    report = _check(message)
    assert not report.has_errors
    expected = set(message.get("expected_codes", []))
    assert {f.code for f in report.findings} == expected
    assert all(SEVERITY[f.code] == "warning" for f in report.findings)


@pytest.mark.parametrize("message", BAD, ids=[m["id"] for m in BAD])
def test_bad_messages_raise_exactly_their_codes(message: dict) -> None:
    report = _check(message)
    assert {f.code for f in report.findings} == set(message["expected_codes"])


@pytest.mark.parametrize("message", BAD, ids=[m["id"] for m in BAD])
def test_bad_message_spans_point_at_the_offending_words(message: dict) -> None:
    report = _check(message)
    found = {(f.code, message["text"][f.start : f.end]) for f in report.findings}
    for code, substring in message.get("expected_spans", []):
        assert (code, substring) in found


@pytest.mark.parametrize("message", BAD, ids=[m["id"] for m in BAD])
def test_severities_follow_the_design(message: dict) -> None:
    report = _check(message)
    for finding in report.findings:
        assert finding.severity == SEVERITY[finding.code]
    blocking = any(SEVERITY[c] == ERROR for c in message["expected_codes"])
    assert report.has_errors is blocking
