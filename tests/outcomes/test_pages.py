"""Report pages, CSV export, counts typed in, and the API: what people and scripts see."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.outcomes.models import EngagementSample
from app.publishing.models import PostStatus


@pytest.fixture
def signed_in(auth, staff):
    auth.login(staff)
    return staff


def _posts(campaign):
    from app.publishing.models import Post

    return db.session.scalars(
        select(Post).join(Post.message).where(Post.message.has(campaign_id=campaign.id))
    )


def test_campaign_report_page_shows_figures_with_the_posts_behind_them(client, signed_in, world):
    campaign, _ = world
    page = client.get(f"/outcomes/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Report: Libraries for all" in page
    assert "Empathy and perspective-taking" in page and "too few to compare" in page
    assert "1 d 1 h (first seen" in page
    assert "median 20 % of words, over 2 approved drafts" in page
    assert "<svg" in page and "Bars: posts of the hateful narrative" in page


def test_report_page_in_french(client, signed_in, world):
    campaign, _ = world
    client.post("/language", data={"language": "fr", "next": "/"})
    page = client.get(f"/outcomes/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Bilan : Libraries for all" in page
    assert "Par stratégie" in page and "Exporter en CSV" in page
    assert "By strategy" not in page


def test_csv_export_is_formula_safe_and_in_the_readers_language(client, signed_in, world):
    campaign, _ = world
    masto = next(p.channel for p in _posts(campaign) if p.channel.platform == "mastodon")
    masto.display_name = '=HYPERLINK("https://evil.example","click")'
    db.session.commit()
    response = client.get(f"/outcomes/campaigns/{campaign.id}.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "Post" and len(rows) == 4  # header + the three posts that went out
    assert all(not cell.startswith("=") for row in rows for cell in row)
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)


def test_another_organisations_campaign_report_is_not_found(client, auth, make_user, make_org, world):
    campaign, trend = world
    outsider = make_user("lead", org=make_org())
    auth.login(outsider)
    assert client.get(f"/outcomes/campaigns/{campaign.id}").status_code == 404
    assert client.get(f"/outcomes/campaigns/{campaign.id}.csv").status_code == 404
    # Trends are shared across the coalition, but another organisation's posts are not counted.
    page = client.get(f"/outcomes/trends/{trend.id}").get_data(as_text=True)
    assert "Nothing has been posted yet" in page


def test_staff_record_counts_for_a_webhook_post(client, signed_in, world):
    campaign, _ = world
    hook_post = next(
        p for p in _posts(campaign) if p.channel.platform == "webhook" and p.status == PostStatus.POSTED
    )
    url = f"/outcomes/posts/{hook_post.id}/engagement"
    bad = client.post(url, data={"likes": "12", "reposts": "-1", "replies": "lots"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and 'value="12"' in page  # what was typed is kept
    assert "Enter a whole number" in page or "Not a valid integer" in page
    before = db.session.scalar(select(func.count(EngagementSample.id)))
    good = client.post(url, data={"likes": "12", "reposts": "3", "replies": "2", "quotes": ""})
    assert good.status_code == 302
    assert db.session.scalar(select(func.count(EngagementSample.id))) == before + 1
    assert (
        db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "engagement.recorded"))
        == 1
    )
    history = client.get(url).get_data(as_text=True)
    assert "<td>12</td>" in history


def test_counts_cannot_be_recorded_for_a_post_that_did_not_go_out(client, signed_in, world):
    campaign, _ = world
    queued = next(p for p in _posts(campaign) if p.status == PostStatus.QUEUED)
    response = client.post(
        f"/outcomes/posts/{queued.id}/engagement", data={"likes": 1, "reposts": 0, "replies": 0}
    )
    assert "has not gone out" in response.get_data(as_text=True) or response.status_code == 200
    assert (
        db.session.scalar(
            select(func.count(EngagementSample.id)).where(EngagementSample.post_id == queued.id)
        )
        == 0
    )


def test_api_reports_match_the_document(client, make_token, bearer, openapi_check, world):
    campaign, trend = world
    token = make_token(campaign.organisation)
    response = client.get(f"/api/v1/campaigns/{campaign.id}/report", headers=bearer(token))
    assert response.status_code == 200
    openapi_check(response, "/campaigns/{id}/report", "get")
    body = response.get_json()
    assert body["totals"]["interactions"] == 10 and body["totals"]["measured"] == 2
    assert body["first_posts"][0]["hours_to_first_post"] == 25.0
    trend_response = client.get(f"/api/v1/trends/{trend.id}/report", headers=bearer(token))
    openapi_check(trend_response, "/trends/{id}/report", "get")


def test_api_records_counts_and_lists_them_with_the_posts(
    client, make_token, bearer, openapi_check, world, make_org
):
    campaign, _ = world
    token = make_token(campaign.organisation)
    hook_post = next(
        p for p in _posts(campaign) if p.channel.platform == "webhook" and p.status == PostStatus.POSTED
    )
    url = f"/api/v1/posts/{hook_post.id}/engagement"
    assert (
        client.post(url, json={"likes": -1, "reposts": 0, "replies": 0}, headers=bearer(token)).status_code
        == 422
    )
    assert (
        client.post(
            url, json={"likes": 1, "reposts": 0, "replies": 0, "views": 9}, headers=bearer(token)
        ).status_code
        == 422
    )
    created = client.post(url, json={"likes": 30, "reposts": 4, "replies": 1}, headers=bearer(token))
    assert created.status_code == 201
    openapi_check(created, "/posts/{id}/engagement", "post")
    assert created.get_json()["total"] == 35
    listed = client.get(f"/api/v1/posts?campaign_id={campaign.id}&status=posted", headers=bearer(token))
    openapi_check(listed, "/posts", "get")
    engagement = {item["id"]: item["engagement"] for item in listed.get_json()["items"]}
    assert engagement[hook_post.id]["total"] == 35 and engagement[hook_post.id]["source"] == "api"
    stranger = make_token(make_org())
    assert (
        client.post(url, json={"likes": 1, "reposts": 0, "replies": 0}, headers=bearer(stranger)).status_code
        == 404
    )
    assert client.get(f"/api/v1/campaigns/{campaign.id}/report", headers=bearer(stranger)).status_code == 404


def test_api_refuses_counts_for_a_post_not_published(client, make_token, bearer, world):
    campaign, _ = world
    queued = next(p for p in _posts(campaign) if p.status == PostStatus.QUEUED)
    response = client.post(
        f"/api/v1/posts/{queued.id}/engagement",
        json={"likes": 1, "reposts": 0, "replies": 0},
        headers=bearer(make_token(campaign.organisation)),
    )
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


def test_report_for_a_campaign_with_nothing_posted_explains_what_happens_next(client, signed_in, org):
    from app.campaigns.models import Campaign

    campaign = Campaign(organisation=org, title="Empty")
    db.session.add(campaign)
    db.session.commit()
    page = client.get(f"/outcomes/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Nothing has been posted yet" in page and "1 hour, 6 hours" in page
    assert date.today().isoformat()[:4] in page  # the chart still has a day axis
