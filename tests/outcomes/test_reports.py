"""Report figures from a known fixture, checked against numbers worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.outcomes.reports import Figure, _best, campaign_report, changed_share, trend_report


def test_campaign_report_figures_match_the_hand_worked_numbers(world):
    campaign, _ = world
    report = campaign_report(campaign, today=date(2026, 11, 4))

    assert report.status_counts == {"posted": 3, "queued": 1}
    assert (report.totals.posts, report.totals.measured, report.totals.interactions) == (3, 2, 10)
    assert report.totals.per_post == 5.0
    strategies = {f.key: (f.posts, f.measured, f.interactions, f.per_post) for f in report.by_strategy}
    assert strategies == {"empathy_affiliation": (2, 2, 10, 5.0), "alternative": (1, 0, 0, None)}
    assert [f.key for f in report.by_strategy] == ["empathy_affiliation", "alternative"]
    languages = {f.key: (f.posts, f.interactions) for f in report.by_language}
    assert languages == {"en": (2, 10), "fr": (1, 0)}
    # Both groups rest on fewer than five measured posts: nothing is called "best".
    assert report.best_strategy is None and all(f.is_thin for f in report.by_strategy)
    (timing,) = report.timings
    assert timing.delay == timedelta(hours=25)
    assert [(p.day.day, p.volume, p.interactions) for p in report.series] == [
        (2, 10, 0),
        (3, 20, 1),
        (4, 5, 10),
    ]
    # m1: "a b c d" -> "a b x d e" is 2 word edits of 5 words (40 %); m2 was approved as drafted (0 %).
    assert (report.edits.count, report.edits.median) == (2, 20)
    # Submitted at +4 h, approved at +7 h; submitted at +2 h, approved at +3 h: median 2 hours.
    assert (report.turnaround.count, report.turnaround.median) == (2, 2.0)


def test_a_trend_report_leaves_out_campaigns_the_reader_does_not_take_part_in(world, make_org):
    campaign, trend = world
    stranger = make_org()
    assert trend_report(trend, campaign.organisation_id, today=date(2026, 11, 4)).totals.posts == 3
    assert trend_report(trend, stranger.id, today=date(2026, 11, 4)).totals.posts == 0


def test_the_best_group_needs_enough_posts_behind_it():
    strong = Figure("a", "A", posts=6, measured=6, interactions=60)
    weaker = Figure("b", "B", posts=9, measured=9, interactions=45)
    loud_but_thin = Figure("c", "C", posts=2, measured=2, interactions=500)
    assert _best([loud_but_thin, strong, weaker]) is strong
    assert _best([loud_but_thin, strong]) is None  # one comparable group is no comparison


@pytest.mark.parametrize(
    ("before", "after", "share"),
    [
        ("a b c", "a b c", 0.0),
        ("a b c d", "a b x d e", 40.0),
        ("", "new words", 100.0),
        ("one two", "", 100.0),
    ],
)
def test_changed_share_is_word_edit_distance_over_the_longer_text(before, after, share):
    assert changed_share(before, after) == share
