"""Uploaded import files kept between the mapping, preview and confirm steps.

They live in `COUNTERPOINT_IMPORT_FOLDER` (default: instance/imports/) under random names, readable only
by the person who uploaded them, and are swept after a day.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class StoredUpload:
    token: str
    filename: str
    organisation_id: int
    user_id: int
    data: bytes


def _folder() -> Path:
    configured = current_app.config.get("COUNTERPOINT_IMPORT_FOLDER")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only its owner can read (uploads hold monitoring data)."""
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def store(data: bytes, filename: str, *, organisation_id: int, user_id: int) -> str:
    """Keep an upload under a random name; returns the token naming it."""
    sweep()
    token = secrets.token_urlsafe(24)
    folder = _folder()
    _write_private(folder / f"{token}.data", data)
    meta = {"filename": filename[:200], "organisation_id": organisation_id, "user_id": user_id}
    _write_private(folder / f"{token}.json", json.dumps(meta).encode())
    return token


def load(token: str, *, user_id: int) -> StoredUpload | None:
    """The upload with this token if it belongs to this person, else None."""
    if not TOKEN.match(token or ""):
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.data"
    if not meta_path.exists() or not data_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta["user_id"] != user_id:
        return None
    return StoredUpload(
        token=token,
        filename=meta["filename"],
        organisation_id=meta["organisation_id"],
        user_id=meta["user_id"],
        data=data_path.read_bytes(),
    )


def discard(token: str) -> None:
    """Remove an upload once imported."""
    if TOKEN.match(token or ""):
        for suffix in (".data", ".json"):
            (_folder() / f"{token}{suffix}").unlink(missing_ok=True)


def sweep(now: float | None = None) -> None:
    """Remove uploads older than a day (abandoned imports)."""
    limit = (now or time.time()) - MAX_AGE_SECONDS
    for path in _folder().glob("*.data"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            path.with_suffix(".json").unlink(missing_ok=True)
