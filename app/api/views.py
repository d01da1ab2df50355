"""API-wide endpoints: the OpenAPI document and a token check."""

from __future__ import annotations

from flask import jsonify, url_for

from app.api import bp, openapi
from app.api.auth import current_api_org, current_api_token, token_required

openapi.schema(
    "Me",
    {
        "type": "object",
        "required": ["organisation", "token"],
        "properties": {
            "organisation": {
                "type": "object",
                "required": ["id", "slug", "name"],
                "properties": {
                    "id": {"type": "integer"},
                    "slug": {"type": "string"},
                    "name": {"type": "string"},
                },
            },
            "token": {
                "type": "object",
                "required": ["name", "prefix"],
                "properties": {"name": {"type": "string"}, "prefix": {"type": "string"}},
            },
        },
    },
)
openapi.operation(
    "/openapi.json",
    "get",
    summary="This OpenAPI document",
    tag="meta",
    responses={200: {"type": "object"}},
    secured=False,
)
openapi.operation(
    "/me", "get", summary="The organisation and token a request acts as", tag="meta", responses={200: "Me"}
)


@bp.route("/openapi.json")
def openapi_document():
    return jsonify(openapi.document(server_url=url_for("api.openapi_document").rsplit("/", 1)[0]))


@bp.route("/me")
@token_required
def me():
    org, token = current_api_org(), current_api_token()
    return jsonify(
        {
            "organisation": {"id": org.id, "slug": org.slug, "name": org.name},
            "token": {"name": token.name, "prefix": token.prefix},
        }
    )


# The endpoint modules, one per feature; the app factory imports this module before registering `bp`.
from app.api import campaigns, checks, messages, posts, reports, trends  # noqa: E402,F401
