"""Connect only to addresses that were checked (no DNS rebinding): httpx, which every connector uses.

The outbound guard used to resolve a host to check it, and the HTTP library resolved it again to
connect: a hostile DNS server could answer a public address the first time and 127.0.0.1 or the
cloud metadata address the second. Here the connection itself resolves once, checks every address
(app.channels.urls.resolve_checked) and connects to one of those very addresses. TLS still names
the host (SNI, certificate check) and the Host header is unchanged: only the socket is pinned.
"""

from __future__ import annotations

import functools
import os
import ssl
import threading
from typing import Any

import httpcore
import httpx

from app.channels.urls import resolve_checked


class _PinnedBackend(httpcore.NetworkBackend):
    """httpcore's socket opener, resolving and checking the host itself."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = httpcore.SyncBackend()
        self._allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in resolve_checked(host, port, allow_private=self._allow_private):
            try:
                return self._inner.connect_tcp(
                    str(address),
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"No address to connect to for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None):
        raise httpcore.ConnectError("Unix sockets are not an outbound destination.")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class PinnedTransport(httpx.HTTPTransport):
    """An httpx transport whose connections go only to checked addresses (no proxies from the environment)."""

    def __init__(self, *, allow_private: bool) -> None:  # noqa: D107
        # HTTPTransport only needs its pool: built here with the pinning backend (and the same
        # certificate store httpx would use, SSL_CERT_FILE included). Kept-alive connections are
        # reused only for their own origin, and were checked when they were opened.
        self._pool = httpcore.ConnectionPool(
            ssl_context=tls_context(),
            network_backend=_PinnedBackend(allow_private=allow_private),
            max_connections=_MAX_CONNECTIONS,
            max_keepalive_connections=_MAX_KEEPALIVE,
            keepalive_expiry=_KEEPALIVE_SECONDS,
        )


# The shared pools' limits: every dispatch thread of a worker may hold a connection at once.
_MAX_CONNECTIONS = 100
_MAX_KEEPALIVE = 32
_KEEPALIVE_SECONDS = 30.0


def tls_context() -> ssl.SSLContext:
    """One verifying TLS context per certificate store (SSL_CERT_FILE / SSL_CERT_DIR, else certifi).

    Loading a CA bundle costs a few milliseconds of CPU: once per process, not once per request.
    """
    return _tls_context(os.environ.get("SSL_CERT_FILE") or None, os.environ.get("SSL_CERT_DIR") or None)


@functools.cache
def _tls_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()


class _SharedTransport(httpx.BaseTransport):
    """A client's view of a process-wide pinned pool: closing the client leaves the pool open."""

    def __init__(self, inner: PinnedTransport) -> None:
        self._inner = inner

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._inner.handle_request(request)

    def close(self) -> None:
        """The pool outlives each client."""


_POOLS: dict[tuple[bool, ssl.SSLContext], PinnedTransport] = {}
_POOLS_LOCK = threading.Lock()
# A forked process (several workers from one parent) opens its own connections.
os.register_at_fork(after_in_child=_POOLS.clear)


def shared_transport(*, allow_private: bool) -> httpx.BaseTransport:
    """The process's pinned connection pool for this outbound policy (keep-alive across requests)."""
    key = (allow_private, tls_context())
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            pool = _POOLS[key] = PinnedTransport(allow_private=allow_private)
    return _SharedTransport(pool)
