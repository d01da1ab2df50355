"""Live checks are capped at the form's limit before any work; highlighting stays correct with many findings."""

from __future__ import annotations

from app.drafting.diff import highlight
from app.drafting.forms import MAX_TEXT


def test_live_checks_refuse_a_text_longer_than_the_form_accepts(client, auth, staff, make_message):
    message = make_message()
    auth.login(staff)
    response = client.post(f"/messages/{message.id}/check", data={"text": "@x " * 3_000})
    page = response.get_data(as_text=True)
    assert f"longer than {MAX_TEXT} characters" in page
    assert "check-head" not in page  # no platform was checked


def test_live_checks_still_run_at_the_limit(client, auth, staff, make_message):
    message = make_message()
    auth.login(staff)
    page = client.post(f"/messages/{message.id}/check", data={"text": "a" * MAX_TEXT}).get_data(as_text=True)
    assert "check-head" in page


def test_highlight_splits_at_every_finding_and_keeps_overlaps():
    text = "0123456789"
    findings = [
        {"start": 0, "end": 10, "severity": "warning"},
        {"start": 2, "end": 4, "severity": "error"},
        {"start": 3, "end": 6, "severity": "warning"},
        {"start": 99, "end": 100},  # outside the text: ignored
    ]
    segments = highlight(text, findings)
    assert "".join(s.text for s in segments) == text
    assert [(s.text, len(s.findings), s.severity) for s in segments] == [
        ("01", 1, "warning"),
        ("2", 2, "error"),
        ("3", 3, "error"),
        ("45", 2, "warning"),
        ("6789", 1, "warning"),
    ]
