"""Every web route, walked with ids, pages and counts of 10^20 and dates out of range: never a 500."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule

from app.accounts.models import Role
from app.common.bounds import BoundedMultiDict
from app.extensions import db

HUGE = 10**20
# Query values a hostile client sends to list and calendar pages.
HOSTILE_QUERY = {
    "page": str(HUGE),
    "campaign": str(HUGE),
    "campaign_id": str(HUGE),
    "channel_id": str(-HUGE),
    "organisation_id": str(HUGE),
    "severity": str(HUGE),
    "trend_id": str(HUGE),
    "from": str(HUGE),
    "to": str(HUGE),
    "date": "0001-01-01",
    "since": "9999-12-31T23:59:59-01:00",
    "until": "0001-01-01T00:00:00+01:00",
}


def web_rules(app) -> list[Rule]:
    return [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/api/", "/static")) and rule.endpoint != "static"
    ]


def build(rule: Rule, number: int) -> str:
    values = {
        name: (number if isinstance(rule._converters[name].to_python("1"), int) else "x")
        for name in rule.arguments
    }
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{_converter_text(rule, name)}>", str(value))
    return path


def _converter_text(rule: Rule, name: str) -> str:
    for part in rule.rule.split("<")[1:]:
        inner = part.split(">", 1)[0]
        if inner.split(":")[-1] == name:
            return inner
    raise AssertionError(name)


@pytest.fixture
def signed_in_admin(client, auth, make_user, org):
    admin = make_user(Role.ADMIN, org=org)
    db.session.commit()
    auth.login(admin)
    return admin


@pytest.mark.parametrize("number", [HUGE, 2**31 - 1, 2**31])
def test_huge_and_missing_ids_in_paths_are_404_never_500(app, client, signed_in_admin, number):
    failures = []
    for rule in web_rules(app):
        if not rule.arguments:
            continue
        path = build(rule, number)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            status = client.open(path, method=method).status_code
            if status >= 500:
                failures.append(f"{method} {path} -> {status}")
    assert failures == []


def test_hostile_query_values_on_every_page_never_500(app, client, signed_in_admin):
    failures = []
    for rule in web_rules(app):
        if rule.arguments or "GET" not in rule.methods:
            continue
        for name, value in HOSTILE_QUERY.items():
            status = client.get(rule.rule, query_string={name: value}).status_code
            if status >= 500:
                failures.append(f"GET {rule.rule}?{name}={value} -> {status}")
    assert failures == []


def test_the_calendar_explains_a_date_out_of_range(client, signed_in_admin):
    for value in ("0001-01-01", "9999-12-31"):
        response = client.get("/publishing/calendar", query_string={"date": value, "view": "month"})
        assert response.status_code == 422
        assert "between 1900 and 2200" in response.get_data(as_text=True)


def test_bounded_values_pass_through():
    args = BoundedMultiDict({"page": "7", "q": "x"})
    assert args.get("page", type=int) == 7 and args.get("q") == "x" and args.get("none", 1, type=int) == 1
