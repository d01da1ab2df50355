"""Grounding: the facts that fit the trend are picked, and numbers are tied to the cited facts."""

from __future__ import annotations

from app.checks import TrendContext, run_checks
from app.drafting.grounding import attach_sources, select_facts
from app.drafting.llm import KnowledgeItem, TrendBrief

TREND = TrendBrief(
    title="Newcomers blamed for the housing shortage",
    summary="Posts claim that people who moved here take the homes and the jobs.",
    narrative_tags=("housing", "economics"),
    target_groups=("MIGRANTS",),
)


def _fact(text: str, n: int, language: str = "en") -> KnowledgeItem:
    return KnowledgeItem(text, f"https://facts.example.org/{n}", language, f"F{n}")


FACTS = (
    _fact("The library is open on Sundays from 10 to 4.", 1),
    _fact("Housing shortages follow from too little building, not from who moves in.", 2),
    _fact("The choir rehearses on Tuesday evenings.", 3),
    _fact("Most people who moved here in the last decade are in work.", 4),
    _fact("La plupart des logements vacants sont dans le centre.", 5, "fr"),
    _fact("Bike lanes were repainted last spring.", 6),
    _fact("The swimming pool reopens in June.", 7),
)


def test_the_facts_that_fit_the_trend_come_first_and_only_a_few_are_passed():
    chosen = select_facts(FACTS, trend=TREND, language="en", limit=3)
    assert {f.id for f in chosen[:2]} == {"F2", "F4"}
    assert len(chosen) == 3
    assert "F5" not in {f.id for f in chosen}  # French fact for an English draft


def test_facts_in_the_drafts_language_are_preferred_else_any():
    assert [f.id for f in select_facts(FACTS, trend=TREND, language="fr")] == ["F5"]
    english_only = tuple(f for f in FACTS if f.language == "en")
    assert len(select_facts(english_only, trend=TREND, language="fr", limit=5)) == 5


def test_a_single_fact_is_never_hidden():
    (only,) = select_facts(FACTS[:1], trend=TREND, language="en")
    assert only.id == "F1"


def test_sources_go_before_the_hashtags_and_unknown_links_are_removed():
    text = "Most newcomers work (see https://invented.example/x).\n\n#NeighboursFirst"
    assert attach_sources(text, [FACTS[3]], FACTS) == (
        "Most newcomers work (see).\nSource: https://facts.example.org/4\n\n#NeighboursFirst"
    )


def test_a_number_outside_the_cited_fact_is_unsourced_even_with_the_link():
    cited = TrendContext(cited_facts=("In 2024, 45% of volunteers were new.",))
    linked = "45% of volunteers were new. Source: https://facts.example.org/v"
    assert run_checks(linked, trend=cited).findings == ()
    invented = "60% of volunteers were new. Source: https://facts.example.org/v"
    (finding,) = run_checks(invented, trend=cited).findings
    assert (finding.code, invented[finding.start : finding.end]) == ("claim.unsourced", "60%")
    assert run_checks(invented).findings == ()  # without grounding, the link is enough
