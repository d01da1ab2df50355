"""What a hostile review probed on publishing: other organisations' admins, platform links, redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.common.redirects import local_target
from app.extensions import db
from app.publishing.models import Post, PostStatus


def test_another_organisations_admin_sees_and_schedules_nothing(
    client, auth, make_org, make_user, make_channel, make_message
):
    message = make_message()
    other = make_org("elsewhere", name="Elsewhere")
    other_admin = make_user(Role.ADMIN, org=other)
    their_channel = make_channel(other, "manual", name="Their page")
    auth.login(other_admin)
    assert message.text not in client.get("/publishing/ready").get_data(as_text=True)
    assert client.get(f"/publishing/schedule/{message.id}").status_code == 404
    response = client.post(
        f"/publishing/schedule/{message.id}", data={"channel_ids": [their_channel.id], "mode": "next"}
    )
    assert response.status_code == 404
    assert db.session.scalar(select(Post)) is None


def test_a_javascript_link_from_a_receiver_never_reaches_a_page(
    client, auth, staff, platform_channel, make_message, schedule, dispatch, now
):
    channel, receiver = platform_channel("webhook")
    receiver.reply_url = "javascript:alert(document.cookie)"
    [post] = schedule(make_message(), [channel], now=now)
    dispatch(now)
    db.session.expire_all()
    assert post.status == PostStatus.POSTED and post.remote_url is None
    auth.login(staff)
    assert "javascript:" not in client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)


def test_an_https_link_from_a_receiver_is_kept(platform_channel, make_message, schedule, dispatch, now):
    channel, receiver = platform_channel("webhook")
    receiver.reply_url = "https://partner.example/posts/1"
    [post] = schedule(make_message(), [channel], now=now)
    dispatch(now)
    db.session.expire_all()
    assert post.remote_url == "https://partner.example/posts/1"


def test_mark_posted_refuses_a_link_that_is_not_a_web_address(
    client, auth, staff, org, make_channel, make_message, schedule, now
):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    auth.login(staff)
    client.post(f"/publishing/posts/{post.id}/mark-posted", data={"url": "javascript:alert(1)"})
    db.session.expire_all()
    assert post.status == PostStatus.QUEUED and post.remote_url is None


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "/\t/evil.example", "javascript:x"],
)
def test_mark_posted_never_redirects_off_site(
    client, auth, staff, org, make_channel, make_message, schedule, now, target
):
    [post] = schedule(make_message(), [make_channel(org, "manual")], now=now)
    auth.login(staff)
    for url in ("https://instagram.example/p/1", ""):  # after success, and after a refused form
        response = client.post(f"/publishing/posts/{post.id}/mark-posted", data={"url": url, "next": target})
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/") and "evil" not in response.headers["Location"]


def test_local_targets_are_kept():
    assert local_target("/publishing/manual?x=1") == "/publishing/manual?x=1"


@pytest.mark.parametrize("when", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_a_schedule_time_out_of_range_is_a_form_error(
    client, auth, lead, org, make_channel, make_message, when
):
    org.time_zone = "America/Los_Angeles"  # 9999-12-31 23:59 there is beyond year 9999 in UTC
    db.session.commit()
    channel = make_channel(org, "manual")
    message = make_message()
    auth.login(lead)
    response = client.post(
        f"/publishing/schedule/{message.id}", data={"channel_ids": [channel.id], "mode": "at", "at": when}
    )
    assert response.status_code in (200, 400)
    assert "between 1900 and 2200" in response.get_data(as_text=True)
    assert db.session.scalar(select(Post)) is None
