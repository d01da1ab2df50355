"""Schemas built per request: a schema-following model server cannot draft off-request."""

from __future__ import annotations

from app.drafting.llm import OpenAIDrafter
from tests.drafting.conftest import FACT, wire_batch
from tests.fakes.openai_server import FakeOpenAI, Reply


def _schema(body: dict) -> dict:
    return body["response_format"]["json_schema"]["schema"]


def _candidate_schema(body: dict) -> dict:
    return _schema(body)["properties"]["candidates"]["items"]


def test_the_schema_allows_only_the_request(fake_openai, settings_for, make_request):
    fake_openai.enqueue(
        Reply.json(wire_batch(("facts", "Neighbours help."), ("alternative", "Towns thrive.")))
    )
    req = make_request(strategies=("facts", "alternative"), language="en", count=2)
    OpenAIDrafter(settings_for(fake_openai)).draft(req)

    body = fake_openai.requests[0]
    props = _candidate_schema(body)["properties"]
    assert props["strategy"]["enum"] == ["facts", "alternative"]
    assert props["language"]["enum"] == ["en"]
    assert props["variants"]["items"]["properties"]["platform"]["enum"] == ["mastodon", "bluesky"]
    assert props["facts_used"]["items"]["enum"] == ["F1"]
    candidates = _schema(body)["properties"]["candidates"]
    assert (candidates["minItems"], candidates["maxItems"]) == (2, 2)


def test_a_schema_filling_server_that_never_reads_the_prompt_still_drafts(settings_for, make_request):
    req = make_request(severity=3, strategies=("alternative", "empathy_affiliation"), language="fr", count=3)
    with FakeOpenAI(fill_schema=True) as srv:
        outcome = OpenAIDrafter(settings_for(srv)).draft(req)

    assert len(srv.requests) == 1  # no repair turn: the first answer was usable
    assert [c.strategy for c in outcome.candidates] == ["alternative"] * 3
    assert {c.language for c in outcome.candidates} == {"fr"}
    assert all(set(c.variants) <= {"mastodon", "bluesky"} for c in outcome.candidates)
    assert outcome.dropped == 0
    # The filler cited the first fact id: its source is attached from the fact, not typed.
    assert all(c.fact_ids == ["F1"] and c.text.endswith(f"Source: {FACT[1]}") for c in outcome.candidates)


def test_a_server_without_array_counts_is_asked_again_without_them(settings_for, make_request):
    with FakeOpenAI(fill_schema=True, reject_array_counts=True) as srv:
        drafter = OpenAIDrafter(settings_for(srv))
        first = drafter.draft(make_request(count=2))
        drafter.draft(make_request(count=2))

    counted = ["minItems" in str(_schema(r)) for r in srv.requests]
    assert counted == [True, False, False]  # rejected once, then remembered
    assert first.provenance.structured_mode == "json_schema"
    assert len(first.candidates) == 1  # without counts the filler writes one candidate


def test_off_request_candidates_are_dropped_and_counted(fake_openai, settings_for, make_request):
    answer = wire_batch(("facts", "Neighbours help."), ("humor", "A joke."), ("alternative", "Towns thrive."))
    answer["candidates"].append({**answer["candidates"][0], "language": "fr", "text": "Bonjour."})
    fake_openai.enqueue(Reply.json(answer))
    outcome = OpenAIDrafter(settings_for(fake_openai)).draft(make_request(count=3))

    assert [c.strategy for c in outcome.candidates] == ["facts", "alternative"]
    assert outcome.dropped == 2
    assert len(fake_openai.requests) == 1


def test_links_come_from_cited_facts_never_from_the_model(fake_openai, settings_for, make_request):
    answer = wire_batch(
        ("facts", "Most newcomers are in work, see https://made-up.example/study for more."),
        ("alternative", "Good neighbours help each other."),
    )
    answer["candidates"][0]["facts_used"] = ["F1", "F9"]
    answer["candidates"][0]["variants"] = []
    fake_openai.enqueue(Reply.json(answer))
    outcome = OpenAIDrafter(settings_for(fake_openai)).draft(make_request())

    cited, plain = outcome.candidates
    assert "made-up.example" not in cited.text
    assert cited.text == f"Most newcomers are in work, see for more.\nSource: {FACT[1]}"
    assert (cited.fact_ids, cited.facts_used) == (["F1"], [FACT[1]])
    assert "Source" not in plain.text and plain.fact_ids == []
