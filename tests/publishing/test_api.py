"""GET /api/v1/posts: scoped to the token's organisation, filtered, described in the OpenAPI document."""

from __future__ import annotations

import pytest

from app.accounts.models import Role
from app.api import tokens
from app.extensions import db


@pytest.fixture
def token_for(app):
    def make(org) -> dict[str, str]:
        _, clear = tokens.create_token(org, "script", actor=None)
        db.session.commit()
        return {"Authorization": f"Bearer {clear}"}

    return make


def test_lists_posts_with_filters_and_scope(
    client, token_for, org, make_org, make_user, make_channel, make_message, schedule, now, campaign
):
    channel = make_channel(org, "manual")
    [post] = schedule(make_message(), [channel], now=now)
    headers = token_for(org)
    body = client.get("/api/v1/posts", headers=headers).get_json()
    assert body["total"] == 1 and body["items"][0]["id"] == post.id and body["items"][0]["status"] == "queued"
    assert "credentials" not in str(body)
    assert client.get("/api/v1/posts?status=posted", headers=headers).get_json()["total"] == 0
    assert client.get(f"/api/v1/posts?campaign_id={campaign.id}", headers=headers).get_json()["total"] == 1
    assert client.get("/api/v1/posts?status=bogus", headers=headers).status_code == 422
    outsider = make_org("outsider", name="Outsider")
    make_user(Role.STAFF, org=outsider)
    assert client.get("/api/v1/posts", headers=token_for(outsider)).get_json()["total"] == 0
    assert client.get("/api/v1/posts").status_code == 401


def test_posts_operation_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/posts"] and "Post" in document["components"]["schemas"]
