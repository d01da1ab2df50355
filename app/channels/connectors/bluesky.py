"""Bluesky (AT Protocol) over raw XRPC with httpx.

httpx rather than the atproto Client: we need our own session cache (createSession is
limited to 30 per 5 minutes), a client-chosen rkey, and to tell a timeout before sending
from one after it, which the atproto Client's exceptions do not expose.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import regex

from app.channels.connectors.base import (
    AuthError,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
    Rejected,
    TransientError,
    UnknownOutcome,
    classify_response,
    json_or_none,
    send,
)
from app.checks.richtext import bluesky_spans

DEFAULT_SERVER = "https://bsky.social"
POST_COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = regex.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Refresh a little before expiry so a slow request does not carry a dead token.
_EXPIRY_MARGIN = timedelta(seconds=60)
# When a JWT cannot be decoded, trust it briefly rather than open a session per post.
_UNKNOWN_JWT_LIFETIME = timedelta(minutes=5)
_TOKEN_ERRORS = {"ExpiredToken", "InvalidToken"}
_ACCOUNT_ERRORS = {"AccountTakedown", "AccountDeactivated", "AuthFactorTokenRequired"}

# Patterns follow the official detector (@atproto/api detectFacets) and the handle spec:
# a link starts the text or follows a space or "(", with a scheme or as a bare domain on a
# known top-level domain (then linked as https://). Apostrophes inside a link stay in it


@dataclass
class _Session:
    did: str
    handle: str
    access_jwt: str
    refresh_jwt: str
    access_expires_at: datetime
    refresh_expires_at: datetime


_sessions: dict[tuple[str, str, str], _Session] = {}
_sessions_lock = threading.Lock()


def clear_sessions() -> None:
    """Forget every cached session (tests; credential changes)."""
    with _sessions_lock:
        _sessions.clear()


class BlueskyConnector(Connector):
    """Posts with a deterministic TID rkey, so a repeat can never make a second post."""

    platform = "bluesky"
    # The rkey is derived from the key: a re-send collides instead of duplicating.
    dedupe_window = timedelta(days=3650)
    supports_lookup = True
    supports_delete = True

    def publish(self, req: PublishRequest) -> PublishResult:
        """Create the post record under its deterministic rkey."""
        rkey = tid_for(req.idempotency_key, req.created_at)
        with self.http_client() as client:
            session, resp = self._create_post(client, req, rkey)
            if resp.status_code >= 500:
                # A reused rkey answers 500 on real servers: the first attempt may have landed.
                existing = self._get_post(client, session, rkey)
                if existing is not None:
                    if existing["value"].get("text") != req.text:
                        raise Rejected("Another post already uses this record key.", status=500)
                    return self._result(session, rkey, existing)
            self._raise_for(resp)
        data = json_or_none(resp)
        if not isinstance(data, dict) or not isinstance(data.get("uri"), str):
            raise UnknownOutcome(
                "The server accepted the post but its answer could not be read.",
                status=resp.status_code,
                body=resp.text,
            )
        return self._result(session, rkey, data)

    def _create_post(
        self, client: httpx.Client, req: PublishRequest, rkey: str
    ) -> tuple[_Session, httpx.Response]:
        """createRecord; a cached session the server calls expired is replaced once."""
        session, was_cached = self._session(client)
        body = {
            "repo": session.did,
            "collection": POST_COLLECTION,
            "rkey": rkey,
            "record": self._record(client, req),
        }
        resp = self._create(client, session, body)
        if was_cached and _token_problem(resp):
            self._forget()
            session, _ = self._session(client)
            resp = self._create(client, session, {**body, "repo": session.did})
        return session, resp

    def test_connection(self) -> str:
        """Open (or reuse) a session and return the account's handle."""
        with self.http_client() as client:
            session, _ = self._session(client)
            resp = send(
                client,
                "GET",
                self._xrpc("com.atproto.server.getSession"),
                creates=False,
                headers=_bearer(session.access_jwt),
            )
            self._raise_for(resp)
            return f"@{session.handle}"

    def find_existing(self, req: PublishRequest) -> PublishResult | None:
        """Fetch the record at the request's rkey, if it holds this text."""
        rkey = tid_for(req.idempotency_key, req.created_at)
        with self.http_client() as client:
            session, _ = self._session(client)
            existing = self._get_post(client, session, rkey)
        if existing is None or existing["value"].get("text") != req.text:
            return None
        return self._result(session, rkey, existing)

    def find_copies(self, req: PublishRequest) -> list[PublishResult]:
        """The record at the request's rkey is the only possible copy (getRecord)."""
        found = self.find_existing(req)
        return [found] if found else []

    def delete(self, remote_id: str) -> None:
        """deleteRecord for one of the account's posts (at://did/app.bsky.feed.post/rkey)."""
        parts = remote_id.removeprefix("at://").split("/")
        if len(parts) != 3 or parts[1] != POST_COLLECTION or not is_valid_tid(parts[2]):
            raise Rejected("This is not a Bluesky post of this account.")
        with self.http_client() as client:
            session, _ = self._session(client)
            if parts[0] != session.did:
                raise Rejected("This post belongs to another account.")
            resp = send(
                client,
                "POST",
                self._xrpc("com.atproto.repo.deleteRecord"),
                creates=False,
                json={"repo": session.did, "collection": POST_COLLECTION, "rkey": parts[2]},
                headers=_bearer(session.access_jwt),
            )
            self._raise_for(resp)

    def _server(self) -> str:
        return self.checked_url((self.config.server_url or DEFAULT_SERVER).rstrip("/"))

    def _xrpc(self, nsid: str) -> str:
        return f"{self._server()}/xrpc/{nsid}"

    def _cache_key(self) -> tuple[str, str, str]:
        password = self.config.credentials.get("app_password", "")
        # Only a digest of the password is kept, so a changed password opens a new session.
        digest = hashlib.sha256(password.encode()).hexdigest()
        return (self._server(), self._handle().lower(), digest)

    def _handle(self) -> str:
        return (self.config.handle or "").strip().lstrip("@")

    def _forget(self) -> None:
        with _sessions_lock:
            _sessions.pop(self._cache_key(), None)
        if self.config.session_store is not None:
            self.config.session_store.clear()

    def _session(self, client: httpx.Client) -> tuple[_Session, bool]:
        """A valid session: cached, refreshed, or new. Returns (session, was_cached)."""
        if self.config.session_store is not None:
            return self._shared_session(client)
        key = self._cache_key()
        with _sessions_lock:
            cached = _sessions.get(key)
        now = datetime.now(UTC)
        if cached and cached.access_expires_at - _EXPIRY_MARGIN > now:
            return cached, True
        session = None
        if cached and cached.refresh_expires_at - _EXPIRY_MARGIN > now:
            session = self._refresh(client, cached)
        if session is None:
            session = self._create_session(client)
        with _sessions_lock:
            _sessions[key] = session
        return session, False

    def _shared_session(self, client: httpx.Client) -> tuple[_Session, bool]:
        """The session every process shares: read it, or renew it under the store's row lock."""
        store = self.config.session_store
        owner = "|".join(self._cache_key())
        stored = _session_from_dict(store.load(), owner)
        if stored and _usable(stored.access_expires_at):
            return stored, True

        def produce(current: dict[str, Any] | None) -> dict[str, Any] | None:
            found = _session_from_dict(current, owner)
            if found and _usable(found.access_expires_at):
                return current  # another process renewed it while we waited for the lock
            session = self._refresh(client, found) if found and _usable(found.refresh_expires_at) else None
            return _session_to_dict(session or self._create_session(client), owner)

        renewed = _session_from_dict(store.replace(produce), owner)
        if renewed is None:
            raise TransientError("The Bluesky session could not be stored.")
        return renewed, False

    def _create_session(self, client: httpx.Client) -> _Session:
        handle = self._handle()
        password = self.config.credentials.get("app_password")
        if not handle or not password:
            raise AuthError("This Bluesky channel needs a handle and an app password.")
        resp = send(
            client,
            "POST",
            self._xrpc("com.atproto.server.createSession"),
            creates=False,
            json={"identifier": handle, "password": password},
        )
        self._raise_for(resp)
        return _session_from(json_or_none(resp), fallback_handle=handle)

    def _refresh(self, client: httpx.Client, cached: _Session) -> _Session | None:
        resp = send(
            client,
            "POST",
            self._xrpc("com.atproto.server.refreshSession"),
            creates=False,
            headers=_bearer(cached.refresh_jwt),
        )
        if resp.status_code != 200:
            return None
        try:
            return _session_from(json_or_none(resp), fallback_handle=cached.handle)
        except ConnectorError:
            return None

    def _create(self, client: httpx.Client, session: _Session, body: dict[str, Any]) -> httpx.Response:
        return send(
            client,
            "POST",
            self._xrpc("com.atproto.repo.createRecord"),
            creates=True,
            json=body,
            headers=_bearer(session.access_jwt),
        )

    def _get_post(self, client: httpx.Client, session: _Session, rkey: str) -> dict[str, Any] | None:
        """The post record at rkey, or None when there is none."""
        resp = send(
            client,
            "GET",
            self._xrpc("com.atproto.repo.getRecord"),
            creates=False,
            params={"repo": session.did, "collection": POST_COLLECTION, "rkey": rkey},
        )
        data = json_or_none(resp)
        missing = isinstance(data, dict) and data.get("error") in ("RecordNotFound", "NotFound")
        if resp.status_code == 404 or (resp.status_code == 400 and missing):
            return None
        self._raise_for(resp)
        if not isinstance(data, dict) or not isinstance(data.get("value"), dict):
            raise TransientError("The server sent an unreadable record.", status=resp.status_code)
        return data

    def _record(self, client: httpx.Client, req: PublishRequest) -> dict[str, Any]:
        record: dict[str, Any] = {
            "$type": POST_COLLECTION,
            "text": req.text,
            "createdAt": _iso(datetime.now(UTC)),
        }
        if req.language:
            record["langs"] = [req.language][:3]
        facets = build_facets(req.text, lambda handle: self._resolve(client, handle))
        if facets:
            record["facets"] = facets
        return record

    def _resolve(self, client: httpx.Client, handle: str) -> str | None:
        """The DID of a handle, or None when it does not resolve."""
        try:
            resp = send(
                client,
                "GET",
                self._xrpc("com.atproto.identity.resolveHandle"),
                creates=False,
                params={"handle": handle},
            )
        except ConnectorError:
            return None
        data = json_or_none(resp)
        if resp.status_code == 200 and isinstance(data, dict) and isinstance(data.get("did"), str):
            return data["did"]
        return None

    def _raise_for(self, resp: httpx.Response) -> None:
        """Raise the connector error an XRPC answer means; token errors are AuthError."""
        data = json_or_none(resp)
        code = data.get("error") if isinstance(data, dict) else None
        if isinstance(data, dict) and (code in _ACCOUNT_ERRORS or code in _TOKEN_ERRORS):
            message = data.get("message") or code
            raise AuthError(f"Bluesky refused the session: {message}", status=resp.status_code)
        error = classify_response(resp)
        if error:
            raise error

    def _result(self, session: _Session, rkey: str, data: dict[str, Any]) -> PublishResult:
        handle = self._handle() or session.handle
        return PublishResult(
            remote_id=str(data["uri"]),
            url=f"https://bsky.app/profile/{handle}/post/{rkey}",
            raw=data,
        )


def tid_for(key: str, created_at: datetime | None) -> str:
    """A valid TID from created_at (microseconds) and a 10-bit clock id hashed from the key."""
    if created_at is None:
        raise ValueError("Bluesky needs created_at to derive a stable record key.")
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    micros = (created_at - _EPOCH) // timedelta(microseconds=1)
    if not 0 <= micros < 2**53:
        raise ValueError("created_at is outside the range a TID can hold.")
    clock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:2], "big") & 0x3FF
    value = (micros << 10) | clock_id
    return "".join(TID_ALPHABET[(value >> (60 - 5 * i)) & 31] for i in range(13))


def is_valid_tid(rkey: str) -> bool:
    """Whether rkey has the TID syntax required for post records."""
    return bool(TID_PATTERN.match(rkey))


def build_facets(text: str, resolve: Any) -> list[dict[str, Any]]:
    """Link, mention and hashtag facets with UTF-8 byte offsets; unresolvable mentions are skipped."""
    facets: list[dict[str, Any]] = []
    for span in bluesky_spans(text):
        if span.kind == "link":
            feature = {"$type": "app.bsky.richtext.facet#link", "uri": span.value}
        elif span.kind == "tag":
            feature = {"$type": "app.bsky.richtext.facet#tag", "tag": span.value}
        elif did := resolve(span.value):
            feature = {"$type": "app.bsky.richtext.facet#mention", "did": did}
        else:
            continue
        facets.append(_facet(text, span.start, span.end, feature))
    return facets


def _facet(text: str, start: int, end: int, feature: dict[str, Any]) -> dict[str, Any]:
    byte_start = len(text[:start].encode("utf-8"))
    byte_end = byte_start + len(text[start:end].encode("utf-8"))
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _token_problem(resp: httpx.Response) -> bool:
    data = json_or_none(resp)
    return resp.status_code in (400, 401) and isinstance(data, dict) and data.get("error") in _TOKEN_ERRORS


def _session_from(data: Any, *, fallback_handle: str) -> _Session:
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("accessJwt", "refreshJwt", "did")
    ):
        raise TransientError("The Bluesky server sent an unreadable session.")
    now = datetime.now(UTC)
    return _Session(
        did=data["did"],
        handle=data.get("handle") or fallback_handle,
        access_jwt=data["accessJwt"],
        refresh_jwt=data["refreshJwt"],
        access_expires_at=jwt_expiry(data["accessJwt"]) or now + _UNKNOWN_JWT_LIFETIME,
        refresh_expires_at=jwt_expiry(data["refreshJwt"]) or now + _UNKNOWN_JWT_LIFETIME,
    )


def _usable(expires_at: datetime) -> bool:
    return expires_at - _EXPIRY_MARGIN > datetime.now(UTC)


def _session_to_dict(session: _Session, owner: str) -> dict[str, Any]:
    """A session as stored; owner ties it to server, handle and a digest of the app password."""
    return {
        "owner": owner,
        "did": session.did,
        "handle": session.handle,
        "access_jwt": session.access_jwt,
        "refresh_jwt": session.refresh_jwt,
        "access_expires_at": session.access_expires_at.isoformat(),
        "refresh_expires_at": session.refresh_expires_at.isoformat(),
    }


def _session_from_dict(data: dict[str, Any] | None, owner: str) -> _Session | None:
    """The stored session, unless it belongs to other credentials or cannot be read."""
    if not isinstance(data, dict) or data.get("owner") != owner:
        return None
    try:
        return _Session(
            did=str(data["did"]),
            handle=str(data["handle"]),
            access_jwt=str(data["access_jwt"]),
            refresh_jwt=str(data["refresh_jwt"]),
            access_expires_at=datetime.fromisoformat(data["access_expires_at"]),
            refresh_expires_at=datetime.fromisoformat(data["refresh_expires_at"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def jwt_expiry(token: str) -> datetime | None:
    """The `exp` claim of a JWT, read without verifying (we are its holder, not its judge)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return datetime.fromtimestamp(int(claims["exp"]), UTC)
    except (IndexError, ValueError, KeyError, TypeError):
        return None


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
