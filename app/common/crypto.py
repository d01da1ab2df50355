"""Secrets encrypted at rest with MultiFernet; channel credentials are bound to their row."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

if TYPE_CHECKING:
    from app.channels.models import Channel


class CredentialError(RuntimeError):
    """Stored credentials cannot be read: wrong key, tampered value, or copied from another row."""


def _keys() -> list[str]:
    raw = current_app.config.get("COUNTERPOINT_ENCRYPTION_KEYS") or ""
    return [key.strip() for key in raw.split(",") if key.strip()]


def fernet() -> MultiFernet:
    """A MultiFernet over the configured keys, newest first (the first one encrypts)."""
    keys = _keys()
    if not keys:
        raise CredentialError("COUNTERPOINT_ENCRYPTION_KEYS is empty.")
    return _multi_fernet(tuple(keys))


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    """Built once per key list (the worker decrypts a channel's credentials before every post)."""
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_credentials(channel_id: int, credentials: dict[str, str]) -> str:
    """Encrypt credentials together with the channel id they belong to."""
    if channel_id is None:
        raise CredentialError("A channel needs an id before its credentials are encrypted.")
    plaintext = json.dumps({"channel_id": channel_id, "credentials": credentials}, sort_keys=True)
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt_credentials(channel: Channel) -> dict[str, str]:
    """The channel's credentials; refuses a value that was bound to another row."""
    if not channel.credentials_encrypted:
        return {}
    try:
        plaintext = fernet().decrypt(channel.credentials_encrypted.encode())
    except InvalidToken:
        raise CredentialError(
            "The stored credentials cannot be decrypted with the configured keys."
        ) from None
    data: Any = json.loads(plaintext)
    if not isinstance(data, dict) or data.get("channel_id") != channel.id:
        # Why: a value copied from another channel's row must never publish on this one.
        raise CredentialError("The stored credentials belong to another channel.")
    credentials = data.get("credentials")
    return credentials if isinstance(credentials, dict) else {}
