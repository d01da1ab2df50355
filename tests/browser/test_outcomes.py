"""A lead opens a campaign's report, in English and in French, on a desk and on a phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.campaigns.models import Campaign
from app.common.time import utcnow
from app.demo import seed_demo
from app.drafting.models import Message
from app.extensions import db
from app.outcomes.models import EngagementSample, SampleSource
from app.publishing.models import Post, PostStatus
from tests.browser.conftest import sign_in

PASSWORD = "demo password for browsers"


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def campaign_with_counts(app) -> Campaign:
    """The demo campaign, with its scheduled posts marked as out and one reading of counts each."""
    seed_demo(PASSWORD)
    campaign = db.session.scalar(select(Campaign).where(Campaign.title == "Neighbours, not numbers"))
    posts = db.session.scalars(select(Post).join(Message).where(Message.campaign_id == campaign.id)).all()
    assert posts, "the demo schedules an approved message"
    for number, post in enumerate(posts, start=1):
        post.status, post.posted_at, post.remote_id = (
            PostStatus.POSTED,
            utcnow() - timedelta(days=1),
            f"r{number}",
        )
        db.session.add(
            EngagementSample(
                post_id=post.id, likes=10 * number, reposts=number, replies=1, source=SampleSource.MANUAL
            )
        )
    db.session.commit()
    return campaign


@pytest.mark.parametrize("width", [1280, 390])
def test_lead_reads_prints_and_exports_the_report_in_both_languages(
    browser, live_server, campaign_with_counts, width
):
    context = browser.new_context(
        base_url=live_server, viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    sign_in(page, "lead@demo.example", PASSWORD)
    page.goto(f"/campaigns/{campaign_with_counts.id}")
    page.click("a:has-text('Report')")
    assert page.locator("h1").inner_text() == "Report: Neighbours, not numbers"
    assert page.locator("text=Posts and interactions by counter-speech strategy").count() == 1
    assert page.locator("figure.report-chart svg").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing overflows

    with page.expect_download() as download:
        page.click("a:has-text('Export as CSV')")
    exported = download.value.path().read_text(encoding="utf-8-sig")
    assert exported.splitlines()[0].startswith("Post,")

    page.emulate_media(media="print")
    assert page.locator("a:has-text('Export as CSV')").is_hidden()  # the print stylesheet hides buttons
    page.emulate_media(media="screen")

    page.click("button[name=language][value=fr]")
    page.goto(f"/outcomes/campaigns/{campaign_with_counts.id}")
    assert page.locator("h1").inner_text() == "Bilan : Neighbours, not numbers"
    assert page.locator("h2", has_text="Par stratégie").count() == 1
    assert page.locator("h2", has_text="By strategy").count() == 0
    page.screenshot(path=f"/tmp/report-fr-{width}.png", full_page=True)
    context.close()
