"""Drafts worth editing, through the pages: grounded, distinct, ranked, marked new (loopback model)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.drafting.models import Message
from app.extensions import db
from tests.campaigns.factories import make_campaign, make_trend
from tests.fakes.openai_server import FakeOpenAI, Reply

FACTS = (
    (
        "In 2024, 45% of the town's volunteers had moved here recently.",
        "https://stats.example.org/volunteers",
    ),
    ("The library opens on Sundays.", "https://town.example.org/library"),
)
CLEAN = "Neighbours who moved here help run the food bank. Let us keep building our town together."
HOSTILE = "Only idiots share this nonsense about the people next door, so stop it now."
OTHER = "Rumours travel fast online. Before you share one, check who wrote it and what the sources say."


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(fill_schema=True) as srv:
        yield srv


@pytest.fixture
def app_config(fake_openai: FakeOpenAI) -> dict:
    return {"OPENAI_BASE_URL": fake_openai.base_url, "OPENAI_API_KEY": "k", "COUNTERPOINT_LLM_MODEL": "m"}


@pytest.fixture
def campaign(org, staff):
    return make_campaign(org, staff, trends=[make_trend(org)], knowledge=FACTS)


def _candidate(strategy: str, text: str, facts: list[str] | None = None) -> dict:
    return {
        "strategy": strategy,
        "language": "en",
        "text": text,
        "variants": [],
        "rationale": "r",
        "facts_used": facts or [],
    }


def _draft(client, campaign, *, strategies=("alternative", "facts"), count=2):
    data = {
        "trend_id": str(campaign.trends[0].id),
        "strategies": list(strategies),
        "language": "en",
        "platforms": ["mastodon"],
        "count": str(count),
    }
    return client.post(f"/campaigns/{campaign.id}/draft", data=data, follow_redirects=True)


def _messages() -> list[Message]:
    return list(db.session.scalars(select(Message).order_by(Message.id)))


def test_a_schema_filling_server_drafts_through_the_page(client, auth, staff, campaign, fake_openai):
    auth.login(staff)
    page = _draft(client, campaign, count=3).get_data(as_text=True)

    messages = _messages()
    assert len(messages) == 3 and {m.strategy for m in messages} == {"alternative"}
    assert "The model answered twice" not in page
    assert page.count('class="badge badge-new"') == 3
    # The filler cited the first fact offered: its source came from the fact, not the model.
    fact_id = fake_openai.requests[0]["response_format"]["json_schema"]["schema"]["properties"]["candidates"][
        "items"
    ]["properties"]["facts_used"]["items"]["enum"][0]
    provenance = messages[0].current_version.provenance
    assert [f["id"] for f in provenance["facts"]] == [fact_id]
    assert provenance["facts"][0]["source_url"] in messages[0].text


def test_the_facts_that_fit_the_trend_are_offered_with_ids(client, auth, staff, campaign, fake_openai):
    auth.login(staff)
    _draft(client, campaign)
    prompt = fake_openai.requests[0]["messages"][1]["content"]
    ids = re.findall(r'<fact id="(F\d+)">', prompt)
    assert len(ids) == 2 and "45%" in prompt.split(f'<fact id="{ids[0]}">')[1].split("</fact>")[0]
    assert "https://stats.example.org" not in prompt  # the model never sees, so never types, the URL


def test_a_number_not_in_the_cited_fact_is_flagged(client, auth, staff, campaign, fake_openai):
    auth.login(staff)
    fact_id = f"F{campaign.knowledge[0].id}"
    fake_openai.enqueue(
        Reply.json(
            {
                "candidates": [
                    _candidate("facts", "45% of our volunteers moved here recently.", [fact_id]),
                    _candidate(
                        "facts",
                        "Nearly 60% of helpers at the food bank are newcomers, a survey says.",
                        [fact_id],
                    ),
                ]
            }
        )
    )
    _draft(client, campaign, strategies=("facts",))
    by_text = {m.text.split("\n")[0]: m for m in _messages()}
    sourced = by_text["45% of our volunteers moved here recently."].current_version
    invented = by_text["Nearly 60% of helpers at the food bank are newcomers, a survey says."].current_version
    assert "claim.unsourced" not in {f["code"] for f in sourced.findings["mastodon"]["findings"]}
    (flag,) = [f for f in invented.findings["mastodon"]["findings"] if f["code"] == "claim.unsourced"]
    assert invented.text[flag["start"] : flag["end"]] == "60%"
    assert "https://stats.example.org/volunteers" in invented.text


def test_copies_are_dropped_and_the_batch_is_ranked_with_its_reason(
    client, auth, staff, campaign, fake_openai
):
    auth.login(staff)
    fake_openai.enqueue(Reply.json({"candidates": [_candidate("alternative", CLEAN)]}))
    _draft(client, campaign, strategies=("alternative",), count=1)
    fake_openai.enqueue(
        Reply.json(
            {
                "candidates": [
                    _candidate("alternative", HOSTILE),
                    _candidate("alternative", CLEAN.replace("food bank", "food  bank!")),
                    _candidate("alternative", OTHER),
                    _candidate("humor", "A joke about the rumour, off request."),
                ]
            }
        )
    )
    page = _draft(client, campaign, strategies=("alternative",), count=4).get_data(as_text=True)

    texts = [m.text for m in _messages()]
    assert texts == [CLEAN, OTHER, HOSTILE]  # the blocking one last
    assert "1 draft was left out because it repeated another draft or an existing message." in page
    assert "1 draft was left out because it did not keep to your choices" in page
    assert "Ordered for editing: drafts with a blocking problem last" in page
    assert page.count('class="badge badge-new"') == 2
    drafts = page.split('id="drafts"')[1]
    assert (
        drafts.index(OTHER[:40]) < drafts.index(HOSTILE[:40]) < drafts.index(CLEAN[:40])
    )  # batch first, ranked


def test_the_editor_offers_only_what_the_drafter_can_do(client, auth, staff, campaign, app):
    auth.login(staff)
    _draft(client, campaign, count=1)
    message = _messages()[0]
    online = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "Translate into a new message" in online and 'name="instruction"' in online
    app.config.update(OPENAI_BASE_URL=None, OPENAI_API_KEY=None)
    offline = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "Translate into a new message" not in offline and 'name="instruction" type="text"' not in offline
    assert ">Shorten</button>" in offline and "Adapt to this platform" in offline
