"""The checks page and POST /api/v1/checks give the same answer for the same input."""

from __future__ import annotations

import re

import pytest

from app.drafting.diff import highlight, word_diff
from tests.campaigns.factories import EVIDENCE_TEXT, LEXICON_TERM, make_campaign, make_token, make_trend

SAMPLES = (
    "Studies show 80% of people agree. Ask @mayor. [LINK]",
    f"They call it a {LEXICON_TERM}, but these are our neighbours. #StopTheSwarm",
    "Neighbours who moved here help run the food bank.",
    "x" * 320,
)


def page_result(client, text: str, platform: str, trend_id: int) -> dict:
    html = client.post(
        "/checks", data={"text": text, "platforms": [platform], "language": "en", "trend_id": str(trend_id)}
    ).get_data(as_text=True)
    section = html.split(f'data-platform="{platform}"', 1)[1]
    count, limit = re.search(r'data-count="(\d+)" data-limit="(\d+)"', section).groups()
    codes = sorted(re.findall(r'data-code="([\w.]+)"', section))
    return {"count": int(count), "limit": int(limit), "codes": codes}


@pytest.mark.parametrize("platform", ["x", "bluesky"])
@pytest.mark.parametrize("text", SAMPLES)
def test_page_and_api_agree(client, auth, staff, org, text, platform):
    trend = make_trend(org)
    auth.login(staff)
    page = page_result(client, text, platform, trend.id)
    api = client.post(
        "/api/v1/checks",
        headers=make_token(org),
        json={"text": text, "platform": platform, "trend_id": trend.id},
    ).get_json()
    assert {
        "count": api["length"]["count"],
        "limit": api["length"]["limit"],
        "codes": sorted(f["code"] for f in api["findings"]),
    } == page


def test_the_page_highlights_in_place_and_keeps_the_text(client, auth, staff, org):
    trend = make_trend(org)
    auth.login(staff)
    html = client.post(
        "/checks",
        data={"text": EVIDENCE_TEXT, "platforms": ["mastodon"], "language": "en", "trend_id": str(trend.id)},
    ).get_data(as_text=True)
    assert "amplification.evidence_overlap" in html and "amplification.hashtag" in html
    assert re.search(r'<mark class="finding finding-error"[^>]*>#StopTheSwarm</mark>', html)
    assert f"{EVIDENCE_TEXT}</textarea>" in html


def test_the_page_answers_htmx_with_the_partial_only(client, auth, staff):
    auth.login(staff)
    html = client.post(
        "/checks",
        headers={"HX-Request": "true"},
        data={"text": "Hello @someone", "platforms": ["mastodon"], "language": "en", "trend_id": "0"},
    ).get_data(as_text=True)
    assert "<html" not in html and "mention.handle" in html


def test_api_campaign_sources_count_as_citations_and_other_trends_are_refused(client, org, staff, make_org):
    campaign = make_campaign(org, staff, knowledge=(("Fact.", "https://stats.example.org/work-2024"),))
    headers = make_token(org)
    text = "80% of newcomers work (https://stats.example.org/work-2024)."
    with_campaign = client.post(
        "/api/v1/checks",
        headers=headers,
        json={"text": text, "platform": "mastodon", "campaign_id": campaign.id},
    ).get_json()
    assert "claim.unsourced" not in {f["code"] for f in with_campaign["findings"]}
    foreign = make_trend(make_org("else"))
    refused = client.post(
        "/api/v1/checks", headers=headers, json={"text": "x", "platform": "mastodon", "trend_id": foreign.id}
    )
    assert refused.status_code == 422
    assert (
        client.post("/api/v1/checks", headers=headers, json={"text": "x", "platform": "myspace"}).status_code
        == 422
    )
    assert client.post("/api/v1/checks", json={"text": "x", "platform": "x"}).status_code == 401


def test_word_diff_and_highlight_units():
    parts = word_diff("We help our neighbours", "We gladly help neighbours")
    assert [(p.op, p.text) for p in parts] == [
        ("equal", "We "),
        ("insert", "gladly "),
        ("equal", "help "),
        ("delete", "our "),
        ("equal", "neighbours"),
    ]
    segments = highlight(
        "ab cd ef",
        [
            {"start": 3, "end": 5, "severity": "warning", "message": "w"},
            {"start": 0, "end": 5, "severity": "error", "message": "e"},
        ],
    )
    assert [(s.text, s.severity) for s in segments] == [("ab ", "error"), ("cd", "error"), (" ef", None)]
    assert highlight("", []) == highlight("", [{"start": 0, "end": 9}])


def test_the_live_check_sees_evidence_added_after_it_was_cached(client, auth, staff, org):
    from app.extensions import db
    from app.trends import services as trend_services

    trend = make_trend(org)
    auth.login(staff)
    text = "Thanks to everyone who answered @harbourwatcher with facts."
    assert "amplification.evidence_link" not in page_result(client, text, "mastodon", trend.id)["codes"]
    trend_services.add_evidence(
        trend,
        trend_services.EvidenceInput(excerpt="A hateful post.", author_handle="harbourwatcher"),
        actor=staff,
    )
    db.session.commit()
    assert "amplification.evidence_link" in page_result(client, text, "mastodon", trend.id)["codes"]


def test_the_page_words_findings_with_their_numbers_in_the_readers_language(client, auth, staff):
    auth.login(staff)
    text = "Hello there. We " + " and ".join(["bake bread"] * 11) + ". " + "x" * 300
    data = {"text": text, "platforms": ["bluesky"], "language": "en", "trend_id": "0"}
    french = client.post("/checks", data=data, headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Cette phrase compte 33 mots." in french
    assert "Trop long pour Bluesky : 478 sur 300 graphèmes. Retirez-en au moins 178" in french
    english = client.post("/checks", data=data, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "This sentence has 33 words." in english and "This sentence has 33 words." not in french
