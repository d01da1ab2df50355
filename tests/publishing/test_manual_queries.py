"""The by-hand page re-checks its posts with what it read once for the page: more posts, no more queries."""

from __future__ import annotations

from app.extensions import db
from app.publishing import services
from tests.queries import queries_for

PAUSED = "Do not post it now: Publishing is paused for the whole coalition."


def test_more_posts_by_hand_cost_no_more_queries(
    client, auth, lead, admin, org, make_channel, make_message, schedule, now
):
    channel = make_channel(org, "manual", name="By hand")
    posts = [post for _ in range(2) for post in schedule(make_message(), [channel], now=now)]
    auth.login(lead)
    two, page = queries_for(client, "/publishing/manual")
    assert all(f'data-copy="manual-text-{post.id}"' in page for post in posts)

    posts += [post for _ in range(8) for post in schedule(make_message(), [channel], now=now)]
    ten, page = queries_for(client, "/publishing/manual")
    assert all(f'data-copy="manual-text-{post.id}"' in page for post in posts)  # none held
    assert ten == two, f"2 posts: {two} queries, 10 posts: {ten}"

    services.set_global_pause(True, actor=admin, reason="Crisis")
    db.session.commit()
    paused, page = queries_for(client, "/publishing/manual")
    assert page.count(PAUSED) == 10  # the pause, read once for the page, still holds every post
    assert "data-copy=" not in page
    assert paused <= two, f"10 posts paused: {paused} queries, 2 posts not paused: {two}"
