"""Follow a `next` target only when it stays on this site (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None) -> str | None:
    """The target if it is a path on this site, else None.

    Refuses absolute and scheme-relative URLs, and the backslash and control-character spellings
    browsers read as another host ("/\\\\evil.example", "/\\t/evil.example").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
