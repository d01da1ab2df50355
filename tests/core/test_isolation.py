"""R8: every route with an object id, called by another organisation, answers 403 or 404.

The demo organisation's objects are requested by a lead of an organisation that takes part in
nothing. Trends are the one deliberate exception: the coalition shares them for reading.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from app.accounts.models import Organisation, Role
from app.api import tokens
from app.api.models import ApiToken
from app.campaigns.models import Campaign, KnowledgeItem
from app.channels.models import Channel
from app.demo import seed_demo
from app.drafting.models import Message
from app.extensions import db
from app.notifications.models import Notification
from app.publishing.models import Post, PostCopy
from app.trends.models import Evidence, Observation, Trend

# Trend reports read like trends, but count only the reader's own campaigns (tests/outcomes).
SHARED_FOR_READING = {
    ("trends.detail", "GET"),
    ("api.get_trend", "GET"),
    ("outcomes.trend", "GET"),
    ("outcomes.trend_csv", "GET"),
    ("api.trend_report_api", "GET"),
}
NOT_OBJECT_ROUTES = {"static", "publishing.calendar_ics", "trends.import_map"}  # secret tokens, own tests


def _demo_ids() -> dict[str, int]:
    demo = db.session.scalar(select(Organisation).where(Organisation.slug == "demo-ngo"))
    campaign = db.session.scalar(select(Campaign).where(Campaign.organisation_id == demo.id))
    token, _clear = tokens.create_token(demo, "demo script", actor=None)
    db.session.flush()
    first = {
        "campaign_id": campaign.id,
        "message_id": db.session.scalar(select(Message.id).where(Message.campaign_id == campaign.id)),
        "trend_id": db.session.scalar(select(Trend.id).where(Trend.organisation_id == demo.id)),
        "channel_id": db.session.scalar(select(Channel.id).where(Channel.organisation_id == demo.id)),
        "post_id": db.session.scalar(select(Post.id)),
        "item_id": db.session.scalar(
            select(KnowledgeItem.id).where(KnowledgeItem.campaign_id == campaign.id)
        ),
        "notification_id": db.session.scalar(select(Notification.id)),
        "token_id": db.session.scalar(select(ApiToken.id).where(ApiToken.id == token.id)),
        "user_id": demo.users[0].id,
        "evidence_id": db.session.scalar(
            select(Evidence.id)
            .join(Trend, Evidence.trend_id == Trend.id)
            .where(Trend.organisation_id == demo.id)
        ),
        "observation_id": db.session.scalar(
            select(Observation.id)
            .join(Trend, Observation.trend_id == Trend.id)
            .where(Trend.organisation_id == demo.id)
        ),
    }
    copy = PostCopy(post_id=first["post_id"], remote_id="demo-extra-copy", is_kept=False)  # a duplicate found
    db.session.add(copy)
    db.session.flush()
    first["copy_id"] = copy.id
    db.session.commit()
    missing = [name for name, value in first.items() if value is None]
    assert not missing, f"the demo data should contain one of each: {missing}"
    return first


def _object_routes(app: Flask) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_OBJECT_ROUTES or not rule.arguments:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule.rule))
    return routes


def test_every_object_route_refuses_another_organisation(app, client, make_org, make_user):
    seed_demo("demo password for isolation")
    ids = _demo_ids()
    outsider = make_org("outsider-ngo")
    lead = make_user(Role.LEAD, org=outsider, email="lead@outsider.example")
    _token, clear = tokens.create_token(outsider, "outsider script", actor=None)
    db.session.commit()
    client.post("/login", data={"email": lead.email, "password": "correct horse battery staple"})
    headers = {"Authorization": f"Bearer {clear}"}

    leaks = []
    routes = _object_routes(app)
    assert len(routes) > 40, "the route list looks too short: did a blueprint fail to register?"
    for endpoint, method, rule in routes:
        # API rules name their object `id` (as the OpenAPI document does): /api/v1/trends/<int:id>.
        path = re.sub(r"/(\w+?)s/<int:id>", r"/\1s/<int:\1_id>", rule)
        for name, value in ids.items():
            path = path.replace(f"<int:{name}>", str(value))
        assert "<" not in path, f"no demo id for {rule}: add one to _demo_ids"
        response = client.open(path, method=method, headers=headers, json={} if method != "GET" else None)
        expected = {200} if (endpoint, method) in SHARED_FOR_READING else {403, 404}
        if response.status_code not in expected:
            leaks.append(f"{method} {path} ({endpoint}) answered {response.status_code}")
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("role", [Role.STAFF, Role.LEAD])
def test_trend_pages_of_another_organisation_are_read_only(client, make_org, make_user, role):
    seed_demo("demo password for isolation")
    ids = _demo_ids()
    reader = make_user(role, org=make_org("reader-ngo"))
    client.post("/login", data={"email": reader.email, "password": "correct horse battery staple"})
    page = client.get(f"/trends/{ids['trend_id']}").get_data(as_text=True)
    assert f"/trends/{ids['trend_id']}/edit" not in page
    assert client.get(f"/trends/{ids['trend_id']}/edit").status_code == 403
