"""Outbound URL guard: refuse addresses that would let a channel reach internal services (SSRF)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURLError(ValueError):
    """The URL is not allowed as an outbound destination."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnresolvableHostError(UnsafeURLError):
    """The host name did not resolve; may be a passing DNS failure."""


def web_url_or_none(url: object) -> str | None:
    """The URL if it is an http(s) address with a server name, else None (never a javascript: link)."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (
        parts.scheme.lower() not in ("http", "https")
        or not parts.hostname
        or any(c in url for c in "\x00\r\n\t ")
    ):
        return None
    return url


def validate_outbound_url(url: str, *, allow_private: bool, require_https: bool) -> str:
    """Return the URL if it is safe to call, else raise UnsafeURLError with a reason."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeURLError("This address is not a valid URL.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURLError("The address must start with https:// (or http:// in development).")
    if require_https and scheme != "https":
        raise UnsafeURLError("The address must use https://.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURLError("Put credentials in the channel's secret fields, not in the address.")
    host = parts.hostname
    if not host:
        raise UnsafeURLError("The address has no server name.")
    if allow_private:
        return url
    resolve_checked(host, port or (443 if scheme == "https" else 80), allow_private=False)
    return url


def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[IPAddress]:
    """Resolve once and refuse if any address is not public: the caller connects to these addresses."""
    addresses = _resolve(host, port)
    if not allow_private:
        for address in addresses:
            reason = _refusal(address)
            if reason:
                raise UnsafeURLError(f"The address {host} points to {reason}, which is not allowed.")
    return addresses


def _resolve(host: str, port: int) -> list[IPAddress]:
    """All addresses the host name resolves to (an IP literal resolves to itself)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnresolvableHostError(f"The server name {host} could not be found.") from None
    # Drop an IPv6 zone id such as "%eth0" before parsing.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _refusal(address: IPAddress) -> str | None:
    """Why this address is refused, or None if it is a public one."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            return _refusal(embedded)
    if address.is_unspecified:
        return "an unspecified address (0.0.0.0 or ::)"
    if address.is_loopback:
        return "this computer (a loopback address)"
    if address.is_link_local:
        return "a link-local address (such as the cloud metadata service 169.254.169.254)"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private network address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "an address that is not on the public internet"
    return None
