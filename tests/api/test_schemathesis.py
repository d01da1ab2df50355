"""Schemathesis over every operation of /api/v1/openapi.json, with a valid token.

Positive and negative data, bounded by `MAX_EXAMPLES` per operation and mode: no server error, every
status documented, every body conforming to its schema, and what the document refuses is refused.
Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from app.api import openapi
from app.extensions import db
from tests.campaigns.factories import make_campaign, make_trend
from tests.conftest import make_test_app

MAX_EXAMPLES = 25
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def _documented() -> list[tuple[str, str, GenerationMode]]:
    """(method, path, mode) for every operation, read from an app built without a database.

    Negative data needs something to make invalid: operations without parameters or body get none.
    """
    app = make_test_app("sqlite://")
    with app.test_request_context():
        document = openapi.document(app)
    out = []
    for path, ops in document["paths"].items():
        for method, operation in ops.items():
            out.append((method.upper(), path, GenerationMode.POSITIVE))
            if operation.get("parameters") or operation.get("requestBody"):
                out.append((method.upper(), path, GenerationMode.NEGATIVE))
    return out


OPERATIONS = _documented()


def test_every_api_operation_is_fuzzed():
    """An empty parametrisation would pass silently: the document must list every API route."""
    assert len({(method, path) for method, path, _ in OPERATIONS}) >= 13
    assert sum(mode == GenerationMode.NEGATIVE for *_, mode in OPERATIONS) >= 11


@pytest.fixture
def api_schema(app, org, staff, make_token):
    """The live document; the database holds a trend and a campaign, so some ids are found."""
    trend = make_trend(org)
    make_campaign(org, staff, trends=[trend])
    db.session.commit()
    token = make_token(org, "schemathesis")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("method", "path", "mode"), OPERATIONS, ids=[f"{m} {p} {g.value}" for m, p, g in OPERATIONS]
)
def test_operation_keeps_its_contract(api_schema, method, path, mode):
    schema, headers = api_schema
    operation = schema[path][method]
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        calls.append(case)
        case.call_and_validate(checks=CHECKS)

    run()
    assert calls, "no case was generated"


# Fields whose valid values depend on the database or on another field: left out of generated bodies.
DATABASE_RULES = {
    ("POST", "/checks"): ("trend_id", "campaign_id"),
    ("POST", "/trends"): ("external_id", "last_seen_at"),
    ("POST", "/campaigns"): ("trend_ids", "partner_slugs", "ends_on"),
}


@pytest.mark.parametrize(
    ("method", "path"), list(DATABASE_RULES), ids=[f"{m} {p}" for m, p in DATABASE_RULES]
)
def test_bodies_built_from_the_document_are_accepted(api_schema, method, path):
    """Positive data (with the database-dependent fields left out) is accepted: 2xx, never 4xx."""
    schema, headers = api_schema
    operation = schema[path][method]
    statuses = []

    @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE, headers=headers))
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case):
        for name in DATABASE_RULES[(method, path)]:
            case.body.pop(name, None)
        response = case.call()
        statuses.append(response.status_code)
        assert 200 <= response.status_code < 300, (case.body, response.text[:500])

    run()
    assert statuses
