"""The offline drafter: template starting points, deterministic and safe."""

from __future__ import annotations

import re

import pytest

from app.campaigns.strategies import STRATEGIES
from app.checks import run_checks
from app.drafting.explanations import explain
from app.drafting.llm import RewriteRequest
from app.drafting.offline import OfflineDrafter
from app.drafting.variety import is_near_duplicate
from tests.drafting.conftest import FACT, LEXICON, TREND_HASHTAGS


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_every_strategy_and_language_gives_a_safe_deterministic_draft(make_request, strategy, language):
    req = make_request(mode="reply", strategies=(strategy,), language=language, count=2)
    first = OfflineDrafter().draft(req)
    again = OfflineDrafter().draft(req)

    assert first.candidates == again.candidates
    assert [c.strategy for c in first.candidates] == [strategy, strategy]
    assert first.candidates[0].text != first.candidates[1].text  # two different templates
    for candidate in first.candidates:
        assert candidate.language == language and candidate.text.strip()
        folded = candidate.text.casefold()
        assert not any(term.casefold() in folded for term in LEXICON)
        assert not any(tag.casefold() in folded for tag in TREND_HASHTAGS)
        assert "http" not in candidate.text or strategy == "facts"


def test_outcome_is_marked_offline_and_says_how_to_connect_a_model(make_request):
    outcome = OfflineDrafter().draft(make_request())
    assert outcome.is_offline is True
    assert outcome.provenance.provider == "offline" and outcome.provenance.model is None
    assert outcome.provenance.structured_mode == "offline"
    for setting in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "COUNTERPOINT_LLM_MODEL"):
        assert setting in outcome.notice


def test_facts_lead_with_a_vetted_fact_and_its_source(make_request):
    (candidate,) = OfflineDrafter().draft(make_request(strategies=("facts",), count=1)).candidates
    fact, url = FACT
    assert candidate.text.index(fact[:30]) < candidate.text.index("misleading")
    assert url in candidate.text
    assert candidate.facts_used == [url]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_without_a_knowledge_list_it_drafts_strategies_that_need_no_fact_and_says_so(make_request, language):
    outcome = OfflineDrafter().draft(
        make_request(strategies=("facts",), knowledge=(), count=3, language=language)
    )
    assert outcome.skipped_for_facts == ("facts",)
    assert len(outcome.candidates) == 3
    for candidate in outcome.candidates:
        assert candidate.strategy != "facts" and candidate.facts_used == []
        assert "[" not in candidate.text and "http" not in candidate.text  # no placeholder, no link
        assert run_checks(candidate.text, language=language).findings == ()


def test_a_fact_containing_a_lexicon_term_is_never_used(make_request):
    tainted = ("The swarm of numbers shows 3% growth.", "https://stats.example.org/tainted")
    outcome = OfflineDrafter().draft(make_request(strategies=("facts",), knowledge=(tainted,), count=1))
    (candidate,) = outcome.candidates
    assert "swarm" not in candidate.text.casefold() and "[" not in candidate.text
    assert outcome.skipped_for_facts == ("facts",)


def test_never_a_copy_of_an_existing_message(make_request):
    first = OfflineDrafter().draft(make_request(strategies=("alternative",), count=2))
    existing = tuple(c.text for c in first.candidates)
    again = OfflineDrafter().draft(make_request(strategies=("alternative",), count=2, existing=existing))

    assert len(again.candidates) == 2
    for candidate in again.candidates:
        assert not is_near_duplicate(candidate.text, existing)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_batch_of_five_has_no_near_duplicates_and_varied_openings(make_request, language):
    req = make_request(
        strategies=("alternative", "empathy_affiliation"), count=5, language=language, mode="reply"
    )
    texts = [c.text for c in OfflineDrafter().draft(req).candidates]

    assert len(texts) == 5
    for i, text in enumerate(texts):
        assert not is_near_duplicate(text, texts[:i] + texts[i + 1 :])
    openings = {" ".join(text.split()[:3]) for text in texts}
    assert len(openings) == 5
    assert not any(re.search(r": [A-ZÀ-Ý]", text) for text in texts)  # "un instant : quand…"


def test_when_every_wording_is_taken_it_drafts_fewer_and_counts_them(make_request):
    req = make_request(severity=4, strategies=("alternative",), count=6)
    outcome = OfflineDrafter().draft(req)
    assert len(outcome.candidates) + outcome.shortfall == 6
    assert outcome.shortfall > 0


def test_the_targeted_group_is_humanised_not_labelled(make_request):
    (candidate,) = (
        OfflineDrafter().draft(make_request(strategies=("empathy_affiliation",), count=1)).candidates
    )
    assert "neighbours who moved here" in candidate.text.casefold()
    assert "MIGRANTS" not in candidate.text


def test_campaign_hashtags_go_at_the_end_but_never_the_hate_campaigns(make_request):
    req = make_request(count=1)
    campaign = req.campaign.__class__(title="t", hashtags=("#NeighboursFirst", "StopTheSwarm"))
    (candidate,) = OfflineDrafter().draft(make_request(campaign=campaign, count=1)).candidates
    assert candidate.text.endswith("\n\n#NeighboursFirst")
    assert "StopTheSwarm" not in candidate.text


def test_highest_severity_drafts_only_the_alternative_narrative(make_request):
    req = make_request(severity=4, strategies=("facts", "humor", "alternative"), count=3)
    outcome = OfflineDrafter().draft(req)
    assert [c.strategy for c in outcome.candidates] == ["alternative"] * 3


def test_highest_severity_gives_no_reply_drafts(make_request):
    with pytest.raises(ValueError, match="report"):
        OfflineDrafter().draft(make_request(severity=4, mode="reply", strategies=("alternative",)))


def test_variants_fit_each_platform_and_keep_the_source(make_request):
    req = make_request(strategies=("facts",), count=2, platforms={"x": 200, "mastodon": 500})
    for candidate in OfflineDrafter().draft(req).candidates:
        assert set(candidate.variants) == {"x"}  # mastodon takes the full text
        assert len(candidate.variants["x"]) <= 200
        assert FACT[1] in candidate.variants["x"]


def test_offline_shorter_fits_the_limit_by_dropping_sentences():
    text = (
        "Good neighbours look out for each other. They share the same hopes. "
        "Safe streets matter to everyone. Let's keep building together.\n\n#NeighboursFirst"
    )
    rewrite, prov = OfflineDrafter().rewrite(
        RewriteRequest(kind="revise", text=text, preset="shorter", limit=90)
    )
    assert len(rewrite.text) <= 90
    assert rewrite.text.startswith("Good neighbours look out for each other.")
    assert prov.provider == "offline"


def test_offline_adapt_leaves_text_that_already_fits():
    rewrite, _ = OfflineDrafter().rewrite(
        RewriteRequest(kind="adapt", text="Short.", platform="bluesky", limit=300)
    )
    assert rewrite.text == "Short."
    assert "already fits" in explain(rewrite.explanation.as_dict())


def test_offline_translation_is_honest_that_it_needs_a_model():
    rewrite, _ = OfflineDrafter().rewrite(
        RewriteRequest(kind="translate", text="Good neighbours.", target_language="fr")
    )
    assert rewrite.text == "Good neighbours."
    assert "needs a language model" in explain(rewrite.explanation.as_dict())


def test_offline_warmer_is_honest_that_it_cannot():
    rewrite, _ = OfflineDrafter().rewrite(RewriteRequest(kind="revise", text="A draft.", preset="warmer"))
    assert rewrite.text == "A draft."
    assert "can only shorten" in explain(rewrite.explanation.as_dict())
