"""Create, find and revoke API tokens. Callers commit."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.accounts.models import Organisation, User
from app.api.models import ApiToken
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import utcnow
from app.extensions import db

TOKEN_PREFIX = "cpt_"  # noqa: S105  # nosec B105 (a marker, not a secret)


class TokenError(ValueError):
    """A token request that cannot be carried out, with a message for people."""


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(organisation: Organisation, name: str, *, actor: User | None) -> tuple[ApiToken, str]:
    """Create a token for an organisation; returns it with the clear value (shown once, never stored)."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise TokenError("Give the token a name of 1 to 100 characters.")
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        organisation=organisation,
        name=name,
        token_hash=hash_token(clear),
        prefix=clear[:12],
        created_by=actor,
    )
    db.session.add(token)
    db.session.flush()
    record(
        AuditAction.API_TOKEN_CREATED,
        actor=actor,
        organisation=organisation,
        obj=token,
        details={"name": name, "prefix": token.prefix},
    )
    return token, clear


def revoke_token(token: ApiToken, *, actor: User | None) -> None:
    """Revoke a token at once; revoking twice changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    db.session.flush()
    record(
        AuditAction.API_TOKEN_REVOKED,
        actor=actor,
        organisation=token.organisation,
        obj=token,
        details={"name": token.name, "prefix": token.prefix},
    )


def find_active_token(clear: str) -> ApiToken | None:
    """The unrevoked token with this clear value, if any."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(clear)))
    return token if token is not None and token.revoked_at is None else None
