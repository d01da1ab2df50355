"""A loopback OpenAI-compatible chat-completions server with scripted replies, for tests."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ROLES = {"system", "developer", "user", "assistant"}
MESSAGE_KEYS = {"role", "content", "name"}
RESPONSE_FORMAT_TYPES = {"text", "json_object", "json_schema"}


@dataclass
class Reply:
    """One scripted answer: a completion, an error, or either after a delay."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    error: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def json(cls, payload: Any) -> Reply:
        """A completion whose content is the JSON encoding of payload."""
        return cls(content=json.dumps(payload))

    @classmethod
    def text(cls, content: str) -> Reply:
        """A completion with this exact content (valid JSON or not)."""
        return cls(content=content)

    @classmethod
    def refused(cls, message: str = "I'm sorry, I can't help with that.") -> Reply:
        """A refusal: content null, message.refusal set, finish_reason stop."""
        return cls(content=None, refusal=message)

    @classmethod
    def failure(
        cls,
        status: int,
        message: str,
        *,
        type_: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """An error in OpenAI's error format."""
        error = {"message": message, "type": type_, "param": param, "code": code}
        return cls(status=status, error=error, headers=headers or {})

    @classmethod
    def rate_limited(cls, *, retry_after_ms: int, retry_after: int | None = None) -> Reply:
        """A 429 with retry-after-ms and retry-after headers."""
        headers = {"retry-after-ms": str(retry_after_ms)}
        headers["retry-after"] = str(retry_after if retry_after is not None else -(-retry_after_ms // 1000))
        return cls.failure(
            429,
            "Rate limit reached for requests. Please try again later.",
            type_="requests",
            code="rate_limit_exceeded",
            headers=headers,
        )

    @classmethod
    def server_error(cls) -> Reply:
        """A 500 in OpenAI's error format."""
        return cls.failure(
            500, "The server had an error while processing your request.", type_="server_error"
        )

    def after(self, seconds: float) -> Reply:
        """The same reply, sent only after a delay."""
        self.delay = seconds
        return self


def _error_body(message: str, *, type_: str = "invalid_request_error", param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": None}}


def _word_count(text: str | None) -> int:
    return len((text or "").split())


# What a schema-filling server writes into free-text fields: plain, distinct and number-free.
FILLER_SENTENCES = (
    "Good neighbours look out for each other, and that is what holds a town together.",
    "Every family here wants safe streets, good schools and a fair chance at work.",
    "Before you share a post, picture the people it talks about: they live next door.",
    "Shared hopes and a kind word go further than fear when times are hard.",
    "Our town works because people of every background pitch in and help out.",
    "Ask who gains when neighbours stop trusting each other, then ask who loses.",
    "The bakery, the clinic and the football club all run on the work of newcomers.",
    "A rumour is quick to share and slow to correct, so pause before you pass it on.",
    "Kids from every street play in the same park and learn in the same classrooms.",
    "When we talk about housing, the answer is more homes, not fewer neighbours.",
)


class SchemaFiller:
    """Fill a JSON schema with its first allowed values, never reading the prompt.

    This is what constrained decoding does with a weak model: enums take their first value,
    arrays their minItems (else one item), free strings a stock sentence.
    """

    def __init__(self) -> None:
        self._strings = itertools.count()

    def fill(self, schema: dict[str, Any]) -> Any:
        """A value that satisfies the schema."""
        if "enum" in schema:
            return schema["enum"][0]
        kind = schema.get("type")
        if kind == "object":
            return {
                name: self.fill(sub)
                if name == "text" or sub.get("type") != "string"
                else self.fill_other(sub)
                for name, sub in schema.get("properties", {}).items()
            }
        if kind == "array":
            return [self.fill(schema.get("items", {})) for _ in range(schema.get("minItems", 1))]
        if kind in ("integer", "number"):
            return schema.get("minimum", 0)
        if kind == "boolean":
            return False
        return FILLER_SENTENCES[next(self._strings) % len(FILLER_SENTENCES)]

    @staticmethod
    def fill_other(schema: dict[str, Any]) -> Any:
        """A string field other than a text: its first allowed value, else a stock phrase."""
        return schema["enum"][0] if "enum" in schema else "Filled from the schema."


class FakeOpenAI:
    """`with FakeOpenAI() as srv:` serves /v1/chat/completions on 127.0.0.1 at srv.base_url."""

    def __init__(
        self,
        *,
        reject_json_schema: bool = False,
        api_key: str | None = None,
        fill_schema: bool = False,
        reject_array_counts: bool = False,
    ) -> None:
        self.reject_json_schema = reject_json_schema
        # Profile "schema filler": unscripted json_schema requests are answered by SchemaFiller.
        self.fill_schema = fill_schema
        # Profile "no array counts": a json_schema with minItems/maxItems is a 400, as on some servers.
        self.reject_array_counts = reject_array_counts
        self.api_key = api_key
        self.requests: list[dict[str, Any]] = []
        self.request_times: list[float] = []
        self.usages: list[dict[str, int]] = []
        self.fallback: Reply | None = None
        # Called with the request body when nothing is queued: lets a test answer what was asked.
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The URL to give the openai client, ending in /v1."""
        assert self._server is not None, "use FakeOpenAI as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Script the next replies, answered in order."""
        with self._lock:
            self._queue.extend(replies)

    def __enter__(self) -> FakeOpenAI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stopping.set()
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _next_reply(self, body: dict[str, Any] | None = None) -> Reply | None:
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.responder is not None and body is not None:
            answer = self.responder(body)
            if answer is not None:
                return answer
        fmt = (body or {}).get("response_format") or {}
        if self.fill_schema and fmt.get("type") == "json_schema":
            return Reply.json(SchemaFiller().fill(fmt["json_schema"]["schema"]))
        return self.fallback

    def _validate(self, body: Any, authorization: str | None) -> tuple[int, dict] | None:
        """Reject what the real API rejects; None when the request is well formed."""
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            return 401, {
                "error": {
                    "message": "Incorrect API key provided.",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": "invalid_api_key",
                }
            }
        if not isinstance(body, dict):
            return 400, _error_body("The request body must be a JSON object.")
        if not isinstance(body.get("model"), str) or not body["model"]:
            return 400, _error_body("you must provide a model parameter", param="model")
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return 400, _error_body("'messages' must be a non-empty array.", param="messages")
        for i, message in enumerate(messages):
            if (
                not isinstance(message, dict)
                or set(message) - MESSAGE_KEYS
                or message.get("role") not in ROLES
                or not isinstance(message.get("content"), str)
            ):
                return 400, _error_body(f"Invalid value for 'messages[{i}]'.", param=f"messages[{i}]")
        if body.get("stream"):
            return 400, _error_body("This fake does not stream.", param="stream")
        return self._validate_response_format(body.get("response_format"), messages)

    def _validate_response_format(self, fmt: Any, messages: list[dict]) -> tuple[int, dict] | None:
        if fmt is None:
            return None
        if not isinstance(fmt, dict) or fmt.get("type") not in RESPONSE_FORMAT_TYPES:
            return 400, _error_body("Invalid 'response_format'.", param="response_format")
        if fmt["type"] == "json_schema":
            if self.reject_json_schema:
                return 400, _error_body(
                    "response_format of type json_schema is not supported by this server",
                    param="response_format",
                )
            spec = fmt.get("json_schema")
            if not isinstance(spec, dict) or not spec.get("name") or not isinstance(spec.get("schema"), dict):
                return 400, _error_body("Invalid 'response_format.json_schema'.", param="response_format")
            if self.reject_array_counts and "minItems" in json.dumps(spec["schema"]):
                return 400, _error_body(
                    "Invalid schema for response_format 'draft_batch': 'minItems' is not permitted.",
                    param="response_format",
                )
        if fmt["type"] == "json_object" and not any("json" in m["content"].lower() for m in messages):
            return 400, _error_body(
                "'messages' must contain the word 'json' in some form, to use 'response_format' of "
                "type 'json_object'.",
                param="messages",
            )
        return None

    def _completion(self, body: dict, reply: Reply) -> dict[str, Any]:
        usage = {
            "prompt_tokens": sum(_word_count(m["content"]) for m in body["messages"]),
            "completion_tokens": _word_count(reply.content or reply.refusal),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        self.usages.append(usage)
        return {
            "id": f"chatcmpl-fake-{next(self._ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body["model"],
            "system_fingerprint": "fp_fake",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": reply.refusal},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": usage,
        }


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

        def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing to answer

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                self._send(200, {"object": "list", "data": [{"id": "fake-model", "object": "model"}]})
            else:
                self._send(404, _error_body(f"Unknown path {self.path}"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path != "/v1/chat/completions":
                self._send(404, _error_body(f"Unknown path {self.path}"))
                return
            try:
                body = json.loads(raw)
            except json.JSONDecodeError:
                self._send(400, _error_body("We could not parse the JSON body of your request."))
                return
            with fake._lock:
                fake.requests.append(body)
                fake.request_times.append(time.monotonic())
            problem = fake._validate(body, self.headers.get("Authorization"))
            if problem is not None:
                self._send(*problem)
                return
            reply = fake._next_reply(body)
            if reply is None:
                self._send(500, _error_body("fake server: no scripted reply left", type_="server_error"))
                return
            if reply.delay and fake._stopping.wait(reply.delay):
                return
            if reply.error is not None:
                self._send(reply.status, {"error": reply.error}, reply.headers)
            else:
                self._send(reply.status, fake._completion(body, reply), reply.headers)

    return Handler
