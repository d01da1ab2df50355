"""Posts over the API: GET /api/v1/posts?status=…&campaign_id=… (read-only; scheduling needs a person)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import select

from app.api.auth import current_api_org
from app.api.contract import endpoint
from app.api.fields import Omittable, OneOf, Out, QueryInt
from app.api.pagination import PageQuery, page_of, paginated_response
from app.api.reports import Engagement, engagement
from app.common import limits
from app.outcomes.services import latest_samples
from app.publishing.models import Post as PostRecord
from app.publishing.services import post_visibility, visible_posts_for, with_list_relations

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
PostStatusName = Annotated[str, OneOf(POST_STATUSES)]


class PostQuery(PageQuery):
    """Filters of the post list."""

    status: Omittable[PostStatusName] = Field(default=None, description="Only posts in this status.")
    campaign_id: Omittable[Annotated[int, QueryInt(1, limits.DB_INT_MAX)]] = Field(
        default=None, description="Only posts of this campaign."
    )


class Channel(Out):
    """The channel a post goes out on."""

    id: int
    platform: str
    name: str
    organisation: str


class Post(Out):
    """The API view of a post; never credentials."""

    id: int
    status: PostStatusName
    message_id: int
    version_id: int
    campaign_id: int
    content_hash: str
    channel: Channel
    text: str
    scheduled_at: datetime
    posted_at: datetime | None
    remote_id: str | None
    remote_url: str | None
    attempt_count: int
    held_reason: str | None
    last_error: str | None
    engagement: Engagement | None = Field(
        description="The latest public counts read or recorded for this post, or null."
    )


def serialize_posts(posts: list[Any]) -> list[Post]:
    """A page of posts, each with its latest engagement (loaded in one query)."""
    latest = latest_samples([post.id for post in posts])
    return [serialize_post(post, engagement(latest.get(post.id))) for post in posts]


def serialize_post(post: Any, counts: Engagement | None = None) -> Post:
    """The API view of a post; never credentials."""
    return Post(
        id=post.id,
        status=str(post.status),
        message_id=post.message_id,
        version_id=post.version_id,
        campaign_id=post.message.campaign_id,
        content_hash=post.content_hash,
        channel=Channel(
            id=post.channel_id,
            platform=post.channel.platform,
            name=post.channel.display_name,
            organisation=post.channel.organisation.slug,
        ),
        text=post.text,
        scheduled_at=post.scheduled_at,
        posted_at=post.posted_at,
        remote_id=post.remote_id,
        remote_url=post.remote_url,
        attempt_count=post.attempt_count,
        held_reason=post.held_reason,
        last_error=post.last_error,
        engagement=counts,
    )


@endpoint(
    "/posts",
    summary="Posts on the organisation's channels or in campaigns it takes part in",
    tag="posts",
    query=PostQuery,
    responses={200: page_of(Post)},
)
def list_posts(query: PostQuery):
    organisation_id = current_api_org().id
    select_ = with_list_relations(visible_posts_for(organisation_id))
    # The total counts the same posts on their own columns: the joins above only load what a row shows.
    counted = select(PostRecord.id).where(post_visibility(organisation_id))
    if query.status:
        select_ = select_.where(PostRecord.status == query.status)
        counted = counted.where(PostRecord.status == query.status)
    if query.campaign_id:
        select_ = select_.where(PostRecord.campaign_id == query.campaign_id)
        counted = counted.where(PostRecord.campaign_id == query.campaign_id)
    return paginated_response(
        select_.order_by(PostRecord.scheduled_at.desc(), PostRecord.id.desc()),
        serialize_post,
        query,
        Post,
        serialize_page=serialize_posts,
        count_query=counted,
    )
