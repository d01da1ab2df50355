"""A loopback Telegram Bot API: sendMessage, getMe, getChat, with the Bot API's error shapes."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from tests.fakes.http import FakeService, RecordedRequest, Reply

_METHOD = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>\w+)$")


class FakeTelegram(FakeService):
    """One bot and one public channel by default; no idempotency, like the real API."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        chat_username: str = "counterpoint_news",
        chat_id: int = -1001234567890,
    ) -> None:
        super().__init__()
        self.token = token
        self.bot = {
            "id": 123456,
            "is_bot": True,
            "first_name": "Counterpoint",
            "username": "counterpoint_bot",
        }
        chat = {"id": chat_id, "type": "channel", "title": "Counterpoint News", "username": chat_username}
        self.chats = {f"@{chat_username}": chat, str(chat_id): chat}
        self.messages: list[dict[str, Any]] = []
        self._message_ids = itertools.count(1)

    def handle(self, request: RecordedRequest) -> Reply:
        match = _METHOD.match(request.path)
        if match is None:
            return _fail(404, "Not Found")
        if match["token"] != self.token:
            return _fail(401, "Unauthorized")
        method = match["method"]
        if method == "getMe":
            return _ok(self.bot)
        if method == "getChat":
            chat = self.chats.get(str(request.param("chat_id")))
            return _ok(chat) if chat else _fail(400, "Bad Request: chat not found")
        if method == "sendMessage":
            return self._send_message(request)
        return _fail(404, "Not Found: method not found")

    def _send_message(self, request: RecordedRequest) -> Reply:
        with self.lock:
            self.create_calls += 1
        scripted = self.next_script()
        behaviour = scripted.behaviour if scripted else None
        options = scripted.options if scripted else {}
        if behaviour == "401":
            return _fail(401, "Unauthorized")
        if behaviour == "403":
            return _fail(403, "Forbidden: bot is not a member of the channel chat")
        if behaviour == "429":
            retry_after = int(options.get("retry_after", 3))
            return Reply(
                status=429,
                body={
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {retry_after}",
                    "parameters": {"retry_after": retry_after},
                },
            )
        if behaviour in ("500", "502"):
            return _fail(int(behaviour), "Internal Server Error")
        chat = self.chats.get(str(request.param("chat_id")))
        if chat is None:
            return _fail(400, "Bad Request: chat not found")
        text = request.param("text") or ""
        if not text.strip():
            return _fail(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096:
            return _fail(400, "Bad Request: message is too long")
        message = self._store(chat, text)
        if behaviour == "timeout_after_store":
            return Reply(body={"ok": True, "result": message}, hang=options.get("hang", self.hang_seconds))
        if behaviour == "malformed":
            return Reply(body="<html>Bad Gateway</html>")
        return _ok(message)

    def _store(self, chat: dict[str, Any], text: str) -> dict[str, Any]:
        with self.lock:
            message = {
                "message_id": next(self._message_ids),
                "sender_chat": chat,
                "chat": chat,
                "date": int(time.time()),
                "text": text,
            }
            self.messages.append(message)
            self.count_create(None, text)
        return message


def _ok(result: Any) -> Reply:
    return Reply(body={"ok": True, "result": result})


def _fail(code: int, description: str) -> Reply:
    return Reply(status=code, body={"ok": False, "error_code": code, "description": description})
