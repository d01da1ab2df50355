"""Connect only to addresses that were checked (no DNS rebinding): httpx, which every connector uses.

The outbound guard used to resolve a host to check it, and the HTTP library resolved it again to
connect: a hostile DNS server could answer a public address the first time and 127.0.0.1 or the
cloud metadata address the second. Here the connection itself resolves once, checks every address
(app.channels.urls.resolve_checked) and connects to one of those very addresses. TLS still names
the host (SNI, certificate check) and the Host header is unchanged: only the socket is pinned.
"""

from __future__ import annotations

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
        # certificate store httpx would use, SSL_CERT_FILE included).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_PinnedBackend(allow_private=allow_private),
        )
