"""The connector interface, its error classes and the shared HTTP helpers."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from app.channels.pinning import shared_transport, tls_context
from app.channels.urls import UnresolvableHostError, UnsafeURLError, validate_outbound_url, web_url_or_none

USER_AGENT = "Counterpoint/1.0 (+counter-speech scheduler)"
_BODY_KEEP = 2000
_MESSAGE_KEEP = 300
# Values above this are read as epoch seconds rather than a delay: Bluesky's PDS sends
# `RateLimit-Reset` as an epoch timestamp while the IETF draft says delta seconds.
_EPOCH_THRESHOLD = 10**9


@dataclass(frozen=True)
class PublishRequest:
    """One post to publish, identical on every retry."""

    text: str
    idempotency_key: str
    language: str | None = None
    created_at: datetime | None = None
    # When the first attempt went out: lookups search the account from there (minus a slack).
    first_attempt_at: datetime | None = None


@dataclass(frozen=True)
class PublishResult:
    """Where the platform put the post."""

    remote_id: str
    url: str | None
    raw: dict[str, Any]

    def __post_init__(self) -> None:
        # A platform (or a hostile webhook receiver) may answer any string: only http(s) links are kept.
        object.__setattr__(self, "url", web_url_or_none(self.url))


@dataclass(frozen=True)
class ChannelConfig:
    """A channel's decrypted settings, built at the edge by the caller."""

    platform: str
    server_url: str | None
    handle: str | None
    credentials: dict[str, str] = field(repr=False)
    settings: dict[str, Any] = field(default_factory=dict)
    timeout: float = 10.0
    # Server software detected at test-connection (app.channels.capabilities); None = unknown.
    server_software: str | None = None
    # Where a platform session is shared between processes (app.channels.sessions); None = this process.
    session_store: Any = field(default=None, repr=False, compare=False)
    # Secure defaults; tests and development point connectors at loopback fakes over http.
    allow_private_urls: bool = False
    require_https: bool = True


class ConnectorError(Exception):
    """A platform call failed; subclasses say what the worker should do."""

    def __init__(self, message: str, *, status: int | None = None, body: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body[:_BODY_KEEP] if body else body


class AuthError(ConnectorError):
    """Credentials refused (401/403): re-authorise, never retry."""


class RateLimited(ConnectorError):
    """Rate limited (429): no request before retry_at."""

    def __init__(
        self,
        message: str,
        *,
        retry_at: datetime | None = None,
        status: int | None = None,
        body: str | None = None,
    ) -> None:
        super().__init__(message, status=status, body=body)
        self.retry_at = retry_at


class TransientError(ConnectorError):
    """The request surely did not take effect (5xx, refused, timeout before sending): retry."""


class UnknownOutcome(ConnectorError):
    """The request was sent but no usable answer came back: the post may exist."""


class Rejected(ConnectorError):
    """The platform refused the content or the configuration; message is the platform's."""


class Connector(ABC):
    """One platform account that can publish a post."""

    platform: str = ""
    dedupe_window: timedelta | None = None
    # Whether find_copies can say for certain that a post is absent (look before re-send).
    supports_lookup: bool = False
    # Whether delete() can remove an extra copy.
    supports_delete: bool = False

    def __init__(self, config: ChannelConfig) -> None:
        self.config = config

    @abstractmethod
    def publish(self, req: PublishRequest) -> PublishResult:
        """Publish the post; the same request may be repeated safely inside dedupe_window."""

    @abstractmethod
    def test_connection(self) -> str:
        """Check the credentials without posting; return a name a person recognises."""

    def find_existing(self, req: PublishRequest) -> PublishResult | None:
        """Look up a post sent earlier with this request, if the platform allows it."""
        return None

    def find_copies(self, req: PublishRequest) -> list[PublishResult]:
        """Every post on the account that is this request, oldest first; [] means certainly absent.

        Raises ConnectorError when the lookup itself failed (the outcome stays unknown).
        """
        found = self.find_existing(req)
        return [found] if found else []

    def delete(self, remote_id: str) -> None:
        """Remove a post (an extra copy) from the platform."""
        raise Rejected("This platform does not let us delete posts.")

    def character_limit(self) -> int | None:
        """Return the account's text limit when the platform publishes one."""
        return None

    def checked_url(self, url: str) -> str:
        """Refuse an outbound URL that is unsafe under this channel's policy."""
        try:
            return validate_outbound_url(
                url,
                allow_private=self.config.allow_private_urls,
                require_https=self.config.require_https,
            )
        except UnresolvableHostError as exc:
            raise TransientError(exc.message) from None
        except UnsafeURLError as exc:
            raise Rejected(exc.message) from None

    def http_client(self) -> httpx.Client:
        """A client with the channel's timeout that never follows redirects.

        Its own cookies and headers; the connections come from the process's pinned pool, so a
        worker keeps them alive from one post to the next instead of opening one per request.
        """
        return httpx.Client(
            transport=shared_transport(allow_private=self.config.allow_private_urls),
            timeout=self.config.timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT},
            verify=tls_context(),
        )


def send(client: httpx.Client, method: str, url: str, *, creates: bool, **kwargs: Any) -> httpx.Response:
    """Send a request, turning transport failures into connector errors.

    With creates=True a failure after the request left us is an UnknownOutcome;
    for reads it is only transient.
    """
    try:
        return client.request(method, url, **kwargs)
    except UnresolvableHostError as exc:
        raise TransientError(exc.message) from None
    except UnsafeURLError as exc:  # the address checked when connecting (DNS rebinding)
        raise Rejected(exc.message) from None
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TransientError(f"Could not reach the server: {_kind(exc)}.") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
        raise Rejected(f"The server address is not usable: {_kind(exc)}.") from None
    except httpx.TransportError as exc:
        # Read/write timeouts, resets and half-answers: the server may have acted on it.
        if creates:
            raise UnknownOutcome(
                f"No answer after the request was sent ({_kind(exc)}); it may have been posted."
            ) from None
        raise TransientError(f"The server did not answer ({_kind(exc)}).") from None


def _kind(exc: Exception) -> str:
    """Name an exception without its text, which may contain a URL with a token."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", type(exc).__name__).lower()


def json_or_none(resp: httpx.Response) -> Any:
    """Parse a JSON body, or None when it is not JSON."""
    try:
        return resp.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def platform_message(resp: httpx.Response) -> str:
    """The human message a platform put in an error body, else the HTTP reason."""
    data = json_or_none(resp)
    if isinstance(data, dict):
        for key in ("message", "description", "error_description", "error", "detail", "title"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()[:_MESSAGE_KEEP]
    return f"HTTP {resp.status_code} {resp.reason_phrase}".strip()


def classify_response(resp: httpx.Response, now: datetime | None = None) -> ConnectorError | None:
    """Map an HTTP answer to the error class it means, or None for a 2xx."""
    status = resp.status_code
    if 200 <= status < 300:
        return None
    body = resp.text[:_BODY_KEEP] if resp.content else None
    message = platform_message(resp)
    if status in (401, 403) or (status in (400, 422) and speaks_of_token(resp)):
        return AuthError(f"The platform refused the credentials: {message}", status=status, body=body)
    if status == 429:
        retry_at = parse_retry_at(resp.headers, now or datetime.now(UTC))
        return RateLimited(f"Rate limited: {message}", retry_at=retry_at, status=status, body=body)
    if status >= 500:
        return TransientError(f"The server had a problem: {message}", status=status, body=body)
    if 300 <= status < 400:
        return Rejected(
            "The server answered with a redirect; redirects are not followed. "
            "Check the address configured for this channel.",
            status=status,
            body=body,
        )
    return Rejected(message, status=status, body=body)


# Words servers use when a token is bad, in JSON errors, HTML pages or plain text:
# Mastodon "The access token is invalid", Takahē "Invalid Bearer token", OAuth "invalid_token".
_TOKEN_WORDS = re.compile(
    r"\b(?:invalid[_ ]token|invalid[_ ]grant|bearer|access[_ ]token|token (?:is |has )?"
    r"(?:invalid|expired|revoked|missing)|(?:expired|revoked|unknown|bad) token|not logged in|"
    r"unauthori[sz]ed|authentication (?:required|failed)|invalid credentials)\b",
    re.I,
)
# Vaguer words: when a 400/422 says only these, one credentials check decides.
_MAYBE_AUTH = re.compile(r"\b(?:token|auth\w*|credential\w*|login|logged|forbidden|permission)\b", re.I)


def speaks_of_token(resp: httpx.Response) -> bool:
    """Whether an error body (JSON, HTML or text) says the token is bad."""
    return bool(_TOKEN_WORDS.search(_error_text(resp)))


def may_concern_token(resp: httpx.Response) -> bool:
    """Whether a 4xx body might be about credentials without saying so plainly.

    True for vague words and for bodies that are not JSON (an HTML or text error page
    from a proxy or a framework): a credentials check then decides.
    """
    if speaks_of_token(resp):
        return True
    text = _error_text(resp)
    return bool(_MAYBE_AUTH.search(text)) or (bool(resp.content) and json_or_none(resp) is None)


def _error_text(resp: httpx.Response) -> str:
    """The words of an error body, without HTML tags."""
    try:
        text = resp.text[:_BODY_KEEP]
    except (UnicodeDecodeError, LookupError):
        return ""
    return re.sub(r"<[^>]+>", " ", text)


def parse_retry_at(headers: httpx.Headers | dict[str, str], now: datetime) -> datetime | None:
    """When a rate limit lifts, from Retry-After, X-RateLimit-Reset or RateLimit-Reset."""
    lower = {k.lower(): v.strip() for k, v in headers.items()}
    skew = _clock_skew(lower.get("date"), now)
    value = lower.get("retry-after")
    if value:
        found = _seconds_or_http_date(value, now, skew)
        if found is not None:
            return found
    value = lower.get("x-ratelimit-reset")
    if value:
        found = _absolute_or_delta(value, now, skew)
        if found is not None:
            return found
    value = lower.get("ratelimit-reset")
    if value:
        return _absolute_or_delta(value, now, skew)
    return None


def _clock_skew(date_header: str | None, now: datetime) -> timedelta:
    """Local clock minus server clock, from the Date header.

    Date is truncated to whole seconds, so this over-estimates the skew by less than a
    second: absolute resets move later, never earlier (no request before the reset).
    """
    if not date_header:
        return timedelta(0)
    try:
        server_now = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return timedelta(0)
    if server_now.tzinfo is None:
        server_now = server_now.replace(tzinfo=UTC)
    return now - server_now


def _seconds_or_http_date(value: str, now: datetime, skew: timedelta) -> datetime | None:
    """Retry-After: delay seconds or an HTTP-date."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return now + timedelta(seconds=float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when + skew


def _absolute_or_delta(value: str, now: datetime, skew: timedelta) -> datetime | None:
    """A reset header: epoch seconds, delta seconds or an ISO 8601 timestamp."""
    if re.fullmatch(r"\d+(\.\d+)?", value):
        number = float(value)
        if number >= _EPOCH_THRESHOLD:
            return datetime.fromtimestamp(number, UTC) + skew
        return now + timedelta(seconds=number)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when + skew
