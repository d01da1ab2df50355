"""The whole journey in each language, at desktop and phone widths: staff drafts, fixes and submits; the
lead approves and goes straight on to scheduling; the posts page shows the queued post. Nothing is wider
than the screen and every step's page speaks the reader's language."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.campaigns.models import Campaign
from app.channels.models import Channel
from app.demo import seed_demo
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.models import Post, PostStatus
from tests.browser.conftest import sign_in

PASSWORD = "demo password for browsers"
CALM = (
    "Our neighbours keep this town running: they teach, nurse, cook and coach. "
    "Let's judge people by what they do for each other. #NeighboursFirst"
)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def demo(app):
    seed_demo(PASSWORD)


def _person(browser, live_server, email: str, language: str, width: int):
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR" if language == "fr" else "en-GB",
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    sign_in(page, email, PASSWORD)
    return page


def _fits(page, width: int, language: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    assert page.locator("html").get_attribute("lang") == language, page.url


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_draft_submit_approve_schedule_in_each_language_and_width(
    browser, live_server, demo, language, width
):
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    staff = _person(browser, live_server, "staff@demo.example", language, width)
    staff.goto(f"/campaigns/{campaign.id}/draft")
    _fits(staff, width, language)
    before = set(db.session.scalars(select(Message.id)))
    with staff.expect_navigation():
        staff.click("main form[method=post] button[type=submit]")
    db.session.expire_all()
    draft = max(set(db.session.scalars(select(Message.id))) - before)

    staff.goto(f"/messages/{draft}")
    _fits(staff, width, language)
    editor = staff.locator("textarea[name=text]")
    editor.fill(CALM)
    editor.press("End")
    staff.wait_for_selector("#submit-box button:not([disabled])")
    with staff.expect_navigation():
        staff.click("#submit-box button")
    db.session.expire_all()
    assert db.session.get(Message, draft).status == MessageStatus.IN_REVIEW

    lead = _person(browser, live_server, "lead@demo.example", language, width)
    lead.goto("/")
    assert lead.locator(".waiting a[href='/review']").count() == 1  # the dashboard says a review waits
    lead.goto(f"/review/messages/{draft}")
    _fits(lead, width, language)
    override = lead.locator("textarea[name$=override_reason]")
    if override.count():
        override.first.fill("Checked with the team.")
    with lead.expect_navigation():
        lead.click(f"form[action$='/review/messages/{draft}/approve'] button[type=submit]")
    db.session.expire_all()
    assert db.session.get(Message, draft).status == MessageStatus.APPROVED

    with lead.expect_navigation():
        lead.click(".next-step a[role=button]")  # on to scheduling, straight from the approval
    _fits(lead, width, language)
    webhook = db.session.scalar(select(Channel).where(Channel.platform == "webhook"))
    lead.check(f"input[name=channel_ids][value='{webhook.id}']")
    with lead.expect_navigation():
        lead.click("main form[method=post] button[type=submit]")
    _fits(lead, width, language)
    db.session.expire_all()
    post = db.session.scalar(select(Post).where(Post.message_id == draft))
    assert post is not None and post.status == PostStatus.QUEUED
    queued = "en file d'attente" if language == "fr" else "queued"
    assert queued in lead.locator("main").inner_text()
