"""Mastodon and Mastodon-API servers (Takahē, GoToSocial, Pleroma...) over raw HTTP with httpx.

httpx rather than Mastodon.py: we choose the exact paths (some servers route no trailing
slash), read Link headers to page through statuses, and tell the answer shapes of each
server software apart (app.channels.capabilities).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from app.channels.capabilities import ServerCapabilities, capabilities_for
from app.channels.connectors.base import (
    AuthError,
    ChannelConfig,
    Connector,
    PublishRequest,
    PublishResult,
    Rejected,
    TransientError,
    UnknownOutcome,
    classify_response,
    json_or_none,
    may_concern_token,
    send,
)

# Clock skew allowed between our first attempt and the server's status timestamps.
RECONCILE_SLACK = timedelta(minutes=10)
PAGE_SIZE = 40
# How far back the lookup pages (40 statuses a page) before it gives up as uncertain.
MAX_PAGES = 25
_NODEINFO_SCHEMAS = re.compile(r"^https?://nodeinfo\.diaspora\.software/ns/schema/2\.[01]$")


@dataclass(frozen=True)
class ServerInfo:
    """What a server says about itself."""

    software: str | None
    version: str | None
    char_limit: int | None


class MastodonConnector(Connector):
    """Posts statuses with an Idempotency-Key; looks up copies where the server ignores the key."""

    platform = "mastodon"
    supports_lookup = True
    supports_delete = True

    def __init__(self, config: ChannelConfig) -> None:
        super().__init__(config)
        self.capabilities: ServerCapabilities = capabilities_for(config.server_software)
        # A re-send is only safe where the server recognises the key (Mastodon: about an hour).
        self.dedupe_window = timedelta(hours=1) if self.capabilities.honours_idempotency_key else None

    def publish(self, req: PublishRequest) -> PublishResult:
        """Post a public status; Mastodon returns the same status for the same key."""
        data: dict[str, Any] = {"status": req.text, "visibility": "public"}
        if req.language:
            data["language"] = req.language
        with self.http_client() as client:
            resp = send(
                client,
                "POST",
                self._url("/api/v1/statuses"),
                creates=True,
                data=data,
                headers={**self._auth(), "Idempotency-Key": req.idempotency_key},
            )
            self._raise_for(client, resp)
        status = json_or_none(resp)
        if not isinstance(status, dict) or "id" not in status:
            raise UnknownOutcome(
                "The server accepted the status but its answer could not be read.",
                status=resp.status_code,
                body=resp.text,
            )
        return _result(status)

    def test_connection(self) -> str:
        """Verify the token and return the account's handle."""
        account = self._verify_credentials()
        return f"@{account.get('acct') or account.get('username')}"

    def find_existing(self, req: PublishRequest) -> PublishResult | None:
        """The first status that is this request, or None."""
        copies = self.find_copies(req)
        return copies[0] if copies else None

    def find_copies(self, req: PublishRequest) -> list[PublishResult]:
        """Every status of the account that is this request (same text, posted since the first attempt).

        Pages back through the account's statuses until they are older than the first attempt
        minus a slack; raises TransientError when it could not read that far.
        """
        since = (req.first_attempt_at or req.created_at or datetime.now(UTC)) - RECONCILE_SLACK
        wanted = normalise(req.text)
        account_id = str(self._verify_credentials()["id"])
        copies = [s for s in self._statuses_since(account_id, since) if _same_post(s, wanted, since)]
        copies.sort(key=lambda s: (_created_at(s), _id_key(s)))
        return [_result(s) for s in copies]

    def delete(self, remote_id: str) -> None:
        """Delete one of the account's statuses (an extra copy); an absent one counts as deleted."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", remote_id):
            raise Rejected("This is not a status id.")
        with self.http_client() as client:
            resp = send(
                client,
                "DELETE",
                self._url(f"/api/v1/statuses/{remote_id}"),
                creates=False,
                headers=self._auth(),
            )
            if resp.status_code == 404:
                return
            self._raise_for(client, resp)

    def character_limit(self) -> int | None:
        """The instance's configured status length."""
        return self.server_info().char_limit

    def server_info(self) -> ServerInfo:
        """Software, version and length limit from nodeinfo and /api/v2 or /api/v1/instance."""
        with self.http_client() as client:
            software, version = self._nodeinfo(client)
            instance = self._instance(client)
        if software is None and isinstance(instance, dict):
            software, version = _software_from_instance(instance)
        return ServerInfo(software, version, _max_characters(instance))

    # ------------------------------------------------------------------ internals

    def _statuses_since(self, account_id: str, since: datetime) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": PAGE_SIZE, "exclude_reblogs": "true"}
        with self.http_client() as client:
            for _page in range(MAX_PAGES):
                resp = send(
                    client,
                    "GET",
                    self._url(f"/api/v1/accounts/{account_id}/statuses"),
                    creates=False,
                    params=params,
                    headers=self._auth(),
                )
                self._raise_for(client, resp)
                page = json_or_none(resp)
                if not isinstance(page, list):
                    raise TransientError("The server sent an unreadable list of statuses.")
                found.extend(s for s in page if isinstance(s, dict))
                if not page or min(_created_at(s) for s in page if isinstance(s, dict)) < since:
                    return found
                max_id = _next_max_id(resp) or str(page[-1].get("id", ""))
                if not max_id:
                    return found
                params = {**params, "max_id": max_id}
        raise TransientError(
            f"Could not read back far enough to be sure ({MAX_PAGES * PAGE_SIZE} statuses); "
            "the post may exist."
        )

    def _verify_credentials(self) -> dict[str, Any]:
        with self.http_client() as client:
            resp = send(
                client,
                "GET",
                self._url("/api/v1/accounts/verify_credentials"),
                creates=False,
                headers=self._auth(),
            )
            error = classify_response(resp)
            if error is not None and not isinstance(error, AuthError) and resp.status_code in (400, 422):
                # A credentials check refused with a client error: the token is the only input.
                raise AuthError(
                    f"The server refused the access token: {error.message}", status=resp.status_code
                )
            if error is not None:
                raise error
        account = json_or_none(resp)
        if not isinstance(account, dict) or "id" not in account:
            raise TransientError("The server sent an unreadable account.")
        return account

    def _raise_for(self, client: httpx.Client, resp: httpx.Response) -> None:
        """Raise what an answer means; a 4xx that may concern the token is settled by one credentials check."""
        error = classify_response(resp)
        if error is None:
            return
        if (
            isinstance(error, Rejected)
            and resp.status_code in (400, 422)
            and may_concern_token(resp)
            and self._token_refused(client)
        ):
            raise AuthError(
                f"The server refused the access token: {error.message}",
                status=resp.status_code,
                body=error.body,
            )
        raise error

    def _token_refused(self, client: httpx.Client) -> bool:
        """One verify_credentials call: True when the server refuses the token."""
        resp = send(
            client,
            "GET",
            self._url("/api/v1/accounts/verify_credentials"),
            creates=False,
            headers=self._auth(),
        )
        # The token is this call's only input: any refusal of it is about the token.
        return resp.status_code in (400, 401, 403, 422)

    def _nodeinfo(self, client: httpx.Client) -> tuple[str | None, str | None]:
        try:
            resp = send(client, "GET", self._url("/.well-known/nodeinfo"), creates=False)
            links = json_or_none(resp) if resp.status_code == 200 else None
            href = _nodeinfo_href(links)
            if href is None:
                return None, None
            if urlsplit(href).netloc != urlsplit(self._base()).netloc:
                return None, None  # never follow a server to another host
            resp = send(client, "GET", self.checked_url(href), creates=False)
        except (TransientError, Rejected):
            return None, None
        data = json_or_none(resp) if resp.status_code == 200 else None
        software = data.get("software") if isinstance(data, dict) else None
        if not isinstance(software, dict) or not isinstance(software.get("name"), str):
            return None, None
        version = software.get("version")
        return software["name"].lower(), version if isinstance(version, str) else None

    def _instance(self, client: httpx.Client) -> Any:
        for path in ("/api/v2/instance", "/api/v1/instance"):
            resp = send(client, "GET", self._url(path), creates=False)
            if resp.status_code == 404:
                continue
            error = classify_response(resp)
            if error:
                raise error
            return json_or_none(resp)
        return None

    def _base(self) -> str:
        if not self.config.server_url:
            raise Rejected("This Mastodon channel has no server address.")
        return self.checked_url(self.config.server_url.rstrip("/"))

    def _url(self, path: str) -> str:
        return self._base() + path

    def _auth(self) -> dict[str, str]:
        token = self.config.credentials.get("access_token", "")
        if not token:
            raise AuthError("This Mastodon channel has no access token.")
        return {"Authorization": f"Bearer {token}"}


def _result(status: dict[str, Any]) -> PublishResult:
    return PublishResult(remote_id=str(status["id"]), url=status.get("url") or status.get("uri"), raw=status)


def _same_post(status: dict[str, Any], wanted: str, since: datetime) -> bool:
    """A status is a copy when posted since the first attempt with the same normalised text."""
    if _created_at(status) < since:
        return False
    texts = [status.get("text"), _plain(str(status.get("content") or ""))]
    return any(isinstance(t, str) and normalise(t) == wanted for t in texts)


def _next_max_id(resp: httpx.Response) -> str | None:
    """max_id of the Link header's rel="next", when the server sends one."""
    link = resp.links.get("next", {}).get("url")
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("max_id")
    return values[0] if values else None


def _id_key(status: dict[str, Any]) -> tuple[int, str]:
    value = str(status.get("id", ""))
    return (int(value), "") if value.isdigit() else (0, value)


def _created_at(status: dict[str, Any]) -> datetime:
    """A status's creation time; unreadable times count as recent so they are still compared."""
    try:
        value = datetime.fromisoformat(str(status.get("created_at")).replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _plain(content: str) -> str:
    """Plain text of a status's HTML content."""
    text = re.sub(r"<br\s*/?>", "\n", content, flags=re.I)
    text = re.sub(r"</p>\s*<p[^>]*>", "\n\n", text, flags=re.I)
    text = re.sub(r'<span class="ellipsis">([^<]*)</span>', r"\1", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def normalise(text: str) -> str:
    """Compare texts ignoring whitespace layout, the domain part of mentions and a trailing ellipsis."""
    text = re.sub(r"(@[\w.]+)@[\w.-]+\w", r"\1", text)
    return " ".join(text.split())


def _nodeinfo_href(links: Any) -> str | None:
    if not isinstance(links, dict) or not isinstance(links.get("links"), list):
        return None
    for link in links["links"]:
        if isinstance(link, dict) and _NODEINFO_SCHEMAS.match(str(link.get("rel", ""))):
            href = link.get("href")
            if isinstance(href, str):
                return href
    return None


def _software_from_instance(instance: dict[str, Any]) -> tuple[str | None, str | None]:
    """Guess from the instance's version string, e.g. "4.3.0" or "2.7.2 (compatible; Pleroma 2.5.0)"."""
    version = instance.get("version")
    if not isinstance(version, str):
        return None, None
    compatible = re.search(r"compatible; (\w+)[ /]([\w.+-]+)", version)
    if compatible:
        return compatible.group(1).lower(), compatible.group(2)
    named = re.fullmatch(r"([A-Za-z][\w-]*)/(\S+)", version.strip())
    if named:  # e.g. Takahē's "takahe/0.11.0"
        return named.group(1).lower(), named.group(2)
    if re.fullmatch(r"\d+\.\d+\.\d+\S*", version.strip()):
        return "mastodon", version.strip()
    return None, version


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
