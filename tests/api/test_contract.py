"""The API contract: the document states every limit the server enforces, and hostile input is a 4xx.

Regression tests for issue 12 items 7, 8, 14 and 16 on the API side.
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from app.campaigns.models import Campaign
from app.extensions import db
from app.trends import services
from app.trends.models import Trend
from tests.campaigns.factories import make_campaign, make_trend

HUGE = 10**20


@pytest.fixture
def headers(org, make_token, bearer) -> dict[str, str]:
    return bearer(make_token(org, "contract"))


@pytest.fixture
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def _errors(response) -> dict[str, str]:
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)[:200]
    return {e["field"]: e["message"] for e in response.get_json()["errors"]}


def _campaigns() -> int:
    return db.session.scalar(select(func.count(Campaign.id)))


# Issue 12 item 14: the API accepted what the forms refuse.


def test_a_huge_campaign_goal_is_refused_before_any_work(client, headers, openapi_check):
    response = client.post("/api/v1/campaigns", headers=headers, json={"title": "x", "goal": "g" * 3_000_000})
    assert response.status_code == 413
    openapi_check(response, "/campaigns", "post")
    response = client.post("/api/v1/campaigns", headers=headers, json={"title": "x", "goal": "g" * 4001})
    assert response.status_code == 422 and set(_errors(response)) == {"goal"}
    assert _campaigns() == 0


def test_twenty_thousand_hashtags_are_refused(client, headers, openapi_check):
    response = client.post(
        "/api/v1/campaigns", headers=headers, json={"title": "x", "hashtags": ["#a"] * 20_000}
    )
    assert response.status_code == 422 and set(_errors(response)) == {"hashtags"}
    openapi_check(response, "/campaigns", "post")
    assert _campaigns() == 0


def test_a_title_that_is_not_a_string_is_refused_not_stored_as_text(client, headers):
    response = client.post("/api/v1/campaigns", headers=headers, json={"title": [None, None]})
    assert response.status_code == 422 and set(_errors(response)) == {"title"}
    response = client.post("/api/v1/trends", headers=headers, json={"title": [None, None]})
    assert response.status_code == 422 and set(_errors(response)) == {"title"}
    assert _campaigns() == 0 and db.session.scalar(select(func.count(Trend.id))) == 0


def test_a_campaign_cannot_end_before_it_starts(client, headers, openapi_check):
    response = client.post(
        "/api/v1/campaigns",
        headers=headers,
        json={"title": "x", "starts_on": "2025-03-10", "ends_on": "2025-03-09"},
    )
    assert response.status_code == 422
    openapi_check(response, "/campaigns", "post")
    assert "on or after" in _errors(response)["ends_on"]
    same_day = {"title": "x", "starts_on": "2025-03-10", "ends_on": "2025-03-10"}
    assert client.post("/api/v1/campaigns", headers=headers, json=same_day).status_code == 201


def test_forms_and_api_share_the_campaign_limits(client, auth, staff, headers):
    from app.common import limits

    auth.login(staff)
    tags = " ".join(f"#t{n}" for n in range(limits.CAMPAIGN_HASHTAGS_MAX + 1))
    response = client.post(
        "/campaigns/new",
        data={"title": "Web", "languages": ["en"], "platforms": ["mastodon"], "hashtags": tags},
    )
    assert response.status_code in (200, 400) and _campaigns() == 0
    assert f"At most {limits.CAMPAIGN_HASHTAGS_MAX} hashtags" in response.get_data(as_text=True)
    api = client.post("/api/v1/campaigns", headers=headers, json={"title": "x", "hashtags": tags.split()})
    assert api.status_code == 422 and set(_errors(api)) == {"hashtags"}


# Issue 12 item 7: integers and dates out of range are 404 or 422, never 500.


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/trends/{}"),
        ("patch", "/api/v1/trends/{}"),
        ("post", "/api/v1/trends/{}/observations"),
        ("get", "/api/v1/campaigns/{}"),
        ("post", "/api/v1/campaigns/{}/drafts"),
        ("get", "/api/v1/messages/{}"),
    ],
)
@pytest.mark.parametrize("number", [HUGE, 2**31, 2**63])
def test_ids_beyond_the_database_range_are_404(client, headers, method, path, number):
    response = getattr(client, method)(path.format(number), headers=headers, json={})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_web_ids_beyond_the_database_range_are_404(client, auth, staff):
    auth.login(staff)
    assert client.get(f"/trends/{HUGE}").status_code == 404
    assert client.get(f"/campaigns/{HUGE}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [f"page={HUGE}", f"per_page={HUGE}", "page=1.5", "page=-1", "severity=1e3", f"severity={HUGE}"],
)
def test_page_and_filters_out_of_range_are_422(client, headers, query):
    response = client.get(f"/api/v1/trends?{query}", headers=headers)
    assert response.status_code == 422
    assert set(_errors(response)) <= {"page", "per_page", "severity"}


def test_campaign_id_filter_out_of_range_is_422(client, headers):
    response = client.get(f"/api/v1/posts?campaign_id={HUGE}", headers=headers)
    assert response.status_code == 422 and set(_errors(response)) == {"campaign_id"}
    assert client.get("/api/v1/posts?campaign_id=12", headers=headers).status_code == 200


def test_page_far_beyond_the_last_is_an_empty_page(client, headers):
    response = client.get(f"/api/v1/trends?page={2**31 - 1}", headers=headers)
    assert response.status_code == 200 and response.get_json()["items"] == []


def test_counts_and_ids_in_bodies_out_of_range_are_422(client, org, staff, headers):
    trend = make_trend(org)
    campaign = make_campaign(org, staff, trends=[trend])
    response = client.post(
        f"/api/v1/trends/{trend.id}/observations", headers=headers, json={"date": "2024-03-01", "count": HUGE}
    )
    assert response.status_code == 422 and set(_errors(response)) == {"count"}
    response = client.post("/api/v1/campaigns", headers=headers, json={"title": "x", "trend_ids": [HUGE]})
    assert response.status_code == 422 and set(_errors(response)) == {"trend_ids"}
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/drafts", headers=headers, json={"trend_id": HUGE, "count": HUGE}
    )
    assert response.status_code == 422 and set(_errors(response)) == {"trend_id", "count"}
    response = client.post(
        "/api/v1/checks",
        headers=headers,
        json={"text": "hi", "platform": "x", "trend_id": HUGE, "campaign_id": HUGE},
    )
    assert response.status_code == 422 and set(_errors(response)) == {"trend_id", "campaign_id"}


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "2024-03-01", "2024-02-30T00:00:00Z"]
)
def test_dates_out_of_sane_range_or_shape_are_422(client, headers, value):
    response = client.post("/api/v1/trends", headers=headers, json={"title": "x", "first_seen_at": value})
    assert response.status_code == 422 and set(_errors(response)) == {"first_seen_at"}


def test_day_dates_out_of_range_are_422(client, org, headers):
    trend = make_trend(org)
    for day in ("0001-01-01", "9999-12-31", "2024-02-30", "20240301"):
        response = client.post(
            f"/api/v1/trends/{trend.id}/observations", headers=headers, json={"date": day, "count": 1}
        )
        assert response.status_code == 422 and set(_errors(response)) == {"date"}, day
    response = client.post(
        "/api/v1/campaigns", headers=headers, json={"title": "x", "starts_on": "0001-01-01"}
    )
    assert response.status_code == 422 and set(_errors(response)) == {"starts_on"}


def test_offsets_near_the_range_end_are_stored_in_utc(client, headers):
    response = client.post(
        "/api/v1/trends",
        headers=headers,
        json={"title": "x", "first_seen_at": "2099-12-31T23:59:59-01:00"},
    )
    assert response.status_code == 201
    assert response.get_json()["first_seen_at"].startswith("2100-01-01T00:59:59")


# Issue 12 item 8: other 500s.


def test_patch_onto_an_existing_source_and_external_id_is_409(client, org, headers, openapi_check):
    services.create_trend(org, {"title": "First", "source": "monitor", "external_id": "a-1"}, actor=None)
    second = services.create_trend(org, {"title": "Second", "source": "monitor"}, actor=None)
    db.session.commit()
    response = client.patch(f"/api/v1/trends/{second.id}", headers=headers, json={"external_id": "a-1"})
    assert response.status_code == 409 and "external_id" in response.get_json()["detail"]
    openapi_check(response, "/trends/{id}", "patch")
    db.session.refresh(second)
    assert second.external_id is None
    other = client.patch(f"/api/v1/trends/{second.id}", headers=headers, json={"external_id": "a-2"})
    assert other.status_code == 200


def test_web_edit_onto_an_existing_source_and_external_id_is_a_form_error(client, auth, staff, org):
    services.create_trend(org, {"title": "First", "source": "monitor", "external_id": "a-1"}, actor=None)
    second = services.create_trend(
        org, {"title": "Second", "source": "manual", "external_id": "a-1"}, actor=None
    )
    db.session.commit()
    auth.login(staff)
    response = client.post(
        f"/trends/{second.id}/edit",
        data={
            "title": "Second",
            "severity": "1",
            "recommended_action": "counter",
            "owner_id": "0",
            "source": "monitor",
        },
    )
    assert response.status_code == 400
    assert "already has this source" in response.get_data(as_text=True)
    db.session.refresh(second)
    assert second.source == "manual"


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_deeply_nested_json_is_400(client, headers, depth):
    body = "[" * depth + "]" * depth
    for path in ("/api/v1/trends", "/api/v1/checks", "/api/v1/campaigns"):
        response = client.post(path, headers=headers, data=body, content_type="application/json")
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
    nested = '{"title": "x", "rabat": ' + '{"intent": ' * depth + "1" + "}" * depth + "}"
    response = client.post("/api/v1/trends", headers=headers, data=nested, content_type="application/json")
    assert response.status_code in (400, 413, 422)


def test_a_lone_surrogate_is_422(client, org, headers):
    trend = make_trend(org)
    for path, body in (
        ("/api/v1/trends", '{"title": "\\ud800"}'),
        ("/api/v1/campaigns", '{"title": "ok", "goal": "\\udfff"}'),
        ("/api/v1/checks", '{"text": "a\\ud800b", "platform": "x"}'),
        (
            f"/api/v1/trends/{trend.id}/observations",
            '{"date": "2024-03-01", "count": 1, "source": "\\ud800"}',
        ),
    ):
        response = client.post(path, headers=headers, data=body, content_type="application/json")
        assert response.status_code == 422, (path, response.get_data(as_text=True))
        assert "surrogate" in next(iter(_errors(response).values()))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/trends", {"title": "a\x00b"}, "title"),
        ("/api/v1/trends", {"title": "x", "keywords": ["ok", "a\x00"]}, "keywords"),
        (
            "/api/v1/trends",
            {"title": "x", "fact_checks": [{"claim": "\x00", "url": ""}]},
            "fact_checks[0].claim",
        ),
        ("/api/v1/campaigns", {"title": "x", "tone_notes": "\x00"}, "tone_notes"),
        ("/api/v1/campaigns", {"title": "x", "hashtags": ["#a\x00"]}, "hashtags"),
        ("/api/v1/checks", {"text": "\x00", "platform": "x"}, "text"),
    ],
)
def test_nul_bytes_are_refused(client, headers, path, body, field):
    response = client.post(path, headers=headers, json=body)
    assert response.status_code == 422 and set(_errors(response)) == {field}


def test_nul_bytes_in_query_strings_are_refused(client, headers):
    for url in ("/api/v1/trends?q=a%00", "/api/v1/campaigns?q=%00", "/api/v1/trends?region=%00"):
        response = client.get(url, headers=headers)
        assert response.status_code == 422, url


def test_check_text_is_capped_before_any_work(client, headers):
    response = client.post(
        "/api/v1/checks", headers=headers, json={"text": "swarm " * 200_000, "platform": "x"}
    )
    assert response.status_code == 413
    response = client.post("/api/v1/checks", headers=headers, json={"text": "a" * 5001, "platform": "x"})
    assert response.status_code == 422 and set(_errors(response)) == {"text"}


# Issue 12 item 16: 405 answers say what is allowed.


def test_405_carries_allow_on_the_api_and_the_web(client, auth, staff):
    response = client.delete("/api/v1/trends")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
    auth.login(staff)
    page = client.put("/trends/new")
    assert page.status_code == 405 and "POST" in page.headers["Allow"]


# Issue 11 item 4: one contract.


def test_the_document_states_what_the_server_enforces(document):
    schemas = document["components"]["schemas"]
    campaign = schemas["CampaignInput"]["properties"]
    assert campaign["title"]["maxLength"] == 200 and "pattern" in campaign["title"]
    assert campaign["goal"]["maxLength"] == 4000
    assert campaign["hashtags"]["maxItems"] == 30
    assert "on or after starts_on" in campaign["ends_on"]["description"].lower()
    regions = schemas["TrendCreate"]["properties"]["regions"]
    assert re.match(regions["items"]["pattern"], "BE-BRU") and not re.match(
        regions["items"]["pattern"], "Belgium"
    )
    count = schemas["Observation"]["properties"]["count"]
    assert count == {"maximum": 10_000_000, "minimum": 0, "title": "Count", "type": "integer"}
    params = {p["name"]: p for p in document["paths"]["/trends/{id}"]["get"]["parameters"]}
    assert params["id"]["schema"]["maximum"] == 2**31 - 1
    assert "405" not in json.dumps(document["paths"]["/checks"])  # undocumented methods answer 405


def test_a_campaign_body_built_from_the_document_is_accepted(client, headers, document):
    """Every property the document lists, at its limits, is accepted as it stands."""
    props = document["components"]["schemas"]["CampaignInput"]["properties"]
    body = {
        "title": "T" * props["title"]["maxLength"],
        "goal": "g" * props["goal"]["maxLength"],
        "audience": "a" * props["audience"]["maxLength"],
        "tone_notes": "n" * props["tone_notes"]["maxLength"],
        "mode": "reply",
        "strategies": ["facts"],
        "languages": ["en", "fr"],
        "platforms": ["x", "mastodon"],
        "hashtags": ["#" + "h" * (props["hashtags"]["items"]["maxLength"] - 1)]
        * props["hashtags"]["maxItems"],
        "starts_on": "2099-12-31",
        "ends_on": "2099-12-31",
        "trend_ids": [],
        "partner_slugs": [],
        "requires_partner_approval": True,
    }
    assert set(body) == set(props)
    response = client.post("/api/v1/campaigns", headers=headers, json=body)
    assert response.status_code == 201, response.get_json()


JSON_SCHEMA_KEYWORDS = {
    "$ref",
    "$defs",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "propertyNames",
    "default",
    "title",
    "description",
    "examples",
}


def _schema_keywords(node, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            found.add(key)
            if key in ("properties", "$defs"):
                for sub in value.values():
                    _schema_keywords(sub, found)
            elif key not in ("enum", "const", "default", "examples", "required", "description", "title"):
                _schema_keywords(value, found)
    elif isinstance(node, list):
        for item in node:
            _schema_keywords(item, found)


def test_the_document_uses_only_json_schema_keywords(document):
    """A constraint pydantic cannot express (e.g. a bare `ge`) would be lost to clients: none may leak."""
    found: set[str] = set()
    for schema in document["components"]["schemas"].values():
        _schema_keywords(schema, found)
    for ops in document["paths"].values():
        for operation in ops.values():
            for parameter in operation.get("parameters", []):
                _schema_keywords(parameter["schema"], found)
    assert found <= JSON_SCHEMA_KEYWORDS, found - JSON_SCHEMA_KEYWORDS


def test_fractional_counts_are_refused_but_whole_floats_are_integers(client, org, headers):
    trend = make_trend(org)
    url = f"/api/v1/trends/{trend.id}/observations"
    for bad in (1.5, "3", True, 1e400):
        response = client.post(url, headers=headers, json={"date": "2024-03-01", "count": bad})
        assert response.status_code in (400, 422) and response.status_code != 200, bad
    response = client.post(url, headers=headers, json={"date": "2024-03-01", "count": 3.0})
    assert response.status_code == 200 and response.get_json()["observations"][0]["count"] == 3


MINIMAL_BODIES = {
    ("post", "/trends"): {"title": "x"},
    ("patch", "/trends/{id}"): {},
    ("post", "/campaigns"): {"title": "x"},
    ("post", "/checks"): {"text": "x", "platform": "x"},
    ("post", "/campaigns/{id}/drafts"): {"trend_id": 1},
}


def _over_the_limit(prop: dict) -> object | None:
    """A value just past the property's own limit, or None when it states none."""
    if "maxLength" in prop:
        return "a" * (prop["maxLength"] + 1)
    if "maximum" in prop:
        return prop["maximum"] + 1
    if "maxItems" in prop and "enum" not in prop.get("items", {}):
        item = prop["items"]
        value = "a" if item.get("type") == "string" else item.get("minimum", 1)
        return [value] * (prop["maxItems"] + 1)
    return None


@pytest.mark.parametrize(
    ("method", "path"), list(MINIMAL_BODIES), ids=[f"{m} {p}" for m, p in MINIMAL_BODIES]
)
def test_every_stated_limit_is_enforced_one_past_it(client, org, staff, headers, document, method, path):
    """For each body property with a maxLength/maximum/maxItems, one past it is a 422 naming it."""
    trend = make_trend(org)
    campaign = make_campaign(org, staff, trends=[trend])
    url = "/api/v1" + path.replace("{id}", str(trend.id if "trends" in path else campaign.id))
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    properties = document["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    tried = 0
    for name, prop in properties.items():
        prop = next((p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"), prop)
        value = _over_the_limit(prop)
        if value is None:
            continue
        tried += 1
        response = getattr(client, method)(
            url, headers=headers, json={**MINIMAL_BODIES[(method, path)], name: value}
        )
        assert response.status_code == 422, (name, response.status_code)
        assert set(_errors(response)) == {name}, (name, _errors(response))
    assert tried >= 1


# Fields a PATCH may leave out (`Omittable`): absent keeps the value, an explicit null is refused,
# and the document does not offer null for them.
OMITTABLE = ("title", "summary", "severity", "status", "hallmarks", "rabat", "regions")


def test_a_field_left_out_keeps_its_value_and_null_is_refused(client, org, headers, document):
    trend = make_trend(org)
    db.session.commit()
    properties = document["components"]["schemas"]["TrendPatch"]["properties"]
    for name in OMITTABLE:
        assert "anyOf" not in properties[name] and properties[name].get("type") != "null", name
        response = client.patch(f"/api/v1/trends/{trend.id}", headers=headers, json={name: None})
        assert response.status_code == 422 and set(_errors(response)) == {name}, name
    kept = client.patch(f"/api/v1/trends/{trend.id}", headers=headers, json={"summary": "New summary"})
    assert kept.status_code == 200 and kept.get_json()["title"] == trend.title
