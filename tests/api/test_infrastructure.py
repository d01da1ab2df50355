"""Tokens, bearer authentication, problem documents and the OpenAPI document."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.api.models import ApiToken
from app.api.tokens import hash_token
from app.audit.models import AuditEvent
from app.extensions import db


def test_no_token_is_401_problem_with_challenge(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401


def test_wrong_token_is_401(client, org, make_token, bearer):
    make_token(org)
    response = client.get("/api/v1/me", headers=bearer("cpt_not-a-real-token"))
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_valid_token_acts_for_its_organisation_and_records_use(
    client, org, make_token, bearer, openapi_check
):
    clear = make_token(org, "monitor")
    response = client.get("/api/v1/me", headers=bearer(clear))
    assert response.status_code == 200
    assert response.get_json()["organisation"]["slug"] == org.slug
    openapi_check(response, "/me", "get")
    token = db.session.scalar(select(ApiToken))
    assert token.last_used_at is not None
    assert token.token_hash == hash_token(clear) and clear not in (token.prefix + token.token_hash)


def test_revoked_token_is_401(client, org, make_token, bearer):
    from app.api.tokens import revoke_token

    clear = make_token(org)
    revoke_token(db.session.scalar(select(ApiToken)), actor=None)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 401


def test_unknown_api_route_and_method_are_problems(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = client.delete("/api/v1/openapi.json")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_openapi_document_is_3_1_and_names_every_api_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    documented = {re.sub(r"\{\w+\}", "{}", path): ops for path, ops in document["paths"].items()}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "{}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in documented.get(path, {}), f"{method} {path} undocumented"


def test_cli_creates_token_printed_alone_on_last_line(runner, client, org, bearer):
    result = runner.invoke(args=["api-token", "create", "--org", org.slug, "--name", "monitor"])
    assert result.exit_code == 0, result.output
    clear = result.output.strip().splitlines()[-1]
    assert clear.startswith("cpt_") and " " not in clear
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token.created"))


def test_cli_unknown_org_fails_clearly(runner):
    result = runner.invoke(args=["api-token", "create", "--org", "nope", "--name", "x"])
    assert result.exit_code != 0 and "nope" in result.output


def test_admin_page_creates_shows_once_and_revokes(client, auth, admin, org, bearer):
    auth.login(admin)
    assert b"No API tokens yet" in client.get("/admin/tokens").data
    response = client.post("/admin/tokens", data={"organisation_id": org.id, "name": "monitor"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = db.session.scalar(select(ApiToken))
    page = response.get_data(as_text=True)
    start = page.index('value="cpt_') + len('value="')
    clear = page[start : page.index('"', start)]
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 200
    listing = client.get("/admin/tokens").get_data(as_text=True)
    assert clear not in listing and token.prefix in listing
    response = client.post(f"/admin/tokens/{token.id}/revoke")
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(clear)).status_code == 401
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"api_token.created", "api_token.revoked"} <= actions


def test_admin_page_keeps_input_on_error(client, auth, admin, org):
    auth.login(admin)
    response = client.post("/admin/tokens", data={"organisation_id": org.id, "name": ""})
    assert response.status_code == 400
    assert db.session.scalar(select(ApiToken)) is None


def test_token_page_is_for_admins_only(client, auth, staff):
    auth.login(staff)
    assert client.get("/admin/tokens").status_code == 403
