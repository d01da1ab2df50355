"""API-wide endpoints: the OpenAPI document and a token check."""

from __future__ import annotations

from flask import current_app, jsonify, url_for

from app.api import bp, openapi  # noqa: F401  (bp: the factory registers it from here)
from app.api.auth import current_api_org, current_api_token
from app.api.contract import endpoint
from app.api.fields import OrganisationRef, Out


class TokenRef(Out):
    """A token, by name and the first characters of its value."""

    name: str
    prefix: str


class Me(Out):
    """The organisation and token a request acts as."""

    organisation: OrganisationRef
    token: TokenRef


@endpoint(
    "/openapi.json",
    summary="This OpenAPI document",
    tag="meta",
    responses={200: {"type": "object"}},
    secured=False,
)
def openapi_document():
    server = url_for("api.openapi_document").rsplit("/", 1)[0]
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return jsonify(openapi.document(app, server_url=server))


@endpoint("/me", summary="The organisation and token a request acts as", tag="meta", responses={200: Me})
def me() -> Me:
    token = current_api_token()
    return Me(
        organisation=OrganisationRef.model_validate(current_api_org()), token=TokenRef.model_validate(token)
    )


# The endpoint modules, one per feature; the app factory imports this module before registering `bp`.
from app.api import campaigns, checks, messages, posts, reports, trends  # noqa: E402,F401
