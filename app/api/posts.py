"""Posts over the API: GET /api/v1/posts?status=…&campaign_id=… (read-only; scheduling needs a person)."""

from __future__ import annotations

from typing import Any

from flask import request

from app.api import bp, openapi
from app.api.auth import current_api_org, token_required
from app.api.pagination import paginated_response
from app.api.problems import ValidationProblem
from app.api.reports import engagement_json
from app.drafting.models import Message
from app.outcomes.services import latest_samples
from app.publishing.models import Post
from app.publishing.services import visible_posts_for

# Model modules are imported inside the views (see app/api/campaigns.py for why).
POST_STATUSES = (
    "awaiting_partner",
    "queued",
    "sending",
    "posted",
    "unknown_outcome",
    "failed",
    "missed",
    "held",
    "cancelled",
)
_TIME = {"type": ["string", "null"], "format": "date-time"}
openapi.schema(
    "Post",
    {
        "type": "object",
        "required": [
            "id",
            "status",
            "message_id",
            "version_id",
            "campaign_id",
            "channel",
            "text",
            "scheduled_at",
        ],
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string", "enum": list(POST_STATUSES)},
            "message_id": {"type": "integer"},
            "version_id": {"type": "integer"},
            "campaign_id": {"type": "integer"},
            "content_hash": {"type": "string"},
            "channel": {
                "type": "object",
                "required": ["id", "platform", "name", "organisation"],
                "properties": {
                    "id": {"type": "integer"},
                    "platform": {"type": "string"},
                    "name": {"type": "string"},
                    "organisation": {"type": "string"},
                },
            },
            "text": {"type": "string"},
            "scheduled_at": {"type": "string", "format": "date-time"},
            "posted_at": _TIME,
            "remote_id": {"type": ["string", "null"]},
            "remote_url": {"type": ["string", "null"]},
            "attempt_count": {"type": "integer"},
            "held_reason": {"type": ["string", "null"]},
            "last_error": {"type": ["string", "null"]},
            "engagement": {
                "description": "The latest public counts read or recorded for this post, or null.",
                "anyOf": [{"$ref": "#/components/schemas/Engagement"}, {"type": "null"}],
            },
        },
    },
)
openapi.operation(
    "/posts",
    "get",
    summary="Posts on the organisation's channels or in campaigns it takes part in",
    tag="posts",
    parameters=[
        openapi.query(
            "status", "Only posts in this status.", {"type": "string", "enum": list(POST_STATUSES)}
        ),
        openapi.query("campaign_id", "Only posts of this campaign.", {"type": "integer", "minimum": 1}),
    ],
    responses={200: "Post", 422: None},
    paginated=True,
)


def serialize_posts(posts: list[Any]) -> list[dict[str, Any]]:
    """A page of posts, each with its latest engagement (loaded in one query)."""
    latest = latest_samples([post.id for post in posts])
    return [{**serialize_post(post), "engagement": engagement_json(latest.get(post.id))} for post in posts]


def serialize_post(post: Any) -> dict[str, Any]:
    """The API view of a post; never credentials."""
    return {
        "id": post.id,
        "status": str(post.status),
        "message_id": post.message_id,
        "version_id": post.version_id,
        "campaign_id": post.message.campaign_id,
        "content_hash": post.content_hash,
        "channel": {
            "id": post.channel_id,
            "platform": post.channel.platform,
            "name": post.channel.display_name,
            "organisation": post.channel.organisation.slug,
        },
        "text": post.text,
        "scheduled_at": post.scheduled_at.isoformat(),
        "posted_at": post.posted_at.isoformat() if post.posted_at else None,
        "remote_id": post.remote_id,
        "remote_url": post.remote_url,
        "attempt_count": post.attempt_count,
        "held_reason": post.held_reason,
        "last_error": post.last_error,
    }


@bp.route("/posts")
@token_required
def list_posts():

    query = visible_posts_for(current_api_org().id)
    status = request.args.get("status", "")
    if status:
        if status not in POST_STATUSES:
            raise ValidationProblem({"status": "Use one of: " + ", ".join(POST_STATUSES) + "."})
        query = query.where(Post.status == status)
    campaign_id = request.args.get("campaign_id", "")
    if campaign_id:
        if not campaign_id.isdigit():
            raise ValidationProblem({"campaign_id": "Use a campaign id (a whole number)."})
        query = query.where(Message.campaign_id == int(campaign_id))
    return paginated_response(
        query.order_by(Post.scheduled_at.desc(), Post.id.desc()),
        serialize_post,
        serialize_page=serialize_posts,
    )
