"""Sign-in throttling per account AND address, with growing delays instead of a lock-out.

A stranger who guesses passwords for a lead's account from their own address only slows
themselves down: the lead, signing in from elsewhere, is never kept out. Addresses that try many
accounts are held back separately (LOGIN_LIMIT_PER_IP, through Flask-Limiter).
"""

from __future__ import annotations

import hashlib
import time

from flask import current_app
from flask_limiter.util import get_remote_address

from app.extensions import limiter

FAILURES_KEPT_SECONDS = 24 * 3600


def delay_after(failures: int, *, free: int, first: float, longest: float) -> float:
    """Seconds to wait after this many failures: none at first, then doubling up to a ceiling."""
    if failures < free:
        return 0.0
    return float(min(first * 2 ** (failures - free), longest))


def _key(account: str, kind: str) -> str:
    who = f"{account.strip().lower()}|{get_remote_address()}"
    return f"signin-{kind}:" + hashlib.sha256(who.encode("utf-8", "replace")).hexdigest()


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def seconds_to_wait(account: str) -> float:
    """How long this address must still wait before trying this account again (0: go ahead)."""
    if not _enabled() or not limiter.storage.get(_key(account, "wait")):
        return 0.0
    return max(limiter.storage.get_expiry(_key(account, "wait")) - time.time(), 1.0)


def record_failure(account: str) -> None:
    """Count a failed attempt from this address on this account and start the next delay."""
    if not _enabled():
        return
    config = current_app.config
    failures = limiter.storage.incr(_key(account, "failures"), FAILURES_KEPT_SECONDS)
    delay = delay_after(
        failures,
        free=config["LOGIN_FREE_FAILURES"],
        first=config["LOGIN_FIRST_DELAY_SECONDS"],
        longest=config["LOGIN_LONGEST_DELAY_SECONDS"],
    )
    if delay:
        limiter.storage.clear(_key(account, "wait"))
        limiter.storage.incr(_key(account, "wait"), int(delay))


def record_success(account: str) -> None:
    """A right password from this address forgets its earlier failures on this account."""
    if _enabled():
        limiter.storage.clear(_key(account, "failures"))
        limiter.storage.clear(_key(account, "wait"))
