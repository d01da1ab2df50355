"""Every finding's message key words it in English and in French, with its numbers and names."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh

from app.checks.messages import MESSAGES, finding_text, render

FIELD = re.compile(r"\{(\w+)")
SAMPLE = {"platform": "webhook", "handle": "@someone", "token": "[CITY]"}


def _params(key: str) -> dict:
    """Parameters for every field of a key's template: numbers 7, 8, 9... and sample names."""
    fields = [f for f in dict.fromkeys(FIELD.findall(MESSAGES[key])) if f != "unit"]
    return {f: SAMPLE.get(f, 7 + i) for i, f in enumerate(fields)}


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_each_message_key_reads_in_french_with_its_parameters(app, key):
    params = _params(key)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the test's app context keeps the locale it first saw
        english = render(key, params)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        french = render(key, params)
    assert french != english and "{" not in french
    for value in params.values():
        assert str(value if value != "webhook" else "le webhook") in french


def test_an_old_finding_saved_as_text_is_shown_through_gettext_and_an_unknown_one_never_as_a_code(app):
    old = {
        "code": "tone.hostile",
        "severity": "error",
        "start": 0,
        "end": 1,
        "message": render("tone.hostile"),
    }
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        assert finding_text(old).startswith("Formulation hostile")
        assert finding_text({"code": "made.up", "severity": "warning", "start": 0, "end": 1}) == (
            "Une vérification « ne pas nuire » signale ce passage du texte."
        )
