"""A lead drags a queued post to another day (month view) or hour (week view) on the calendar; the server's
windows, spacing and caps decide, its answer is read out, and a refused move leaves the post in place."""

from __future__ import annotations

import os
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.channels.models import Channel
from app.channels.scheduling import parse_windows
from app.common.audit_actions import AuditAction
from app.common.time import as_utc, utcnow
from app.demo import seed_demo
from app.extensions import db
from app.publishing.models import Post
from tests.browser.conftest import serious_violations, sign_in

PASSWORD = "demo password for dragging"
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def monday() -> date:
    """A Monday at least a week ahead, so every day of its week is in the future."""
    today = utcnow().astimezone(PARIS).date()
    return today + timedelta(days=14 - today.weekday())


@pytest.fixture
def queued(app, monday) -> Post:
    """The demo's webhook post, queued for Monday 10:00 on a channel that posts on weekdays 09:00-18:00."""
    seed_demo(PASSWORD)
    channel = db.session.scalar(select(Channel).where(Channel.platform == "webhook"))
    channel.posting_windows = parse_windows("mon-fri 09:00-18:00")
    channel.min_spacing_minutes = 60
    post = db.session.scalar(select(Post).where(Post.channel_id == channel.id))
    post.scheduled_at = datetime.combine(monday, time(10), tzinfo=PARIS)
    db.session.commit()
    return post


def _new_page(browser, live_server, email: str, width: int = 1280):
    context = browser.new_context(
        base_url=live_server, locale="en-GB", viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, email, PASSWORD)
    return page, errors


def _scheduled(post: Post) -> datetime:
    db.session.expire_all()
    return as_utc(db.session.get(Post, post.id).scheduled_at).astimezone(PARIS)


def _chip(page, post: Post):
    return page.locator(f".calendar-post[data-post-id='{post.id}']")


def test_a_lead_drags_a_queued_post_onto_another_day_and_it_keeps_its_time(
    browser, live_server, queued, monday
):
    page, errors = _new_page(browser, live_server, "lead@demo.example")
    page.goto(f"/publishing/calendar?view=month&date={monday.isoformat()}")
    wednesday = (monday + timedelta(days=2)).isoformat()
    chip = _chip(page, queued)
    expect(chip).to_have_attribute("draggable", "true")

    chip.drag_to(page.locator(f"td[data-date='{wednesday}']"))

    status = page.locator("#calendar-move-status")
    expect(status).to_contain_text("Moved to")
    expect(status).to_have_attribute("role", "status")
    expect(
        page.locator(f"td[data-date='{wednesday}'] .calendar-post[data-post-id='{queued.id}']")
    ).to_be_visible()
    expect(
        page.locator(f"td[data-date='{monday.isoformat()}'] .calendar-post[data-post-id='{queued.id}']")
    ).to_have_count(0)
    assert _scheduled(queued) == datetime.combine(monday + timedelta(days=2), time(10), tzinfo=PARIS)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.POST_MOVED))
    assert event is not None and event.object_id == str(queued.id)
    # The page was not reloaded: the move happened in place, and the next drag works on the new calendar.
    expect(_chip(page, queued)).to_have_attribute("draggable", "true")
    assert not errors, errors


def test_a_drop_on_a_week_hour_moves_the_post_to_that_hour(browser, live_server, queued, monday):
    page, errors = _new_page(browser, live_server, "lead@demo.example")
    page.goto(f"/publishing/calendar?view=week&date={monday.isoformat()}")
    tuesday = (monday + timedelta(days=1)).isoformat()
    chip = _chip(page, queued)
    box = chip.bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 5)
    page.mouse.down()
    page.mouse.move(box["x"] + 30, box["y"] + 20, steps=3)
    slot = page.locator(f"td[data-date='{tuesday}'] .hour-slots li[data-hour='14']")
    expect(slot).to_be_visible()  # the hour targets appear while a post is dragged
    slot.hover()
    page.mouse.move(*_centre(slot), steps=2)
    expect(slot).to_have_class("drop-over")  # the target under the pointer is marked
    if shots := os.environ.get("UX_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/calendar_week_dragging.png", full_page=True)
    page.mouse.up()

    expect(page.locator("#calendar-move-status")).to_contain_text("Moved to")
    expect(
        page.locator(f"td[data-date='{tuesday}'] .calendar-post[data-post-id='{queued.id}']")
    ).to_contain_text("14:00")
    if shots:
        page.screenshot(path=f"{shots}/calendar_week_moved.png", full_page=True)
    expect(page.locator(".hour-slots li[data-hour='14']").first).to_be_hidden()  # hidden again after the drop
    assert _scheduled(queued) == datetime.combine(monday + timedelta(days=1), time(14), tzinfo=PARIS)
    assert not errors, errors


def _centre(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_a_drop_outside_the_channels_windows_shows_the_refusal_and_leaves_the_post(
    browser, live_server, queued, monday
):
    page, errors = _new_page(browser, live_server, "lead@demo.example")
    page.goto(f"/publishing/calendar?view=month&date={monday.isoformat()}")
    saturday = (monday + timedelta(days=5)).isoformat()

    _chip(page, queued).drag_to(page.locator(f"td[data-date='{saturday}']"))

    status = page.locator("#calendar-move-status")
    expect(status).to_contain_text("cannot post then")
    expect(status).to_have_class("calendar-move-status flash flash-error")
    if shots := os.environ.get("UX_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/calendar_month_refused.png", full_page=True)
    expect(
        page.locator(f"td[data-date='{monday.isoformat()}'] .calendar-post[data-post-id='{queued.id}']")
    ).to_be_visible()
    expect(
        page.locator(f"td[data-date='{saturday}'] .calendar-post[data-post-id='{queued.id}']")
    ).to_have_count(0)
    assert _scheduled(queued) == datetime.combine(monday, time(10), tzinfo=PARIS)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.POST_MOVED)) is None
    assert not errors, errors


def test_staff_see_nothing_draggable(browser, live_server, queued, monday):
    page, _errors = _new_page(browser, live_server, "staff@demo.example")
    for view in ("week", "month"):
        page.goto(f"/publishing/calendar?view={view}&date={monday.isoformat()}")
        expect(_chip(page, queued)).to_be_visible()
        expect(page.locator("[draggable=true]")).to_have_count(0)
        expect(page.locator(".move-to")).to_have_count(0)


def test_on_a_phone_the_move_form_remains_and_nothing_is_draggable(browser, live_server, queued, monday):
    page, errors = _new_page(browser, live_server, "lead@demo.example", width=390)
    page.goto(f"/publishing/calendar?view=week&date={monday.isoformat()}")
    chip = _chip(page, queued)
    expect(chip).not_to_have_attribute("draggable", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    chip.locator("summary").click()
    chip.locator("input[name=at]").fill(f"{(monday + timedelta(days=3)).isoformat()}T11:00")
    chip.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_contain_text("Moved to")
    assert _scheduled(queued) == datetime.combine(monday + timedelta(days=3), time(11), tzinfo=PARIS)
    assert not errors, errors


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_lead_calendar_passes_axe(browser, live_server, queued, monday, language):
    context = browser.new_context(base_url=live_server, locale="fr-FR" if language == "fr" else "en-GB")
    page = context.new_page()
    sign_in(page, "lead@demo.example", PASSWORD)
    problems: list[str] = []
    for view in ("week", "month"):
        page.goto(f"/publishing/calendar?view={view}&date={monday.isoformat()}")
        expect(_chip(page, queued)).to_have_attribute("draggable", "true")
        problems += [f"{view}: {violation}" for violation in serious_violations(page)]
    # After a refused drop the status message is shown: still no serious or critical violation.
    _chip(page, queued).drag_to(page.locator(f"td[data-date='{(monday + timedelta(days=6)).isoformat()}']"))
    expect(page.locator("#calendar-move-status.flash-error")).to_be_visible()
    problems += [f"after a refusal: {violation}" for violation in serious_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)
