"""The whole path a message takes, in a real browser with CSRF on: draft, edit with live checks,
submit, approve, schedule, publish to the webhook sink."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import seed_demo
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.models import Post, PostStatus
from tests.browser.conftest import sign_in

PASSWORD = "demo password for browsers"
HOSTILE = "Only an idiot would believe this. You people are the problem."
CALM = (
    "Our neighbours keep this town running: they teach, nurse, cook and coach. "
    "Let's judge people by what they do for each other. #NeighboursFirst"
)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "COUNTERPOINT_DEV_WEBHOOK_SINK": True}


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD)


def test_staff_drafts_edits_with_live_checks_and_submits_then_lead_approves(browser, live_server, demo):
    staff = browser.new_context(base_url=live_server).new_page()
    sign_in(staff, "staff@demo.example", PASSWORD)
    staff.click("nav a:has-text('Campaigns')")
    staff.click("a:has-text('Neighbours, not numbers')")
    staff.click("a:has-text('Draft messages')")
    assert "offline" in staff.content().lower()
    before = set(db.session.scalars(select(Message.id)))
    staff.click("main button:has-text('Get drafts')")
    db.session.expire_all()
    new_draft = max(set(db.session.scalars(select(Message.id))) - before)
    staff.click(f"main a[href='/messages/{new_draft}']")
    staff.wait_for_load_state()  # the editor's scripts must listen for keys before we type (slow under load)

    editor = staff.locator("textarea[name=text]")
    editor.fill(HOSTILE)
    editor.press("End")  # a keyup starts the live check
    staff.wait_for_selector("#live-checks [data-code='tone.hostile']")
    assert staff.locator("#submit-box button").is_disabled()

    editor.fill(CALM)
    editor.press("End")
    staff.wait_for_selector("#live-checks [data-code='tone.hostile']", state="detached")
    staff.click("button:has-text('Save as a new version')")
    assert staff.locator("#submit-box button").is_enabled()
    staff.click("#submit-box button")
    db.session.expire_all()
    message = db.session.get(Message, new_draft)
    assert message.status == MessageStatus.IN_REVIEW and message.text == CALM

    lead = browser.new_context(base_url=live_server).new_page()
    sign_in(lead, "lead@demo.example", PASSWORD)
    lead.goto(f"/review/messages/{message.id}")
    assert CALM[:40] in lead.content()
    override = lead.locator("textarea[name=override_reason], input[name=override_reason]")
    if override.count():
        override.first.fill("Checked the wording with the team.")
    lead.click("button:has-text('Approve this version')")
    db.session.expire_all()
    assert db.session.get(Message, message.id).status == MessageStatus.APPROVED


def test_the_demo_post_reaches_the_webhook_sink_once_and_shows_as_posted(browser, live_server, demo, app):
    from app.channels.models import Channel
    from app.publishing.devsink import SINK_PATH
    from app.publishing.models import SinkDelivery
    from app.worker import tick

    webhook = db.session.scalar(select(Channel).where(Channel.platform == "webhook"))
    webhook.settings = {**webhook.settings, "url": live_server + SINK_PATH}  # the sink on this test's port
    for post in db.session.scalars(select(Post)):
        post.scheduled_at = post.scheduled_at.replace(year=2000)  # due now
        post.lateness_confirmed = True  # a person confirmed the late slot
    db.session.commit()

    tick(app, "browser-test")
    tick(app, "browser-test")  # a second pass must not send it again
    db.session.expire_all()
    statuses = {post.channel.platform: post.status for post in db.session.scalars(select(Post))}
    assert statuses == {
        "webhook": PostStatus.POSTED,
        "manual": PostStatus.QUEUED,
    }  # manual waits for a person
    assert len(db.session.scalars(select(SinkDelivery)).all()) == 1

    page = browser.new_context(base_url=live_server).new_page()
    sign_in(page, "admin@demo.example", PASSWORD)  # the sink's list is for admins
    page.goto(SINK_PATH)
    assert "Our town works because neighbours show up" in page.content()
    page.goto("/publishing/posts")
    assert "posted" in page.locator("main").inner_text().lower()
