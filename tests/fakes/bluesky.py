"""A loopback Bluesky PDS: sessions with real HS256 JWTs, records keyed by rkey, handle resolution."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from typing import Any

import regex

from tests.fakes.http import FakeService, RecordedRequest, Reply, Scripted

_TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeBluesky(FakeService):
    """XRPC endpoints used for posting, with the PDS's error shapes ({error, message})."""

    def __init__(
        self,
        *,
        handle: str = "counterpoint.test",
        password: str = "app-pass-1234",
        did: str = "did:plc:counterpoint000000000",
        access_ttl: float = 7200.0,
        refresh_ttl: float = 90 * 24 * 3600.0,
    ) -> None:
        super().__init__()
        self.accounts = {handle: {"password": password, "did": did}}
        self.handles: dict[str, str] = {handle: did}
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.sessions_created = 0
        self.session_delay = 0.0  # seconds createSession takes (to make racing clients overlap)
        self.sessions_refreshed = 0
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self._secret = secrets.token_bytes(32)

    def handle(self, request: RecordedRequest) -> Reply:
        nsid = request.path.removeprefix("/xrpc/")
        routes = {
            "com.atproto.server.createSession": self._create_session,
            "com.atproto.server.refreshSession": self._refresh_session,
            "com.atproto.server.getSession": self._get_session,
            "com.atproto.repo.createRecord": self._create_record,
            "com.atproto.repo.getRecord": self._get_record,
            "com.atproto.repo.deleteRecord": self._delete_record,
            "com.atproto.identity.resolveHandle": self._resolve_handle,
        }
        route = routes.get(nsid)
        if route is None:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        return route(request)

    def posts(self) -> list[dict[str, Any]]:
        """Stored post records (value dicts), in creation order."""
        return [r["value"] for r in self.records.values()]

    def _create_session(self, request: RecordedRequest) -> Reply:
        scripted = self.next_script("createSession")
        if scripted is not None:
            return self._common_script(scripted) or _error(500, "InternalServerError", "scripted")
        time.sleep(self.session_delay)
        identifier = request.param("identifier")
        account = self.accounts.get(identifier or "")
        if account is None or not hmac.compare_digest(account["password"], request.param("password") or ""):
            return _error(401, "AuthenticationRequired", "Invalid identifier or password")
        with self.lock:
            self.sessions_created += 1
        return Reply(body=self._session_body(identifier, account["did"]))

    def _refresh_session(self, request: RecordedRequest) -> Reply:
        claims = self._claims(request.bearer(), "com.atproto.refresh")
        if isinstance(claims, Reply):
            return claims
        with self.lock:
            self.sessions_refreshed += 1
        handle = next(h for h, a in self.accounts.items() if a["did"] == claims["sub"])
        return Reply(body=self._session_body(handle, claims["sub"]))

    def _get_session(self, request: RecordedRequest) -> Reply:
        claims = self._claims(request.bearer(), "com.atproto.access")
        if isinstance(claims, Reply):
            return claims
        handle = next(h for h, a in self.accounts.items() if a["did"] == claims["sub"])
        return Reply(body={"handle": handle, "did": claims["sub"], "active": True})

    def _create_record(self, request: RecordedRequest) -> Reply:
        with self.lock:
            self.create_calls += 1
        claims = self._claims(request.bearer(), "com.atproto.access")
        if isinstance(claims, Reply):
            return claims
        scripted = self.next_script()
        if scripted is not None and scripted.behaviour not in (
            "timeout_after_store",
            "malformed",
            "reset_after_store",
        ):
            return self._common_script(scripted) or _error(500, "InternalServerError", "scripted")
        body = request.json if isinstance(request.json, dict) else {}
        record = body.get("record") if isinstance(body.get("record"), dict) else {}
        rkey = body.get("rkey") or _tid_now()
        if body.get("repo") != claims["sub"]:
            return _error(403, "InvalidRequest", "Cannot write to another repo")
        if not _TID.match(rkey):
            return _error(400, "InvalidRequest", f"Invalid record key: {rkey}")
        problem = _post_problem(record)
        if problem:
            return _error(400, "InvalidRequest", problem)
        with self.lock:
            if (claims["sub"], rkey) in self.records:
                # The real PDS answers a reused rkey with a bare 500, not 409.
                return _error(500, "InternalServerError", "Internal Server Error")
            stored = self._store(claims["sub"], rkey, record)
        answer = {"uri": stored["uri"], "cid": stored["cid"], "validationStatus": "valid"}
        if scripted is not None and scripted.behaviour == "timeout_after_store":
            return Reply(body=answer, hang=scripted.options.get("hang", self.hang_seconds))
        if scripted is not None and scripted.behaviour == "malformed":
            return Reply(body="<html>upstream proxy error</html>")
        if scripted is not None and scripted.behaviour == "reset_after_store":
            return Reply(drop=True)  # stored, then the connection drops before the answer
        return Reply(body=answer)

    def _delete_record(self, request: RecordedRequest) -> Reply:
        claims = self._claims(request.bearer(), "com.atproto.access")
        if isinstance(claims, Reply):
            return claims
        body = request.json if isinstance(request.json, dict) else {}
        if body.get("repo") != claims["sub"]:
            return _error(403, "InvalidRequest", "Cannot write to another repo")
        with self.lock:
            self.records.pop((claims["sub"], str(body.get("rkey"))), None)  # absent: still 200, like the PDS
        return Reply(body={})

    def _get_record(self, request: RecordedRequest) -> Reply:
        repo, rkey = request.param("repo"), request.param("rkey")
        did = self.handles.get(repo, repo)
        stored = self.records.get((did, rkey))
        if stored is None:
            return _error(
                400, "RecordNotFound", f"Could not locate record: at://{repo}/app.bsky.feed.post/{rkey}"
            )
        return Reply(body=stored)

    def _resolve_handle(self, request: RecordedRequest) -> Reply:
        did = self.handles.get((request.param("handle") or "").lower())
        if did is None:
            return _error(400, "InvalidRequest", "Unable to resolve handle")
        return Reply(body={"did": did})

    def _common_script(self, scripted: Scripted) -> Reply | None:
        behaviour, options = scripted.behaviour, scripted.options
        if behaviour == "401":
            return _error(401, "AuthenticationRequired", "Token could not be verified")
        if behaviour == "expired":
            return _error(400, "ExpiredToken", "Token has expired")
        if behaviour == "429":
            reset = int(time.time() + options.get("reset_in", 2))
            return _error(
                429,
                "RateLimitExceeded",
                "Rate Limit Exceeded",
                headers={
                    "ratelimit-limit": "30",
                    "ratelimit-remaining": "0",
                    "ratelimit-reset": str(reset),
                    "ratelimit-policy": "30;w=300",
                },
            )
        if behaviour in ("500", "502"):
            return _error(int(behaviour), "InternalServerError", "Internal Server Error")
        if behaviour == "timeout":
            return Reply(status=504, hang=options.get("hang", self.hang_seconds))
        return None

    def _store(self, did: str, rkey: str, record: dict[str, Any]) -> dict[str, Any]:
        uri = f"at://{did}/app.bsky.feed.post/{rkey}"
        cid = "bafyrei" + hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()[:52]
        stored = {"uri": uri, "cid": cid, "value": record}
        self.records[(did, rkey)] = stored
        self.count_create(rkey, record.get("text", ""))
        return stored

    def _session_body(self, handle: str, did: str) -> dict[str, Any]:
        return {
            "did": did,
            "handle": handle,
            "accessJwt": self._jwt(did, "com.atproto.access", self.access_ttl),
            "refreshJwt": self._jwt(did, "com.atproto.refresh", self.refresh_ttl),
            "active": True,
        }

    def _jwt(self, did: str, scope: str, ttl: float) -> str:
        now = int(time.time())
        header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "scope": scope,
            "sub": did,
            "aud": "did:web:fake.pds",
            "iat": now,
            "exp": int(now + ttl),
            "jti": secrets.token_hex(8),
        }
        payload = _b64url(json.dumps(claims).encode())
        signature = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    def _claims(self, token: str | None, scope: str) -> dict[str, Any] | Reply:
        """Verified JWT claims, or the PDS's error answer."""
        if not token or token.count(".") != 2:
            return _error(401, "AuthenticationRequired", "Authentication Required")
        header, payload, signature = token.split(".")
        expected = hmac.new(self._secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64url(signature), expected):
            return _error(400, "InvalidToken", "Token could not be verified")
        claims = json.loads(_unb64url(payload))
        if claims.get("scope") != scope:
            return _error(400, "InvalidToken", "Bad token scope")
        if claims["exp"] <= time.time():
            return _error(400, "ExpiredToken", "Token has expired")
        return claims


def _post_problem(record: dict[str, Any]) -> str | None:
    """Lexicon checks of app.bsky.feed.post that a real PDS applies."""
    text = record.get("text")
    if not isinstance(text, str):
        return "Record/text must be a string"
    if len(regex.findall(r"\X", text)) > 300 or len(text.encode()) > 3000:
        return "Record/text must not be longer than 300 graphemes"
    if len(record.get("langs") or []) > 3:
        return "Record/langs must not have more than 3 elements"
    if not isinstance(record.get("createdAt"), str):
        return 'Record must have the property "createdAt"'
    return None


def _tid_now() -> str:
    value = (int(time.time() * 1_000_000) << 10) | secrets.randbelow(1024)
    alphabet = "234567abcdefghijklmnopqrstuvwxyz"
    return "".join(alphabet[(value >> (60 - 5 * i)) & 31] for i in range(13))


def _error(status: int, error: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status=status, body={"error": error, "message": message}, headers=headers or {})
