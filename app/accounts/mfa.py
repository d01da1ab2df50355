"""TOTP second factor: secrets encrypted at rest, codes checked once per time step, QR codes for setup."""

from __future__ import annotations

import hmac
import json
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import InvalidToken

from app.common.crypto import fernet

ISSUER = "Counterpoint"
VALID_WINDOW = 1  # accept the previous and the next 30-second step too (phone clocks drift)


class SecretError(RuntimeError):
    """A stored secret cannot be read: wrong key, tampered value, or copied from another row."""


def new_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32(length=32)


def encrypt_secret(user_id: int, secret: str) -> str:
    """Encrypt a secret together with the id of the person it belongs to."""
    plaintext = json.dumps({"user_id": user_id, "secret": secret}, sort_keys=True)
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt_secret(user_id: int, token: str) -> str:
    """The secret; refuses a value bound to another person (a row copied by someone with database access)."""
    try:
        data = json.loads(fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        raise SecretError("The stored MFA secret cannot be decrypted with the configured keys.") from None
    if not isinstance(data, dict) or data.get("user_id") != user_id or not data.get("secret"):
        raise SecretError("The stored MFA secret belongs to another person.")
    return str(data["secret"])


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step a code belongs to (within VALID_WINDOW of now), or None when it matches none."""
    code = "".join((code or "").split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The QR code of a link as an SVG data: URI (allowed by the CSP's img-src)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def grouped(secret: str) -> str:
    """The secret in groups of four characters, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
