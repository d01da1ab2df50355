"""Telegram channels and groups through the Bot API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.channels.connectors.base import (
    AuthError,
    Connector,
    PublishRequest,
    PublishResult,
    RateLimited,
    Rejected,
    UnknownOutcome,
    classify_response,
    json_or_none,
    send,
)

DEFAULT_SERVER = "https://api.telegram.org"


class TelegramConnector(Connector):
    """sendMessage has no idempotency: an unknown outcome must never be re-sent blindly."""

    platform = "telegram"
    dedupe_window = None

    def publish(self, req: PublishRequest) -> PublishResult:
        """Send the text to the configured chat."""
        chat_id = self._chat_id()
        with self.http_client() as client:
            resp = send(
                client,
                "POST",
                self._method("sendMessage"),
                creates=True,
                json={"chat_id": chat_id, "text": req.text},
            )
        data = json_or_none(resp)
        if resp.status_code == 200 and not _has_message(data):
            raise UnknownOutcome(
                "Telegram accepted the message but its answer could not be read.",
                status=resp.status_code,
                body=resp.text,
            )
        message = _ok_result(resp, data)
        chat = message.get("chat") or {}
        return PublishResult(
            remote_id=f"{chat.get('id', chat_id)}:{message['message_id']}",
            url=_message_url(chat, message["message_id"]),
            raw=data,
        )

    def test_connection(self) -> str:
        """Check the bot token and that the bot can see the chat; nothing is sent."""
        with self.http_client() as client:
            me = _ok_result(*_get(client, self._method("getMe")))
            chat_id = self.config.settings.get("chat_id")
            if not chat_id:
                return f"@{me.get('username')}"
            chat = _ok_result(*_get(client, self._method("getChat"), {"chat_id": chat_id}))
        name = chat.get("title") or chat.get("username") or chat_id
        return f"@{me.get('username')} → {name}"

    def _chat_id(self) -> str:
        chat_id = self.config.settings.get("chat_id")
        if not chat_id:
            raise Rejected("This Telegram channel has no chat id.")
        return str(chat_id)

    def _method(self, name: str) -> str:
        token = self.config.credentials.get("bot_token")
        if not token:
            raise AuthError("This Telegram channel has no bot token.")
        server = self.checked_url((self.config.server_url or DEFAULT_SERVER).rstrip("/"))
        return f"{server}/bot{token}/{name}"


def _get(client: httpx.Client, url: str, params: dict[str, Any] | None = None) -> tuple[httpx.Response, Any]:
    resp = send(client, "GET", url, creates=False, params=params)
    return resp, json_or_none(resp)


def _ok_result(resp: httpx.Response, data: Any) -> dict[str, Any]:
    """The `result` of a successful Bot API answer, or the matching connector error."""
    if isinstance(data, dict) and data.get("ok") is True and isinstance(data.get("result"), dict):
        return data["result"]
    description = data.get("description") if isinstance(data, dict) else None
    if resp.status_code == 429:
        retry_after = (data.get("parameters") or {}).get("retry_after") if isinstance(data, dict) else None
        retry_at = (
            datetime.now(UTC) + timedelta(seconds=int(retry_after)) if isinstance(retry_after, int) else None
        )
        error = classify_response(resp)
        raise RateLimited(
            f"Rate limited: {description or 'Too Many Requests'}",
            retry_at=retry_at or getattr(error, "retry_at", None),
            status=429,
            body=resp.text,
        )
    error = classify_response(resp)
    if error is None:
        raise Rejected("Telegram sent an answer that could not be read.", status=resp.status_code)
    raise error


def _has_message(data: Any) -> bool:
    result = data.get("result") if isinstance(data, dict) else None
    return isinstance(result, dict) and isinstance(result.get("message_id"), int)


def _message_url(chat: dict[str, Any], message_id: int) -> str | None:
    """t.me link: by username for public chats, /c/ form for private supergroups and channels."""
    if chat.get("username"):
        return f"https://t.me/{chat['username']}/{message_id}"
    chat_id = str(chat.get("id", ""))
    if chat_id.startswith("-100"):
        return f"https://t.me/c/{chat_id[4:]}/{message_id}"
    return None
