"""The editor in a browser: a finding is listed once for all platforms, a live fix can be submitted at
once, and after saving the page returns to the checks rather than the top."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import seed_demo
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from tests.browser.conftest import sign_in

PASSWORD = "demo password for browsers"
HOSTILE = "Only an idiot would believe this. You people are the problem."
CALM = "Our neighbours keep this town running: they teach, nurse, cook and coach. #NeighboursFirst"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def draft(app) -> int:
    seed_demo(PASSWORD)
    return db.session.scalar(
        select(Message.id).where(Message.status == MessageStatus.DRAFT).order_by(Message.id)
    )


def test_a_live_fix_is_submitted_without_saving_first_and_findings_show_once(browser, live_server, draft):
    page = browser.new_context(base_url=live_server).new_page()
    sign_in(page, "staff@demo.example", PASSWORD)
    page.goto(f"/messages/{draft}")
    editor = page.locator("textarea[name=text]")
    editor.fill(HOSTILE)
    editor.press("End")
    page.wait_for_selector("#live-checks [data-code='tone.hostile']")
    assert page.locator("#live-checks [data-code='tone.hostile']").count() == 1  # once, not per platform
    assert page.locator("#submit-box button").is_disabled()

    editor.fill(CALM)
    editor.press("End")
    page.wait_for_selector("#live-checks [data-code='tone.hostile']", state="detached")
    assert page.locator("#submit-box button").is_enabled()  # no need to save first
    with page.expect_navigation():
        page.click("#submit-box button")
    db.session.expire_all()
    message = db.session.get(Message, draft)
    assert message.status == MessageStatus.IN_REVIEW and message.text == CALM


def test_after_saving_focus_returns_to_the_checks(browser, live_server, draft):
    page = browser.new_context(base_url=live_server).new_page()
    sign_in(page, "staff@demo.example", PASSWORD)
    page.goto(f"/messages/{draft}")
    page.locator("textarea[name=text]").fill(CALM)
    with page.expect_navigation():
        page.click("button:has-text('Save as a new version')")
    assert page.url.endswith("#checks")
    assert page.evaluate("document.activeElement.id") == "checks"
    for _ in range(6):  # Submit is a few Tab presses away, not twenty
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('#submit-box') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('#submit-box') !== null")


def test_the_draft_form_follows_the_chosen_trends_severity_gate(browser, live_server, draft):
    from app.campaigns.models import Campaign
    from app.trends.models import Trend

    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    gated = next(t for t in campaign.trends if t.is_gated)
    mild = db.session.scalar(
        select(Trend).where(Trend.id.in_([t.id for t in campaign.trends]), Trend.severity < 3)
    )
    page = browser.new_context(base_url=live_server).new_page()
    sign_in(page, "staff@demo.example", PASSWORD)
    page.goto(f"/campaigns/{campaign.id}/draft?trend_id={mild.id}")
    note = page.locator(f".severity-note[data-trend='{gated.id}']")
    assert note.is_hidden() and page.locator("#strategy-facts").is_enabled()
    page.select_option("select[name=trend_id]", str(gated.id))
    assert note.is_visible() and page.locator(".severity-note:visible").count() == 1
    assert (
        page.locator("#strategy-facts").is_disabled() and page.locator("#strategy-alternative").is_enabled()
    )
    page.select_option("select[name=trend_id]", str(mild.id))
    assert note.is_hidden() and page.locator("#strategy-facts").is_enabled()
