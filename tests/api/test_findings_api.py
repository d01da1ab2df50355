"""Findings over the API: code and params as stored, the message in the request's language."""

from __future__ import annotations

import pytest

from app.drafting.models import VersionSource
from app.drafting.versions import create_message
from app.extensions import db
from tests.campaigns.factories import make_campaign

LONG_SENTENCE = "We " + " and ".join(["bake bread"] * 11) + "."  # 33 words


@pytest.fixture
def headers(org, make_token, bearer) -> dict[str, str]:
    return bearer(make_token(org, "findings"))


@pytest.mark.parametrize(
    ("language", "words"), [("en", "This sentence has 33 words."), ("fr", "Cette phrase compte 33 mots.")]
)
def test_checks_return_code_params_and_the_message_in_the_requests_language(
    client, headers, openapi_check, language, words
):
    response = client.post(
        "/api/v1/checks",
        headers={**headers, "Accept-Language": language},
        json={"text": f"Hello there. {LONG_SENTENCE}", "platform": "mastodon", "language": "en"},
    )
    assert response.status_code == 200
    openapi_check(response, "/checks", "post")
    [finding] = response.get_json()["findings"]
    assert (finding["code"], finding["params"]) == ("readability.hard", {"n": 33})
    assert finding["message"].startswith(words)


def test_a_message_shows_new_and_old_findings_in_the_requests_language(client, org, headers, openapi_check):
    campaign = make_campaign(org, platforms=["mastodon"])
    fresh = create_message(
        campaign=campaign,
        trend=None,
        strategy="alternative",
        language="en",
        text=f"Hello there. {LONG_SENTENCE}",
        source=VersionSource.HUMAN,
        author=None,
    )
    old = create_message(
        campaign=campaign,
        trend=None,
        strategy="alternative",
        language="en",
        text="Only idiots say that.",
        source=VersionSource.HUMAN,
        author=None,
    )
    # Saved before findings had codes: English text, no params (and not migrated).
    old.current_version.findings = {
        "mastodon": {
            "length": {"count": 21, "limit": 500},
            "findings": [
                {
                    "code": "tone.hostile",
                    "severity": "error",
                    "start": 5,
                    "end": 11,
                    "message": "Hostile wording: insults, labels for people or dehumanising words make readers "
                    "defensive and can escalate the exchange. Criticise the statement, not the person, in "
                    "calm words.",
                }
            ],
        }
    }
    db.session.commit()

    response = client.get(f"/api/v1/messages/{fresh.id}", headers={**headers, "Accept-Language": "fr"})
    openapi_check(response, "/messages/{id}", "get")
    [finding] = response.get_json()["findings"]["mastodon"]["findings"]
    assert finding["params"] == {"n": 33} and finding["message"].startswith("Cette phrase compte 33 mots.")
    assert response.get_json()["versions"][0]["findings"]["mastodon"]["findings"] == [finding]

    response = client.get(f"/api/v1/messages/{old.id}", headers={**headers, "Accept-Language": "fr"})
    openapi_check(response, "/messages/{id}", "get")
    [finding] = response.get_json()["findings"]["mastodon"]["findings"]
    assert finding["code"] == "tone.hostile" and finding["params"] == {}
    assert finding["message"].startswith("Formulation hostile : les insultes")
