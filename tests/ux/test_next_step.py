"""Each page says what comes next: the dashboard lists what waits, approval leads on to scheduling,
a held post says why and what to do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.demo import seed_demo
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing import services as publishing
from app.publishing.models import Post, PostStatus
from app.review import services as review

PASSWORD = "demo password for next steps"


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD)
    db.session.execute(db.update(User).values(language=None))
    db.session.commit()


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _login(client, email: str) -> None:
    client.post("/login", data={"email": email, "password": PASSWORD})


def _submit_a_draft() -> Message:
    draft = db.session.scalar(
        select(Message).where(Message.status == MessageStatus.DRAFT).order_by(Message.id)
    )
    review.submit(draft, _user("staff@demo.example"))
    db.session.commit()
    return draft


def test_the_leads_dashboard_lists_the_message_waiting_for_review(client, demo):
    _login(client, "lead@demo.example")
    assert "message waits for your review" not in client.get("/").get_data(as_text=True)
    _submit_a_draft()
    page = client.get("/").get_data(as_text=True)
    assert "1 message waits for your review" in page and 'href="/review"' in page
    assert "Next posts" in page and "Demo NGO newsletter tool (webhook)" in page


def test_the_dashboard_is_honest_under_a_publishing_pause(client, demo):
    publishing.set_global_pause(True, actor=_user("admin@demo.example"), reason="Incident")
    db.session.commit()
    _login(client, "lead@demo.example")
    page = client.get("/").get_data(as_text=True)
    assert "Scheduled posts go out on their own" not in page
    assert "none of these goes out until an admin resumes it" in page


def test_the_dashboard_speaks_french_to_a_french_reader(client, demo):
    _submit_a_draft()
    _login(client, "lead@demo.example")
    page = client.get("/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "1 message attend votre relecture" in page and "Prochaines publications" in page


def test_after_the_last_approval_the_page_offers_scheduling(client, demo):
    message = _submit_a_draft()
    _login(client, "lead@demo.example")
    response = client.post(
        f"/review/messages/{message.id}/approve",
        data={
            f"approve-{message.id}-version_id": message.current_version_id,
            f"approve-{message.id}-override_reason": "Checked by the team.",
        },
    )
    assert response.status_code == 302 and response.location.endswith(f"/review/messages/{message.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert f'href="/publishing/schedule/{message.id}"' in page and "Schedule this message" in page


def test_a_held_post_says_why_and_what_to_do(client, demo):
    post = db.session.scalar(select(Post).order_by(Post.id))
    post.status, post.held_reason = PostStatus.HELD, "campaign_not_active"
    db.session.commit()
    _login(client, "lead@demo.example")
    page = client.get(f"/publishing/posts/{post.id}").get_data(as_text=True)
    assert "the campaign is not active" in page
    assert "Set the campaign back to active, then resume the post below." in page
    assert "the worker sends the post at its slot" not in page


def test_editing_a_message_in_review_warns_first_and_tells_the_reviewers_after(client, demo):
    from app.notifications.models import Notification

    message = _submit_a_draft()
    _login(client, "staff@demo.example")
    page = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "Saving a new version takes it out of the review queue" in page and "data-confirm=" in page
    client.post(f"/messages/{message.id}", data={"text": message.text + " Neighbours first."})
    db.session.expire_all()
    assert db.session.get(Message, message.id).status == MessageStatus.DRAFT
    lead = _user("lead@demo.example")
    told = db.session.scalars(select(Notification).where(Notification.user_id == lead.id)).all()
    assert any(note.kind == "review_withdrawn" for note in told)


def test_the_calendar_shows_each_posts_first_words_and_state_in_week_and_month(client, demo):
    post = db.session.scalar(select(Post).order_by(Post.id))
    _login(client, "lead@demo.example")
    day = post.scheduled_at.date().isoformat()
    for view in ("week", "month"):
        page = client.get(f"/publishing/calendar?view={view}&date={day}").get_data(as_text=True)
        assert post.text[:25] in page and "queued" in page
