"""The campaign, message and drafting API: scoping, validation, offline drafts, OpenAPI shapes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.campaigns.models import Campaign
from app.extensions import db
from tests.campaigns.factories import make_campaign, make_token, make_trend


@pytest.fixture
def conforms(openapi_check):
    return openapi_check


def test_list_shows_owned_and_partner_campaigns_only(client, org, staff, make_org, conforms):
    partner, outsider = make_org("partner"), make_org("outsider")
    make_campaign(org, staff, title="Ours")
    make_campaign(outsider, title="Theirs, with us", partners=[org])
    make_campaign(partner, title="Not ours")
    response = client.get("/api/v1/campaigns", headers=make_token(org))
    assert response.status_code == 200
    conforms(response, "/campaigns", "get")
    assert sorted(item["title"] for item in response.get_json()["items"]) == ["Ours", "Theirs, with us"]
    filtered = client.get("/api/v1/campaigns?status=active", headers=make_token(org)).get_json()
    assert filtered["items"] == []


def test_create_and_read_a_campaign(client, org, make_org, conforms):
    make_org("partner-ngo")
    trend = make_trend(org)
    headers = make_token(org)
    response = client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={
            "title": "Via the API",
            "platforms": ["mastodon", "x"],
            "languages": ["en"],
            "strategies": ["facts"],
            "trend_ids": [trend.id],
            "partner_slugs": ["partner-ngo"],
            "starts_on": "2025-01-01",
        },
    )
    assert response.status_code == 201, response.get_json()
    conforms(response, "/campaigns", "post")
    body = response.get_json()
    assert body["trend_ids"] == [trend.id] and body["partners"][0]["slug"] == "partner-ngo"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.created"))
    assert event.details["via"] == "api" and event.organisation_id == org.id
    detail = client.get(f"/api/v1/campaigns/{body['id']}", headers=headers)
    conforms(detail, "/campaigns/{id}", "get")
    assert detail.get_json()["title"] == "Via the API"


def test_create_reports_each_bad_field(client, org, make_org):
    other_trend = make_trend(make_org("else"))
    response = client.post(
        "/api/v1/campaigns",
        headers=make_token(org),
        json={"title": "", "platforms": ["myspace"], "trend_ids": [0], "starts_on": "tomorrow"},
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"title", "platforms", "trend_ids", "starts_on"}
    response = client.post(
        "/api/v1/campaigns", headers=make_token(org), json={"title": "Ok", "trend_ids": [other_trend.id]}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"trend_ids"}
    assert db.session.scalar(select(Campaign)) is None


def test_another_organisation_cannot_read_a_campaign_or_its_messages(client, org, staff, make_org):
    campaign = make_campaign(org, staff, trends=[make_trend(org)])
    outsider = make_token(make_org("outsider"))
    assert client.get(f"/api/v1/campaigns/{campaign.id}", headers=outsider).status_code == 404
    drafted = client.post(
        f"/api/v1/campaigns/{campaign.id}/drafts",
        headers=make_token(org),
        json={"trend_id": campaign.trends[0].id, "count": 1},
    ).get_json()
    message_id = drafted["messages"][0]["id"]
    assert client.get(f"/api/v1/messages/{message_id}", headers=outsider).status_code == 404
    assert (
        client.post(
            f"/api/v1/campaigns/{campaign.id}/drafts",
            headers=outsider,
            json={"trend_id": campaign.trends[0].id},
        ).status_code
        == 404
    )


def test_offline_drafts_through_the_api(client, org, staff, make_org, conforms):
    partner = make_org("partner")
    campaign = make_campaign(org, staff, trends=[make_trend(org)], partners=[partner])
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/drafts",
        headers=make_token(partner),
        json={
            "trend_id": campaign.trends[0].id,
            "strategies": ["facts", "alternative"],
            "language": "fr",
            "platforms": ["mastodon"],
            "count": 2,
        },
    )
    assert response.status_code == 201, response.get_json()
    conforms(response, "/campaigns/{id}/drafts", "post")
    body = response.get_json()
    assert body["is_offline"] is True and "OPENAI_API_KEY" in body["notice"]
    assert [m["language"] for m in body["messages"]] == ["fr", "fr"]
    assert all(m["provenance"]["provider"] == "offline" for m in body["messages"])
    message = client.get(f"/api/v1/messages/{body['messages'][0]['id']}", headers=make_token(org))
    conforms(message, "/messages/{id}", "get")
    assert message.get_json()["versions"][0]["number"] == 1


def test_draft_input_is_validated(client, org, staff):
    gated = make_trend(org, title="Gated", severity=4)
    campaign = make_campaign(org, staff, trends=[gated])
    headers = make_token(org)
    url = f"/api/v1/campaigns/{campaign.id}/drafts"
    assert client.post(url, headers=headers, json={"trend_id": 999}).status_code == 422
    bad = client.post(
        url, headers=headers, json={"trend_id": gated.id, "count": 50, "platforms": ["myspace"]}
    )
    assert {e["field"] for e in bad.get_json()["errors"]} == {"count", "platforms"}
    refused = client.post(url, headers=headers, json={"trend_id": gated.id, "strategies": ["facts"]})
    assert refused.status_code == 422 and "not allowed" in refused.get_json()["errors"][0]["message"]
    assert client.post(url, headers=headers, data="x").status_code == 415
