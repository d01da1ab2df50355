"""Connect only to addresses that were checked (no DNS rebinding), for httpx and for requests.

The outbound guard used to resolve a host to check it, and the HTTP library resolved it again to
connect: a hostile DNS server could answer a public address the first time and 127.0.0.1 or the
cloud metadata address the second. Here the connection itself resolves once, checks every address
(app.channels.urls.resolve_checked) and connects to one of those very addresses. TLS still names
the host (SNI, certificate check) and the Host header is unchanged: only the socket is pinned.
"""

from __future__ import annotations

import socket
from typing import Any

import httpcore
import httpx
import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util import connection as urllib3_connection

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


class _PinnedConnectionMixin(HTTPConnection):
    """urllib3's connection, resolving and checking the host itself in _new_conn."""

    allow_private = False

    def _new_conn(self) -> socket.socket:
        failure: OSError | None = None
        for address in resolve_checked(self._dns_host, self.port, allow_private=self.allow_private):
            try:
                return urllib3_connection.create_connection(
                    (str(address), self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as exc:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from exc
            except OSError as exc:
                failure = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {failure}")


class PinnedAdapter(HTTPAdapter):
    """A requests adapter (Mastodon.py's session) whose connections go only to checked addresses."""

    __attrs__ = [*HTTPAdapter.__attrs__, "_allow_private"]

    def __init__(self, *, allow_private: bool, **kwargs: Any) -> None:
        self._allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        flag = {"allow_private": self._allow_private}
        http = type("PinnedHTTPConnection", (_PinnedConnectionMixin, HTTPConnection), flag)
        https = type("PinnedHTTPSConnection", (_PinnedConnectionMixin, HTTPSConnection), flag)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
            "https": type("PinnedHTTPSConnectionPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
        }


def pinned_session(*, allow_private: bool) -> requests.Session:
    """A requests session that connects only to checked addresses and ignores proxy settings."""
    session = requests.Session()
    session.trust_env = False
    adapter = PinnedAdapter(allow_private=allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
