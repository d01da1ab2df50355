"""With no model configured: offline drafts, editing, live findings, versions, diffs, comments, archive."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.drafting.models import Message, MessageStatus, MessageVersion, VersionSource
from app.extensions import db
from tests.campaigns.factories import LEXICON_TERM, make_campaign, make_trend

CLEAN_EDIT = "Neighbours who moved here coach our youth teams and run the food bank. #NeighboursFirst"


@pytest.fixture
def campaign(org, staff):
    return make_campaign(org, staff, trends=[make_trend(org)])


def draft_offline(client, campaign, **overrides) -> list[Message]:
    data = {
        "trend_id": str(campaign.trends[0].id),
        "strategies": ["facts", "alternative"],
        "language": "en",
        "platforms": ["mastodon", "bluesky"],
        "count": "2",
        **overrides,
    }
    response = client.post(f"/campaigns/{campaign.id}/draft", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_the_draft_page_says_it_is_offline_and_how_to_connect(client, auth, staff, campaign):
    auth.login(staff)
    page = client.get(f"/campaigns/{campaign.id}/draft").get_data(as_text=True)
    assert "Offline: no language model is connected." in page
    assert "OPENAI_API_KEY" in page and "OPENAI_BASE_URL" in page and "COUNTERPOINT_LLM_MODEL" in page


def test_offline_drafting_end_to_end(client, auth, staff, campaign):
    auth.login(staff)
    messages = draft_offline(client, campaign)
    assert len(messages) == 2
    assert {m.strategy for m in messages} == {"facts", "alternative"}
    for message in messages:
        version = message.current_version
        assert version.source == VersionSource.OFFLINE and version.number == 1
        assert version.provenance["provider"] == "offline" and version.provenance["prompt_name"] == "offline"
        assert set(version.findings) == {"mastodon", "bluesky"}
        assert LEXICON_TERM not in version.text.lower()
    facts = next(m for m in messages if m.strategy == "facts")
    assert "https://stats.example.org/work-2024" in facts.text  # grounded in the knowledge list
    overview = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/messages/{facts.id}" in overview
    assert "campaign.drafts_requested" in set(db.session.scalars(select(AuditEvent.action)))

    editor = client.get(f"/messages/{facts.id}").get_data(as_text=True)
    assert "Offline template draft" in editor
    assert (
        'hx-trigger="keyup changed delay:500ms"' in editor
        and f'hx-post="/messages/{facts.id}/check"' in editor
    )
    assert "<script>" not in editor.split("</head>")[1]  # no inline script in the body

    response = client.post(f"/messages/{facts.id}", data={"text": CLEAN_EDIT, "variant-bluesky": ""})
    assert response.status_code == 302
    db.session.expire_all()
    version = facts.current_version
    assert version.number == 2 and version.source == VersionSource.HUMAN and version.author_id == staff.id
    assert version.text == CLEAN_EDIT and not version.has_errors
    editor = client.get(f"/messages/{facts.id}").get_data(as_text=True)
    assert f"edited by {staff.name}" in editor


def test_a_human_edit_updates_the_findings(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    client.post(f"/messages/{message.id}", data={"text": f"Read more at [LINK] about the {LEXICON_TERM}."})
    db.session.expire_all()
    version = message.current_version
    codes = {f["code"] for f in version.findings["mastodon"]["findings"]}
    assert {"placeholder.unfilled", "amplification.lexicon_term"} <= codes and version.has_errors
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert 'class="finding finding-error"' in editor and "placeholder.unfilled" in editor
    client.post(f"/messages/{message.id}", data={"text": CLEAN_EDIT})
    db.session.expire_all()
    assert not message.current_version.has_errors and message.current_version.number == 3


def test_an_unchanged_save_makes_no_version_and_an_empty_one_is_refused(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    same = client.post(f"/messages/{message.id}", data={"text": message.text}, follow_redirects=True)
    assert "Nothing changed" in same.get_data(as_text=True)
    empty = client.post(f"/messages/{message.id}", data={"text": "  "})
    assert empty.status_code == 422
    assert db.session.scalar(select(db.func.count(MessageVersion.id))) == 1


def test_live_checks_return_findings_highlighted_in_place(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    response = client.post(
        f"/messages/{message.id}/check",
        data={"text": "Ask @mayor about it <b>now</b>", "variant-bluesky": ""},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "mention.handle" in html and re.search(
        r'<mark class="finding finding-\w+"[^>]*>@mayor</mark>', html
    )
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # typed markup is shown, never rendered
    assert 'data-count="' in html and "Bluesky" in html and "Mastodon" in html
    assert db.session.scalar(select(db.func.count(MessageVersion.id))) == 1  # checking saves nothing


def test_submit_button_follows_the_review_feature_and_the_errors(client, auth, staff, campaign, app):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    has_submit = "review.submit" in app.view_functions
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert ("Submit for review" in editor) == has_submit
    client.post(f"/messages/{message.id}", data={"text": "TODO write this"})
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    if has_submit:
        assert re.search(r"<button type=\"submit\" disabled[^>]*>Submit for review", editor)
        live = client.post(f"/messages/{message.id}/check", data={"text": "TODO"}).get_data(as_text=True)
        assert 'hx-swap-oob="true"' in live and "disabled" in live


def test_versions_and_diffs(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    original = message.text
    client.post(f"/messages/{message.id}", data={"text": CLEAN_EDIT})
    client.post(f"/messages/{message.id}", data={"text": CLEAN_EDIT.replace("food bank", "<i>library</i>")})
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert 'id="ai-vs-current"' in editor and "v3" in editor
    diff = client.get(f"/messages/{message.id}/diff?from=2&to=3").get_data(as_text=True)
    assert "<del>food bank.</del>" in diff or "<del>food" in diff
    assert "<ins>&lt;i&gt;library&lt;/i&gt;.</ins>" in diff or "&lt;i&gt;library" in diff
    assert "<i>library</i>" not in diff
    original_vs_current = client.get(f"/messages/{message.id}/diff?from=1&to=3").get_data(as_text=True)
    first_words = original.split()[0]
    assert f"<del>{first_words}" in original_vs_current


def test_comments_and_archive(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    client.post(f"/messages/{message.id}/comments", data={"body": "Shorter, please <b>soon</b>"})
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "Shorter, please &lt;b&gt;soon&lt;/b&gt;" in editor
    assert 'data-confirm="Archive this message?' in editor
    assert client.post(f"/messages/{message.id}/archive").status_code == 302
    db.session.refresh(message)
    assert message.status == MessageStatus.ARCHIVED
    refused = client.post(f"/messages/{message.id}", data={"text": CLEAN_EDIT})
    assert refused.status_code == 422 and b"can no longer be edited" in refused.data


def test_offline_revise_shorter_and_translate_say_what_they_can_do(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["facts"], count="1")[0]
    response = client.post(
        f"/messages/{message.id}/revise", data={"preset": "warmer", "instruction": ""}, follow_redirects=True
    )
    assert "Offline mode can only shorten text" in response.get_data(as_text=True)
    long_text = " ".join(["Good neighbours look out for each other in every season."] * 7)
    client.post(f"/messages/{message.id}", data={"text": long_text})
    client.post(f"/messages/{message.id}/revise", data={"preset": "shorter", "instruction": ""})
    db.session.expire_all()
    assert message.current_version.number == 3 and message.current_version.source == VersionSource.OFFLINE
    assert len(message.current_version.text) <= 300 < len(long_text)
    translated = client.post(
        f"/messages/{message.id}/translate", data={"target_language": "fr"}, follow_redirects=True
    )
    assert "Translation needs a language model" in translated.get_data(as_text=True)


def test_messages_of_another_organisation_are_404(client, auth, staff, campaign, make_user, make_org):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    auth.logout()
    auth.login(make_user(Role.STAFF, org=make_org("elsewhere"), email="x@elsewhere.example"))
    for method, url in (
        ("get", f"/messages/{message.id}"),
        ("post", f"/messages/{message.id}"),
        ("post", f"/messages/{message.id}/check"),
        ("get", f"/messages/{message.id}/diff"),
        ("post", f"/messages/{message.id}/revise"),
        ("post", f"/messages/{message.id}/archive"),
        ("post", f"/messages/{message.id}/comments"),
    ):
        assert getattr(client, method)(url, data={"text": "x"}).status_code == 404, url


def test_severity_four_offers_only_the_alternative(client, auth, staff, org):
    trend = make_trend(org, title="Incitement wave", severity=4)
    campaign = make_campaign(org, staff, trends=[trend])
    auth.login(staff)
    page = client.get(f"/campaigns/{campaign.id}/draft").get_data(as_text=True)
    assert 'value="alternative"' in page and 'value="facts"' not in page
    refused = client.post(
        f"/campaigns/{campaign.id}/draft",
        data={
            "trend_id": str(trend.id),
            "strategies": ["facts"],
            "language": "en",
            "platforms": ["mastodon"],
            "count": "1",
        },
    )
    assert refused.status_code == 200 and db.session.scalar(select(Message)) is None


def test_campaign_allowed_strategies_are_respected(client, auth, staff, org):
    campaign = make_campaign(org, staff, trends=[make_trend(org)], strategies=["question"])
    auth.login(staff)
    page = client.get(f"/campaigns/{campaign.id}/draft").get_data(as_text=True)
    assert 'value="question"' in page and 'value="alternative"' not in page
    messages = draft_offline(client, campaign, strategies=[], count="2")
    assert {m.strategy for m in messages} == {"question"}


def test_the_offline_drafters_explanations_read_in_french(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    assert message.current_version.provenance["explanation"]["code"] == "offline.template"
    assert not message.current_version.provenance.get("rationale")  # no English line stored
    french = {"Accept-Language": "fr"}
    editor = client.get(f"/messages/{message.id}", headers=french).get_data(as_text=True)
    assert "Rédigé à partir d’un modèle intégré pour la stratégie" in editor
    assert "Offline template." not in editor
    english = client.get(f"/messages/{message.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Written from a built-in template for the strategy" in english
    response = client.post(
        f"/messages/{message.id}/adapt", data={"platform": "bluesky"}, headers=french, follow_redirects=True
    )
    assert "Le texte tient déjà en 300 caractères." in response.get_data(as_text=True)
