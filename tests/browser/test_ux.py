"""Every main page in both languages, at desktop and phone widths: axe-core finds no serious or critical
violation and nothing is wider than the screen. Screenshots go to $UX_SCREENSHOTS when it is set."""

from __future__ import annotations

import os
import re

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.channels.models import Channel
from app.demo import seed_demo
from app.drafting.models import Message, MessageStatus
from app.extensions import db
from app.publishing.models import Post
from app.trends.models import Trend
from tests.browser.conftest import serious_violations, sign_in

PASSWORD = "demo password for browsers"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def demo_pages(app) -> list[str]:
    seed_demo(PASSWORD)
    db.session.execute(db.update(User).values(language=None))
    db.session.commit()
    trend = db.session.scalar(select(Trend).order_by(Trend.id))
    campaign = db.session.scalar(select(Campaign).order_by(Campaign.id))
    message = db.session.scalar(select(Message).order_by(Message.id))
    approved = db.session.scalar(select(Message).where(Message.status == MessageStatus.APPROVED))
    post = db.session.scalar(select(Post).order_by(Post.id))
    channel = db.session.scalar(select(Channel).order_by(Channel.id))
    return [
        "/", "/trends/", f"/trends/{trend.id}", "/trends/new", "/trends/import", "/campaigns/",
        f"/campaigns/{campaign.id}", f"/campaigns/{campaign.id}/knowledge", f"/campaigns/{campaign.id}/draft",
        f"/messages/{message.id}", "/checks", "/review", f"/review/messages/{message.id}", "/review/mine",
        "/notifications", "/channels/", f"/channels/{channel.id}", "/channels/new", "/publishing/posts",
        f"/publishing/posts/{post.id}", "/publishing/calendar", "/publishing/calendar?view=month",
        "/publishing/manual", "/publishing/partner-requests", "/publishing/ready",
        f"/publishing/schedule/{approved.id}", "/account", "/admin/users", "/admin/organisations",
        "/admin/audit/", "/admin/tokens",
    ]  # fmt: skip


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_main_pages_pass_axe_and_fit_the_screen(browser, live_server, demo_pages, language, width):
    context = browser.new_context(
        base_url=live_server,
        locale="fr-FR" if language == "fr" else "en-GB",
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    sign_in(page, "admin@demo.example", PASSWORD)
    shots = os.environ.get("UX_SCREENSHOTS")
    problems: list[str] = []
    for path in demo_pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert page.locator("html").get_attribute("lang") == language
        if shots:
            name = re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_") or "dashboard"
            page.screenshot(path=f"{shots}/{name}_{language}_{width}.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth") - width
        if overflow > 0:
            problems.append(f"{path}: {overflow}px wider than the {width}px screen")
        problems += [f"{path}: {violation}" for violation in serious_violations(page)]
    # A form sent back with errors: fields are marked invalid (never aria-invalid="None") and labelled.
    page.goto("/trends/new")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=None]").count() == 0
    problems += [f"/trends/new with errors: {violation}" for violation in serious_violations(page)]
    context.close()
    assert not problems, "\n".join(problems)
