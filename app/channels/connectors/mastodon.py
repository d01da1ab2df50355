"""Mastodon (and Mastodon-API servers) through Mastodon.py."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonError,
    MastodonNetworkError,
    MastodonRatelimitError,
)

from app.channels.connectors.base import (
    USER_AGENT,
    AuthError,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    classify_response,
    json_or_none,
    parse_retry_at,
    send,
)

T = TypeVar("T")
# Some Mastodon-API servers answer a bad token with 400 instead of 401 (RELIABILITY.md).
_TOKEN_TROUBLE = re.compile(r"token|unauthori[sz]ed|not logged in|authenticat|credential", re.I)
_RECENT_STATUSES = 40
# Clock skew allowed between our created_at and the server's status timestamps.
_RECONCILE_SLACK = timedelta(minutes=10)


class MastodonConnector(Connector):
    """Posts statuses with an Idempotency-Key, which Mastodon honours for about an hour."""

    platform = "mastodon"
    dedupe_window = timedelta(hours=1)
    supports_lookup = True
    supports_delete = True

    def publish(self, req: PublishRequest) -> PublishResult:
        """Post a public status; the same idempotency key returns the same status."""
        with self._api() as (api, responses):

            def post() -> Any:
                return api.status_post(req.text, language=req.language, idempotency_key=req.idempotency_key)

            status = self._call(post, responses, creates=True)
            return _result(_raw_answer(responses, status))

    def test_connection(self) -> str:
        """Verify the token and return the account's handle."""
        with self._api() as (api, responses):
            account = self._call(api.account_verify_credentials, responses, creates=False)
        return f"@{account.get('acct') or account.get('username')}"

    def find_existing(self, req: PublishRequest) -> PublishResult | None:
        """Find a status with the same text among the account's recent statuses."""
        copies = self.find_copies(req)
        return copies[0] if copies else None

    def find_copies(self, req: PublishRequest) -> list[PublishResult]:
        """Every recent status of the account with the same text, oldest first."""
        with self._api() as (api, responses):
            account = self._call(api.account_verify_credentials, responses, creates=False)

            def recent() -> Any:
                return api.account_statuses(account["id"], limit=_RECENT_STATUSES, exclude_reblogs=True)

            statuses = _raw_answer(responses, self._call(recent, responses, creates=False))
        wanted = _normalise(req.text)
        since = req.created_at - _RECONCILE_SLACK if req.created_at else None
        # Oldest first: if a duplicate slipped through, the original is the post.
        return [
            _result(status)
            for status in reversed(statuses if isinstance(statuses, list) else [])
            if not (since and _created_at(status) < since)
            and _normalise(_plain(status.get("content") or "")) == wanted
        ]

    def delete(self, remote_id: str) -> None:
        """Delete one of the account's statuses (an extra copy a person chose to remove)."""
        with self._api() as (api, responses):
            self._call(lambda: api.status_delete(remote_id), responses, creates=False)

    def character_limit(self) -> int | None:
        """Read configuration.statuses.max_characters from the instance.

        Uses httpx directly: Mastodon.py asks for `/api/v2/instance/` with a trailing slash,
        which some Mastodon-API servers do not route.
        """
        base = self.checked_url(self._base())
        with self.http_client() as client:
            for path in ("/api/v2/instance", "/api/v1/instance"):
                resp = send(client, "GET", base + path, creates=False)
                if resp.status_code == 404:
                    continue
                error = classify_response(resp)
                if error:
                    raise error
                return _max_characters(json_or_none(resp))
        return None

    def _base(self) -> str:
        if not self.config.server_url:
            raise Rejected("This Mastodon channel has no server address.")
        return self.config.server_url.rstrip("/")

    @contextmanager
    def _api(self) -> Iterator[tuple[Mastodon, list[requests.Response]]]:
        """A Mastodon.py client that throws on rate limits and records raw responses."""
        base = self.checked_url(self._base())
        token = self.config.credentials.get("access_token", "")
        if not token:
            raise AuthError("This Mastodon channel has no access token.")
        responses: list[requests.Response] = []
        session = requests.Session()
        session.max_redirects = 0
        session.hooks["response"].append(lambda resp, *args, **kwargs: responses.append(resp))
        api = Mastodon(
            api_base_url=base,
            request_timeout=self.config.timeout,
            ratelimit_method="throw",
            version_check_mode="none",
            session=session,
            user_agent=USER_AGENT,
        )
        # Set after construction: Mastodon.py reads a file if access_token names one.
        api.access_token = token
        with session:
            yield api, responses

    def _call(self, fn: Callable[[], T], responses: list[requests.Response], *, creates: bool) -> T:
        """Run a Mastodon.py call and map its exceptions to connector errors."""
        try:
            return fn()
        except MastodonNetworkError as exc:
            raise _network_error(exc, creates=creates) from None
        except (MastodonAPIError, MastodonRatelimitError) as exc:
            raise _api_error(exc, responses[-1] if responses else None, creates=creates) from None
        except MastodonError as exc:
            raise ConnectorError(f"Mastodon client error: {type(exc).__name__}") from None


def _network_error(exc: MastodonNetworkError, *, creates: bool) -> ConnectorError:
    """Tell a failure before sending from one after it, using the requests exception."""
    cause = exc.__context__
    if isinstance(cause, requests.exceptions.TooManyRedirects):
        return Rejected(
            "The server answered with a redirect; redirects are not followed. Check the server address."
        )
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return TransientError("Could not reach the Mastodon server (connect timeout).")
    if isinstance(cause, requests.exceptions.ConnectionError) and not isinstance(
        cause, requests.exceptions.ReadTimeout
    ):
        reason = getattr(cause.args[0], "reason", None) if cause.args else None
        if reason is not None:
            # urllib3's MaxRetryError carries the connection failure: nothing was sent.
            return TransientError("Could not reach the Mastodon server (connection failed).")
    if creates:
        return UnknownOutcome("No answer after the status was sent; it may have been posted.")
    return TransientError("The Mastodon server did not answer.")


def _api_error(exc: MastodonError, resp: requests.Response | None, *, creates: bool) -> ConnectorError:
    """Map an HTTP-level error, reading status and headers from the raw response."""
    if resp is None:
        return ConnectorError(f"Mastodon client error: {type(exc).__name__}")
    status = resp.status_code
    body = resp.text
    message = _error_message(resp)
    if 200 <= status < 300:
        # The server accepted the request but the answer could not be read.
        if creates:
            return UnknownOutcome(
                "The server accepted the status but its answer could not be read.",
                status=status,
                body=body,
            )
        return TransientError("The Mastodon server sent an unreadable answer.", status=status)
    if status == 429:
        return RateLimited(
            f"Rate limited: {message}",
            retry_at=parse_retry_at(dict(resp.headers), datetime.now(UTC)),
            status=status,
            body=body,
        )
    if status in (401, 403) or (status == 400 and _TOKEN_TROUBLE.search(message)):
        return AuthError(f"Mastodon refused the access token: {message}", status=status, body=body)
    if status >= 500:
        return TransientError(f"The Mastodon server had a problem: {message}", status=status)
    return Rejected(message, status=status, body=body)


def _error_message(resp: requests.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"][:300]
    return f"HTTP {resp.status_code} {resp.reason or ''}".strip()


def _result(status: dict[str, Any]) -> PublishResult:
    return PublishResult(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"), raw=status)


def _raw_answer(responses: list[requests.Response], parsed: Any) -> Any:
    """The server's own JSON (Mastodon.py turns string ids into ints and adds None fields)."""
    try:
        return responses[-1].json()
    except (IndexError, ValueError):
        return _jsonable(parsed)


def _jsonable(value: Any) -> Any:
    """Turn Mastodon.py's typed dicts (with datetimes) into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _created_at(status: dict[str, Any]) -> datetime:
    """A status's creation time; unreadable times count as recent so they are still compared."""
    try:
        return _aware(datetime.fromisoformat(str(status.get("created_at")).replace("Z", "+00:00")))
    except ValueError:
        return datetime.now(UTC)


def _plain(content: str) -> str:
    """Plain text of a status's HTML content."""
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.I)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def _normalise(text: str) -> str:
    """Compare texts ignoring whitespace layout and the domain part of mentions."""
    text = re.sub(r"(@[\w.]+)@[\w.-]+\w", r"\1", text)
    return " ".join(text.split())


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _max_characters(data: Any) -> int | None:
    if not isinstance(data, dict):
        return None
    config = data.get("configuration")
    if isinstance(config, dict):
        statuses = config.get("statuses")
        if isinstance(statuses, dict) and isinstance(statuses.get("max_characters"), int):
            return statuses["max_characters"]
    # Pleroma and Akkoma publish the limit as max_toot_chars.
    value = data.get("max_toot_chars")
    return value if isinstance(value, int) else None
