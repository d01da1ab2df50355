"""Loopback HTTP plumbing shared by the fake platforms: a threaded server, request log and scripts."""

from __future__ import annotations

import contextlib
import json
import ssl
import threading
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    json: Any = None
    form: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str) -> Any:
        """A parameter from the JSON body, the form body or the query string."""
        if isinstance(self.json, dict) and name in self.json:
            return self.json[name]
        for source in (self.form, self.query):
            if name in source:
                return source[name][0]
        return None

    def bearer(self) -> str | None:
        """The bearer token, if any."""
        auth = self.headers.get("authorization", "")
        return auth[7:] if auth.lower().startswith("bearer ") else None


@dataclass
class Reply:
    """What the fake answers: hang delays the answer, drop closes the connection instead."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    drop: bool = False


@dataclass
class Scripted:
    """One scripted behaviour, consumed by the next call to its target endpoint."""

    behaviour: str
    options: dict[str, Any]


class LoopbackServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a free port, run in a thread."""

    def __init__(self, handle: Callable[[RecordedRequest], Reply]) -> None:
        self._handle = handle
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.ssl_context: ssl.SSLContext | None = None  # set before start() to serve https
        self.keep_alive = False  # set before start() to keep connections open (HTTP/1.1), as platforms do

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"{'https' if self.ssl_context else 'http'}://{host}:{port}"

    def start(self) -> LoopbackServer:
        """Bind and serve in a daemon thread."""
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        if self.ssl_context is not None:
            server.socket = self.ssl_context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake hanging handlers, stop serving and release the port."""
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _handler_for(loopback: LoopbackServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakePlatform/1.0"
        protocol_version = "HTTP/1.1" if loopback.keep_alive else "HTTP/1.0"
        disable_nagle_algorithm = loopback.keep_alive  # no 40 ms delayed-ACK stall between header and body

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

        def _serve(self) -> None:
            request = self._read()
            reply = loopback._handle(request)
            if reply.hang:
                loopback.stopping.wait(reply.hang)
            if reply.drop:
                self.close_connection = True
                return
            # The client may have given up waiting (scripted hangs).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._write(reply)

        def _read(self) -> RecordedRequest:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            content_type = self.headers.get("Content-Type", "")
            parsed_json = None
            form: dict[str, list[str]] = {}
            if body and "json" in content_type:
                try:
                    parsed_json = json.loads(body)
                except ValueError:
                    parsed_json = None
            elif body and "x-www-form-urlencoded" in content_type:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            return RecordedRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
                json=parsed_json,
                form=form,
            )

        def _write(self, reply: Reply) -> None:
            if isinstance(reply.body, (dict, list)):
                payload = json.dumps(reply.body).encode()
                content_type = "application/json; charset=utf-8"
            elif isinstance(reply.body, str):
                payload = reply.body.encode()
                content_type = "text/html; charset=utf-8"
            else:
                payload = reply.body or b""
                content_type = "application/octet-stream"
            self.send_response(reply.status)
            headers = {"Content-Type": content_type, **reply.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler


class FakeService:
    """Base of the fake platforms: request log, scripted behaviours, create counters."""

    # Longer than the ~0.5 s client timeout the tests use.
    hang_seconds = 2.0

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[RecordedRequest] = []
        self.created_by_key: Counter[str] = Counter()
        self.created_by_text: Counter[str] = Counter()
        self.create_calls = 0
        self._scripts: dict[str, deque[Scripted]] = {}
        self._loopback = LoopbackServer(self._dispatch)

    @property
    def url(self) -> str:
        return self._loopback.url

    def serve_tls(self, context: ssl.SSLContext) -> Self:
        """Answer over https with this server context (call before entering the `with`)."""
        self._loopback.ssl_context = context
        return self

    def __enter__(self) -> Self:
        self._loopback.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._loopback.stop()

    def script(self, behaviour: str, *, target: str = "create", **options: Any) -> None:
        """Queue a behaviour for the next call to target (default: the create endpoint)."""
        with self.lock:
            self._scripts.setdefault(target, deque()).append(Scripted(behaviour, options))

    def next_script(self, target: str = "create") -> Scripted | None:
        """Take the next scripted behaviour for target, if any."""
        with self.lock:
            queue = self._scripts.get(target)
            return queue.popleft() if queue else None

    def requests_to(self, path_end: str, method: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path ends with path_end."""
        return [
            r
            for r in self.requests
            if r.path.rstrip("/").endswith(path_end.rstrip("/")) and (method is None or r.method == method)
        ]

    def count_create(self, key: str | None, text: str) -> None:
        """Record that a post was really created."""
        if key is not None:
            self.created_by_key[key] += 1
        self.created_by_text[text] += 1

    def duplicates(self) -> dict[str, int]:
        """Texts or keys created more than once."""
        counts = {f"key:{k}": n for k, n in self.created_by_key.items() if n > 1}
        counts.update({f"text:{t}": n for t, n in self.created_by_text.items() if n > 1})
        return counts

    def _dispatch(self, request: RecordedRequest) -> Reply:
        with self.lock:
            self.requests.append(request)
        return self.handle(request)

    def handle(self, request: RecordedRequest) -> Reply:
        """Answer one request; subclasses speak their protocol."""
        raise NotImplementedError
