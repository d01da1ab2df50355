"""Loopback servers that report public counts of posts, with counts that grow between reads.

- FakeStatusCounts speaks the Mastodon API's status reads: `GET /api/v1/statuses/:id` (the Status
  entity's favourites_count, reblogs_count, replies_count) and `GET /api/v1/statuses/:id/context`
  (descendants with in_reply_to_id and HTML content). Profiles:
  * "mastodon": Mastodon 4.5 (quotes_count on the status; X-RateLimit-Limit/Remaining/Reset with an
    ISO 8601 reset on every answer, as app/controllers/concerns/rate_limit_headers.rb sends them);
  * "older": Mastodon before 4.5, Pleroma and Akkoma (no quotes_count; a 429 that carries only
    X-RateLimit-Reset, and no rate-limit headers on ordinary answers).
  A status that was deleted answers 404 `{"error": "Record not found"}` as Mastodon does.
- FakeAppView speaks the Bluesky AppView reads: `app.bsky.feed.getPosts?uris=` (likeCount,
  repostCount, replyCount, quoteCount; an unknown or deleted post is simply absent from `posts`)
  and `app.bsky.feed.getPostThread` (replies with their records). Rate limits answer 429 with
  `RateLimit-Reset` in epoch seconds, as the public AppView does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from tests.fakes.http import FakeService, RecordedRequest, Reply


@dataclass
class CountedPost:
    """A post the fake knows, with counts that grow by `step` after every read."""

    likes: int = 0
    reposts: int = 0
    replies: int = 0
    quotes: int = 0
    step: tuple[int, int, int, int] = (0, 0, 0, 0)
    reply_texts: list[str] = field(default_factory=list)
    deleted: bool = False

    def read(self) -> tuple[int, int, int, int]:
        counts = (self.likes, self.reposts, self.replies, self.quotes)
        self.likes, self.reposts, self.replies, self.quotes = (
            a + b for a, b in zip(counts, self.step, strict=True)
        )
        return counts


class _CountingService(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.posts: dict[str, CountedPost] = {}

    def add(self, remote_id: str, **counts: Any) -> CountedPost:
        post = CountedPost(**counts)
        self.posts[remote_id] = post
        return post

    def reads(self) -> list[RecordedRequest]:
        """Every request that reached the fake (rate-limited ones included)."""
        return list(self.requests)

    def _scripted_failure(self, headers: dict[str, str]) -> Reply | None:
        """A scripted 429 (with the given reset headers) or 500 for the next read, if any."""
        scripted = self.next_script("read")
        if scripted is None:
            return None
        if scripted.behaviour == "rate_limited":
            return Reply(429, {"error": "Too many requests"}, headers)
        if scripted.behaviour == "error":
            return Reply(500, {"error": "Internal error"})
        return None


class FakeStatusCounts(_CountingService):
    """Mastodon-API status reads."""

    def __init__(self, *, profile: str = "mastodon", token: str = "test-token") -> None:
        super().__init__()
        self.profile = profile
        self.token = token
        self.reset_in = timedelta(minutes=5)
        self.remaining = 300

    def handle(self, request: RecordedRequest) -> Reply:
        if request.bearer() != self.token:
            return Reply(401, {"error": "The access token is invalid"})
        reset = datetime.now(UTC) + self.reset_in
        limited = self._scripted_failure({"X-RateLimit-Reset": reset.isoformat()})
        if limited is not None:
            return limited
        parts = request.path.strip("/").split("/")
        if parts[:3] != ["api", "v1", "statuses"] or len(parts) not in (4, 5):
            return Reply(404, {"error": "Record not found"})
        remote_id = unquote(parts[3])
        post = self.posts.get(remote_id)
        if post is None or post.deleted:
            return Reply(404, {"error": "Record not found"})
        if len(parts) == 5 and parts[4] == "context":
            return self._reply(self._context(remote_id, post), reset)
        likes, reposts, replies, quotes = post.read()
        status = {
            "id": remote_id,
            "uri": f"https://example.test/users/counterpoint/statuses/{remote_id}",
            "content": "<p>A status.</p>",
            "favourites_count": likes,
            "reblogs_count": reposts,
            "replies_count": replies,
        }
        if self.profile == "mastodon":
            status["quotes_count"] = quotes
        return self._reply(status, reset)

    def _context(self, remote_id: str, post: CountedPost) -> dict[str, Any]:
        descendants = [
            {"id": f"{remote_id}-r{i}", "in_reply_to_id": remote_id, "content": f"<p>{text}</p>"}
            for i, text in enumerate(post.reply_texts)
        ]
        # A reply to a reply is a descendant too, but not a direct reply to our post.
        descendants.append(
            {"id": f"{remote_id}-deep", "in_reply_to_id": f"{remote_id}-r0", "content": "<p>x</p>"}
        )
        return {"ancestors": [], "descendants": descendants}

    def _reply(self, body: Any, reset: datetime) -> Reply:
        if self.profile != "mastodon":
            return Reply(200, body)
        self.remaining = max(0, self.remaining - 1)
        headers = {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": reset.isoformat(),
        }
        return Reply(200, body, headers)


class FakeAppView(_CountingService):
    """Bluesky AppView reads (public, no authentication)."""

    def handle(self, request: RecordedRequest) -> Reply:
        reset = datetime.now(UTC) + timedelta(minutes=5)
        limited = self._scripted_failure({"RateLimit-Reset": str(int(reset.timestamp()))})
        if limited is not None:
            return limited
        nsid = request.path.removeprefix("/xrpc/")
        if nsid == "app.bsky.feed.getPosts":
            uris = request.query.get("uris", [])
            return Reply(200, {"posts": [self._view(uri) for uri in uris if self._live(uri)]})
        if nsid == "app.bsky.feed.getPostThread":
            uri = request.param("uri") or ""
            if not self._live(uri):
                return Reply(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
            replies = [
                {"$type": "app.bsky.feed.defs#threadViewPost", "post": {"record": {"text": text}}}
                for text in self.posts[uri].reply_texts
            ]
            return Reply(200, {"thread": {"post": self._view(uri, count=False), "replies": replies}})
        return Reply(501, {"error": "MethodNotImplemented"})

    def _live(self, uri: str) -> bool:
        return uri in self.posts and not self.posts[uri].deleted

    def _view(self, uri: str, *, count: bool = True) -> dict[str, Any]:
        likes, reposts, replies, quotes = self.posts[uri].read() if count else (0, 0, 0, 0)
        return {
            "uri": uri,
            "cid": "bafyreib2rxk3rh6kzwq",
            "likeCount": likes,
            "repostCount": reposts,
            "replyCount": replies,
            "quoteCount": quotes,
            "indexedAt": datetime.now(UTC).isoformat(),
        }
