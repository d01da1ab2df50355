"""The trend endpoints: auth, validation problems, pagination, organisation scope, OpenAPI conformance."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.common.time import utcnow
from app.extensions import db
from app.trends import services
from app.trends.models import Evidence, Observation, Trend


@pytest.fixture
def token(org, make_token) -> str:
    return make_token(org, "monitor")


@pytest.fixture
def other_token(make_org, make_token) -> str:
    return make_token(make_org("other-ngo"), "theirs")


def _trend(org, title="Gloomtide", **fields) -> Trend:
    trend = services.create_trend(org, {"title": title, **fields}, actor=None)
    services.upsert_evidence(
        trend, services.EvidenceInput(excerpt="SECRET-EXCERPT", url="https://s.example/1")
    )
    db.session.commit()
    return trend


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/trends"),
        ("post", "/api/v1/trends"),
        ("get", "/api/v1/trends/1"),
        ("patch", "/api/v1/trends/1"),
        ("post", "/api/v1/trends/1/observations"),
    ],
)
def test_every_endpoint_needs_a_token(client, method, path, bearer, openapi_check):
    for headers in ({}, bearer("cpt_wrong")):
        response = getattr(client, method)(path, headers=headers, json={})
        assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
        openapi_check(response, path.replace("/api/v1", "").replace("/1", "/{id}"), method)


def test_revoked_token_cannot_post(client, org, token, bearer):
    from app.api.models import ApiToken
    from app.api.tokens import revoke_token

    revoke_token(db.session.scalar(select(ApiToken)), actor=None)
    db.session.commit()
    response = client.post("/api/v1/trends", headers=bearer(token), json={"title": "x"})
    assert response.status_code == 401 and db.session.scalar(select(func.count(Trend.id))) == 0


def test_monitoring_script_posts_a_trend_and_daily_counts(client, org, token, bearer, openapi_check):
    response = client.post(
        "/api/v1/trends",
        headers=bearer(token),
        json={
            "title": "Gloomtide",
            "severity": 3,
            "target_groups": ["MIGRANTS"],
            "languages": ["en"],
            "keywords": ["gloomtide"],
            "external_id": "mon-1",
            "source": "monitor",
            "rabat": {"intent": {"score": 2, "note": "coordinated"}},
        },
    )
    assert response.status_code == 201, response.get_json()
    openapi_check(response, "/trends", "post")
    trend_id = response.get_json()["id"]
    assert response.headers["Location"].endswith(f"/api/v1/trends/{trend_id}")
    today = utcnow().date()
    body = {
        "source": "monitor",
        "observations": [
            {"date": (today - timedelta(days=d)).isoformat(), "count": 10 + d} for d in range(14)
        ],
    }
    response = client.post(f"/api/v1/trends/{trend_id}/observations", headers=bearer(token), json=body)
    assert response.status_code == 200
    openapi_check(response, "/trends/{id}/observations", "post")
    client.post(f"/api/v1/trends/{trend_id}/observations", headers=bearer(token), json=body)  # resent: same
    assert db.session.scalar(select(func.count(Observation.id))) == 14
    response = client.get(f"/api/v1/trends/{trend_id}", headers=bearer(token))
    openapi_check(response, "/trends/{id}", "get")
    data = response.get_json()
    assert data["week_change"]["recent"] == sum(10 + d for d in range(7))
    assert data["observations"][-1] == {"date": today.isoformat(), "count": 10}
    single = client.post(
        f"/api/v1/trends/{trend_id}/observations",
        headers=bearer(token),
        json={"date": today.isoformat(), "count": 99, "source": "monitor"},
    )
    assert single.status_code == 200
    assert (
        client.get(f"/api/v1/trends/{trend_id}", headers=bearer(token)).get_json()["observations"][-1][
            "count"
        ]
        == 99
    )
    conflict = client.post(
        "/api/v1/trends",
        headers=bearer(token),
        json={"title": "Again", "external_id": "mon-1", "source": "monitor"},
    )
    assert conflict.status_code == 409
    openapi_check(conflict, "/trends", "post")
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"trend.created", "trend.observations_recorded"} <= actions


def test_validation_problem_names_each_bad_field(client, token, bearer, openapi_check):
    response = client.post(
        "/api/v1/trends",
        headers=bearer(token),
        json={
            "title": "",
            "severity": 7,
            "languages": ["english"],
            "colour": "red",
            "rabat": {"intent": {"score": 5}},
        },
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    openapi_check(response, "/trends", "post")
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"colour", "title", "severity", "languages", "rabat.intent.score"}
    messages = {e["field"]: e["message"] for e in response.get_json()["errors"]}
    assert messages["colour"] == "Unknown field." and "BCP 47" in messages["languages"]


def test_bad_bodies_are_problems(client, org, token, bearer, openapi_check):
    response = client.post(
        "/api/v1/trends",
        headers=bearer(token),
        data="title=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    openapi_check(response, "/trends", "post")
    response = client.post(
        "/api/v1/trends", headers=bearer(token), data="[1,", content_type="application/json"
    )
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    trend = _trend(org)
    response = client.post(
        f"/api/v1/trends/{trend.id}/observations",
        headers=bearer(token),
        json={
            "observations": [
                {"date": "2024-02-30", "count": 1},
                {"date": "2024-03-01", "count": -1},
                {"date": "2999-01-01", "count": 1},
            ]
        },
    )
    assert response.status_code == 422
    openapi_check(response, "/trends/{id}/observations", "post")
    assert {e["field"] for e in response.get_json()["errors"]} == {
        "observations[0].date",
        "observations[1].count",
        "observations[2].date",
    }
    assert db.session.scalar(select(func.count(Observation.id))) == 0


def test_patch_changes_fields_and_follows_status_flow(client, org, token, bearer, openapi_check):
    trend = _trend(org, status="closed")
    response = client.patch(
        f"/api/v1/trends/{trend.id}", headers=bearer(token), json={"status": "monitoring"}
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "status"
    openapi_check(response, "/trends/{id}", "patch")
    open_trend = _trend(org, "Open one")
    response = client.patch(
        f"/api/v1/trends/{open_trend.id}",
        headers=bearer(token),
        json={"severity": 4, "status": "escalated", "hashtags": ["Hollowmark"]},
    )
    assert response.status_code == 200
    openapi_check(response, "/trends/{id}", "patch")
    data = response.get_json()
    assert data["severity"] == 4 and data["status"] == "escalated" and data["is_gated"]
    assert data["hashtags"] == ["#Hollowmark"]
    actions = list(db.session.scalars(select(AuditEvent.action)))
    assert "trend.updated" in actions and "trend.status_changed" in actions


def test_other_organisation_reads_but_never_changes_and_never_sees_evidence(
    client, org, token, other_token, bearer, openapi_check
):
    trend = _trend(org, "Shared")
    response = client.get(f"/api/v1/trends/{trend.id}", headers=bearer(other_token))
    assert response.status_code == 200 and "SECRET-EXCERPT" not in response.get_data(as_text=True)
    response = client.patch(
        f"/api/v1/trends/{trend.id}", headers=bearer(other_token), json={"title": "Hijack"}
    )
    assert response.status_code == 403
    openapi_check(response, "/trends/{id}", "patch")
    response = client.post(
        f"/api/v1/trends/{trend.id}/observations",
        headers=bearer(other_token),
        json={"date": "2024-03-01", "count": 1},
    )
    assert response.status_code == 403
    db.session.refresh(trend)
    assert trend.title == "Shared"
    assert db.session.scalar(select(func.count(Evidence.id))) == 1
    listing = client.get("/api/v1/trends", headers=bearer(token)).get_data(as_text=True)
    assert "SECRET-EXCERPT" not in listing and "evidence" not in listing
    assert "SECRET-EXCERPT" not in client.get("/api/v1/openapi.json").get_data(as_text=True)


def test_missing_trend_is_404_problem(client, token, bearer, openapi_check):
    response = client.get("/api/v1/trends/999", headers=bearer(token))
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    openapi_check(response, "/trends/{id}", "get")


def test_list_paginates_and_filters(client, org, token, bearer, openapi_check):
    for n in range(7):
        _trend(org, f"Trend {n}", severity=4 if n == 3 else 1, languages=["fr"] if n == 5 else ["en"])
    response = client.get("/api/v1/trends?per_page=3&page=2", headers=bearer(token))
    assert response.status_code == 200
    openapi_check(response, "/trends", "get")
    data = response.get_json()
    assert (data["page"], data["per_page"], data["total"], len(data["items"])) == (2, 3, 7, 3)
    assert 'rel="next"' in response.headers["Link"] and 'rel="prev"' in response.headers["Link"]
    assert [
        t["title"] for t in client.get("/api/v1/trends?severity=4", headers=bearer(token)).get_json()["items"]
    ] == ["Trend 3"]
    assert client.get("/api/v1/trends?language=fr", headers=bearer(token)).get_json()["total"] == 1
    assert (
        client.get(f"/api/v1/trends?organisation={org.slug}", headers=bearer(token)).get_json()["total"] == 7
    )
    response = client.get("/api/v1/trends?per_page=500&page=0&severity=9", headers=bearer(token))
    assert response.status_code == 422
    openapi_check(response, "/trends", "get")
    assert {e["field"] for e in response.get_json()["errors"]} <= {"per_page", "page", "severity"}
