"""A loopback Mastodon server: statuses with Idempotency-Key, accounts, instance, rate-limit headers."""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import regex

from tests.fakes.http import FakeService, RecordedRequest, Reply

_URL = re.compile(r"https?://[^\s<]+")
_ACCOUNT_STATUSES = re.compile(r"^/api/v1/accounts/([^/]+)/statuses/?$")
_STATUS = re.compile(r"^/api/v1/statuses/([^/]+)$")


@dataclass
class _Account:
    id: str
    username: str


class FakeMastodon(FakeService):
    """Speaks enough of the Mastodon API for Mastodon.py and our connector."""

    def __init__(
        self,
        *,
        token: str = "test-token",
        username: str = "counterpoint",
        max_characters: int = 500,
        honour_idempotency: bool = True,
        invalid_token_status: int = 401,
    ) -> None:
        super().__init__()
        self.accounts = {token: _Account(id="109", username=username)}
        self.max_characters = max_characters
        self.honour_idempotency = honour_idempotency
        self.invalid_token_status = invalid_token_status
        self.statuses: list[dict[str, Any]] = []
        self._by_key: dict[tuple[str, str], dict[str, Any]] = {}
        self._ids = itertools.count(110000000000000001)
        self.rate_limit = 300
        self._remaining = 300
        self.scripted_reset_at: datetime | None = None

    def handle(self, request: RecordedRequest) -> Reply:
        path = request.path.rstrip("/") or "/"
        if path == "/api/v2/instance" and request.method == "GET":
            return self._reply(200, self._instance_v2())
        if path == "/api/v1/instance" and request.method == "GET":
            return self._reply(200, self._instance_v1())
        account = self.accounts.get(request.bearer() or "")
        if path == "/api/v1/statuses" and request.method == "POST":
            return self._post_status(request, account)
        if account is None:
            return self._invalid_token()
        if path == "/api/v1/accounts/verify_credentials":
            return self._reply(200, {**self._account_json(account), "source": {"privacy": "public"}})
        deleted = _STATUS.match(path)
        if deleted and request.method == "DELETE":
            return self._delete_status(deleted.group(1), account)
        match = _ACCOUNT_STATUSES.match(path)
        if match and request.method == "GET":
            limit = int(request.param("limit") or 20)
            mine = [s for s in reversed(self.statuses) if s["account"]["id"] == match.group(1)]
            return self._reply(200, mine[:limit])
        return self._reply(404, {"error": "Record not found"})

    def _post_status(self, request: RecordedRequest, account: _Account | None) -> Reply:
        with self.lock:
            self.create_calls += 1
        scripted = self.next_script()
        if scripted is not None:
            reply = self._scripted(scripted, request, account)
            if reply is not None:
                return reply
        if account is None:
            return self._invalid_token()
        key = request.headers.get("idempotency-key")
        with self.lock:
            if key and self.honour_idempotency and (account.id, key) in self._by_key:
                return self._reply(200, self._by_key[(account.id, key)])
            text = request.param("status") or ""
            if not text.strip():
                return self._reply(422, {"error": "Validation failed: Text can't be blank"})
            if len(regex.findall(r"\X", text)) > self.max_characters:
                return self._reply(
                    422,
                    {"error": f"Validation failed: Text character limit of {self.max_characters} exceeded"},
                )
            return self._reply(200, self._store(account, request, key))

    def _delete_status(self, status_id: str, account: _Account) -> Reply:
        """DELETE /api/v1/statuses/:id: only the author's own status; answers the deleted status."""
        with self.lock:
            found = next((s for s in self.statuses if s["id"] == status_id), None)
            if found is None or found["account"]["id"] != account.id:
                return self._reply(404, {"error": "Record not found"})
            self.statuses.remove(found)
        return self._reply(200, found)

    def _scripted(self, scripted: Any, request: RecordedRequest, account: _Account | None) -> Reply | None:
        """The scripted answer, or None to carry on normally."""
        behaviour, options = scripted.behaviour, scripted.options
        if behaviour == "401":
            return self._reply(401, {"error": "The access token is invalid"})
        if behaviour == "400_invalid_token":
            return self._reply(400, {"error": "invalid_token: The access token is invalid"})
        if behaviour == "403":
            return self._reply(403, {"error": "This action is not allowed"})
        if behaviour == "422":
            return self._reply(422, {"error": options.get("message", "Validation failed: Text is invalid")})
        if behaviour == "429":
            reset = datetime.now(UTC) + timedelta(seconds=options.get("reset_in", 2))
            self.scripted_reset_at = reset
            return self._reply(429, {"error": "Too many requests"}, remaining=0, reset=reset)
        if behaviour in ("500", "502", "503"):
            return self._reply(int(behaviour), {"error": "We're sorry, but something went wrong"})
        if behaviour == "302":
            return Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
        if behaviour == "timeout":
            return Reply(status=504, body={"error": "late"}, hang=options.get("hang", self.hang_seconds))
        if account is None:
            return None
        key = request.headers.get("idempotency-key")
        if behaviour == "timeout_after_store":
            status = self._store(account, request, key)
            return Reply(status=200, body=status, hang=options.get("hang", self.hang_seconds))
        if behaviour == "reset_after_store":
            self._store(account, request, key)
            return Reply(drop=True)
        if behaviour == "malformed":
            self._store(account, request, key)
            return self._reply(200, "<html><body>Almost JSON {</body></html>")
        raise ValueError(f"unknown scripted behaviour {behaviour!r}")

    def _store(self, account: _Account, request: RecordedRequest, key: str | None) -> dict[str, Any]:
        text = request.param("status") or ""
        status_id = str(next(self._ids))
        status = {
            "id": status_id,
            "created_at": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "in_reply_to_id": None,
            "in_reply_to_account_id": None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": request.param("visibility") or "public",
            "language": request.param("language"),
            "uri": f"{self.url}/users/{account.username}/statuses/{status_id}",
            "url": f"{self.url}/@{account.username}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": render_content(text),
            "reblog": None,
            "account": self._account_json(account),
            "media_attachments": [],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        with self.lock:
            self.statuses.append(status)
            if key and self.honour_idempotency:
                self._by_key[(account.id, key)] = status
            self.count_create(key, text)
        return status

    def _account_json(self, account: _Account) -> dict[str, Any]:
        return {
            "id": account.id,
            "username": account.username,
            "acct": account.username,
            "display_name": "Counterpoint test account",
            "locked": False,
            "bot": False,
            "created_at": "2024-01-01T00:00:00.000Z",
            "note": "",
            "url": f"{self.url}/@{account.username}",
            "avatar": "",
            "header": "",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": len(self.statuses),
            "fields": [],
            "emojis": [],
        }

    def _instance_v2(self) -> dict[str, Any]:
        return {
            "domain": "fake.mastodon.test",
            "title": "Fake Mastodon",
            "version": "4.3.0",
            "configuration": {
                "statuses": {
                    "max_characters": self.max_characters,
                    "max_media_attachments": 4,
                    "characters_reserved_per_url": 23,
                }
            },
        }

    def _instance_v1(self) -> dict[str, Any]:
        return {
            "uri": "fake.mastodon.test",
            "title": "Fake Mastodon",
            "version": "4.3.0",
            "configuration": {"statuses": {"max_characters": self.max_characters}},
        }

    def _invalid_token(self) -> Reply:
        return self._reply(self.invalid_token_status, {"error": "The access token is invalid"})

    def _reply(
        self, status: int, body: Any, *, remaining: int | None = None, reset: datetime | None = None
    ) -> Reply:
        """An answer carrying Mastodon's X-RateLimit-* headers (Reset is an ISO timestamp)."""
        with self.lock:
            self._remaining = max(0, self._remaining - 1) if remaining is None else remaining
            left = self._remaining
        reset = reset or datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=5)
        headers = {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(left),
            "X-RateLimit-Reset": reset.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        }
        return Reply(status=status, body=body, headers=headers)


def render_content(text: str) -> str:
    """HTML content the way Mastodon renders plain text: paragraphs, line breaks, split links."""
    paragraphs = []
    for block in text.split("\n\n"):
        escaped = html.escape(block, quote=False)
        linked = _URL.sub(_link, escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def _link(match: re.Match[str]) -> str:
    url = match.group(0)
    scheme, _, rest = url.partition("://")
    return (
        f'<a href="{url}" rel="nofollow noopener" target="_blank">'
        f'<span class="invisible">{scheme}://</span><span class="">{rest}</span>'
        '<span class="invisible"></span></a>'
    )
