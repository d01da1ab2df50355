"""API fixtures: tokens and a validator of responses against the OpenAPI document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from app.accounts.models import Organisation
from app.api import tokens
from app.extensions import db


@pytest.fixture
def make_token(app) -> Callable[..., str]:
    """Create a token for an organisation and return its clear value."""

    def make(org: Organisation, name: str = "script") -> str:
        _, clear = tokens.create_token(org, name, actor=None)
        db.session.commit()
        return clear

    return make


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    return lambda token: {"Authorization": f"Bearer {token}"}


@pytest.fixture
def openapi_check(client) -> Callable[..., None]:
    """Validate a real response against the operation it answers in /api/v1/openapi.json."""
    document = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:openapi", Resource(contents=document, specification=DRAFT202012))

    def check(response, path: str, method: str) -> None:
        operation = document["paths"][path][method]
        described = operation["responses"].get(str(response.status_code))
        assert described, f"{method.upper()} {path} answered {response.status_code}, not in the document"
        content = described.get("content", {})
        media = response.mimetype
        assert media in content, f"{media} not described for {response.status_code}"
        schema: dict[str, Any] = _rebase(content[media]["schema"])
        Draft202012Validator(schema, registry=registry).validate(response.get_json())

    return check


def _rebase(schema: Any) -> Any:
    """Point local component references at the registered document."""
    if isinstance(schema, dict):
        return {
            k: ("urn:openapi" + v if k == "$ref" and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema
