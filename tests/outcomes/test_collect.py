"""The worker reads public counts at 1 h, 6 h, 24 h, 72 h and 7 days, within each server's limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.outcomes.collect import MAX_FAILURES, collect_engagement
from app.outcomes.models import EngagementSample, EngagementTracker, TrackingState
from tests.outcomes.conftest import T0

HOUR = timedelta(hours=1)


def _samples(post) -> list[EngagementSample]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(EngagementSample).where(EngagementSample.post_id == post.id).order_by(EngagementSample.id)
        )
    )


def _tracker(post) -> EngagementTracker:
    db.session.expire_all()
    return db.session.get(EngagementTracker, post.id)


def test_counts_are_read_at_growing_intervals_and_grow_between_reads(statuses, mastodon_channel, make_posted):
    post = make_posted(mastodon_channel, "111")
    statuses.add("111", likes=2, reposts=1, quotes=1, step=(3, 1, 0, 1))

    collect_engagement(now=T0 + 30 * timedelta(minutes=1))
    assert statuses.requests == [] and _samples(post) == []  # not due before an hour

    for hours in (1, 6, 24, 72, 7 * 24):
        collect_engagement(now=T0 + hours * HOUR)
    samples = _samples(post)
    assert [s.likes for s in samples] == [2, 5, 8, 11, 14]
    assert [s.reposts for s in samples] == [1, 2, 3, 4, 5]
    expected_quotes = [1, 2, 3, 4, 5] if statuses.profile == "mastodon" else [None] * 5
    assert [s.quotes for s in samples] == expected_quotes
    assert _tracker(post).state == TrackingState.DONE

    collect_engagement(now=T0 + 30 * 24 * HOUR)
    assert len(statuses.requests) == 5  # done: never read again


def test_a_post_up_for_days_before_tracking_is_read_once_now_then_at_the_next_offset(
    statuses, mastodon_channel, make_posted
):
    post = make_posted(mastodon_channel, "112")
    statuses.add("112", likes=7)
    collect_engagement(now=T0 + 30 * HOUR)
    assert [s.likes for s in _samples(post)] == [7]
    assert _tracker(post).next_poll_at == T0 + 72 * HOUR


def test_reply_tone_counts_direct_replies_the_hostility_check_flags(statuses, mastodon_channel, make_posted):
    post = make_posted(mastodon_channel, "113")
    statuses.add("113", replies=3, reply_texts=["Thank you, well said.", "What an idiot you are.", "Agreed"])
    collect_engagement(now=T0 + HOUR)
    (sample,) = _samples(post)
    assert (sample.replies, sample.replies_read, sample.hostile_replies) == (3, 3, 1)


def test_a_429_holds_every_post_on_that_server_until_the_reset(statuses, mastodon_channel, make_posted):
    posts = [make_posted(mastodon_channel, str(200 + i)) for i in range(3)]
    for post in posts:
        statuses.add(post.remote_id, likes=1)
    statuses.script("rate_limited", target="read")

    report = collect_engagement(now=T0 + HOUR)
    assert report.rate_limited == 1 and report.read == 0
    assert len(statuses.requests) == 1  # nothing more after the 429
    held_until = {_tracker(post).next_poll_at for post in posts}
    assert len(held_until) == 1 and held_until.pop() > T0 + HOUR

    # Real time has not reached the reset the server announced (five minutes from its clock).
    collect_engagement(now=T0 + HOUR + timedelta(minutes=1))
    assert len(statuses.requests) == 1


def test_a_pass_sends_at_most_its_budget_to_one_server(app, statuses, mastodon_channel, make_posted):
    app.config["COUNTERPOINT_ENGAGEMENT_REQUESTS_PER_PASS"] = 4
    for i in range(10):
        statuses.add(make_posted(mastodon_channel, str(300 + i)).remote_id, likes=i)
    first = collect_engagement(now=T0 + HOUR)
    assert len(statuses.requests) == 4 and first.read == 4
    collect_engagement(now=T0 + HOUR + timedelta(minutes=1))
    assert len(statuses.requests) == 8


def test_a_nearly_spent_allowance_stops_the_pass_before_the_limit(statuses, mastodon_channel, make_posted):
    if statuses.profile != "mastodon":
        pytest.skip("only Mastodon announces its remaining allowance on every answer")
    statuses.remaining = 7
    for i in range(5):
        statuses.add(make_posted(mastodon_channel, str(400 + i)).remote_id, likes=i)
    collect_engagement(now=T0 + HOUR)
    assert len(statuses.requests) == 2  # remaining 6, then 5: the floor; the rest waits for the reset


def test_a_deleted_post_is_marked_gone_and_not_read_again(statuses, mastodon_channel, make_posted):
    post = make_posted(mastodon_channel, "500")
    statuses.add("500", deleted=True)
    collect_engagement(now=T0 + HOUR)
    tracker = _tracker(post)
    assert tracker.state == TrackingState.GONE and "no longer" in tracker.last_error
    collect_engagement(now=T0 + 24 * HOUR)
    assert len(statuses.requests) == 1


def test_repeated_failures_back_off_then_stop(statuses, mastodon_channel, make_posted):
    post = make_posted(mastodon_channel, "600")
    statuses.add("600", likes=1)
    now = T0 + HOUR
    for _ in range(MAX_FAILURES):
        statuses.script("error", target="read")
        collect_engagement(now=now)
        tracker = _tracker(post)
        if tracker.state == TrackingState.TRACKING:
            assert tracker.next_poll_at > now  # backed off, not hammered
            now = tracker.next_poll_at
    assert _tracker(post).state == TrackingState.UNREACHABLE
    assert len(statuses.requests) == MAX_FAILURES
    collect_engagement(now=now + 30 * 24 * HOUR)
    assert len(statuses.requests) == MAX_FAILURES


def test_bluesky_counts_come_from_the_appview(appview, bluesky_channel, make_posted):
    uri = "at://did:plc:abc123/app.bsky.feed.post/3kabcdefghij2"
    post = make_posted(bluesky_channel, uri)
    appview.add(uri, likes=4, reposts=2, replies=1, quotes=1, step=(1, 0, 0, 0), reply_texts=["Lovely story"])
    collect_engagement(now=T0 + HOUR)
    collect_engagement(now=T0 + 6 * HOUR)
    samples = _samples(post)
    assert [(s.likes, s.reposts, s.replies, s.quotes) for s in samples] == [(4, 2, 1, 1), (5, 2, 1, 1)]
    assert (samples[0].replies_read, samples[0].hostile_replies) == (1, 0)


def test_bluesky_rate_limit_reset_is_respected(appview, bluesky_channel, make_posted):
    uri = "at://did:plc:abc123/app.bsky.feed.post/3kabcdefghij3"
    post = make_posted(bluesky_channel, uri)
    appview.add(uri, likes=1)
    appview.script("rate_limited", target="read")
    collect_engagement(now=T0 + HOUR)
    held = _tracker(post).next_poll_at
    assert held > T0 + HOUR
    collect_engagement(now=held - timedelta(seconds=1))
    assert len(appview.requests) == 1
    collect_engagement(now=held)
    assert [s.likes for s in _samples(post)] == [1]


def test_a_post_missing_from_the_appview_is_gone(appview, bluesky_channel, make_posted):
    post = make_posted(bluesky_channel, "at://did:plc:abc123/app.bsky.feed.post/3kabcdefghij4")
    collect_engagement(now=T0 + HOUR)
    assert _tracker(post).state == TrackingState.GONE


def test_webhook_and_manual_posts_wait_for_counts_typed_in(org, make_channel, make_posted, appview):
    hook = make_channel(
        org, "webhook", credentials={"secret": "whsec_" + "a" * 32}, settings={"url": appview.url}
    )
    manual = make_channel(org, "manual")
    posts = [make_posted(hook, "delivery-1"), make_posted(manual, None)]
    collect_engagement(now=T0 + HOUR)
    assert [_tracker(post).state for post in posts] == [TrackingState.MANUAL, TrackingState.MANUAL]
    assert appview.requests == []
