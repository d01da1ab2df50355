"""Platform sessions kept in the database, shared by every worker and web process.

Bluesky allows 30 createSession calls per 5 minutes: one session per channel, encrypted and
bound to its channel like credentials, refreshed by one process at a time under a row lock.
Uses its own connection and transaction so the caller's unit of work is never committed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from app.channels.models import ChannelSession
from app.common.crypto import CredentialError, fernet
from app.common.time import utcnow
from app.extensions import db

Session = dict[str, Any]


class DbSessionStore:
    """The session of one channel: load it, or replace it under a row lock."""

    def __init__(self, channel_id: int) -> None:
        self.channel_id = channel_id

    def load(self) -> Session | None:
        """The stored session, or None when there is none or it cannot be read."""
        with db.engine.connect() as conn:
            value = conn.execute(
                select(ChannelSession.session_encrypted).where(ChannelSession.channel_id == self.channel_id)
            ).scalar()
        return self._decrypt(value)

    def replace(self, produce: Callable[[Session | None], Session]) -> Session:
        """Lock the row, hand the stored session to produce(), keep what it returns.

        produce sees what another process may have stored meanwhile and can return it unchanged.
        """
        self._ensure_row()
        with db.engine.begin() as conn:
            # A no-op write takes the row lock on PostgreSQL and the write lock on SQLite alike.
            conn.execute(
                update(ChannelSession)
                .where(ChannelSession.channel_id == self.channel_id)
                .values(updated_at=ChannelSession.updated_at)
            )
            value = conn.execute(
                select(ChannelSession.session_encrypted)
                .where(ChannelSession.channel_id == self.channel_id)
                .with_for_update()
            ).scalar()
            current = self._decrypt(value)
            fresh = produce(current)
            if fresh is not current:
                conn.execute(
                    update(ChannelSession)
                    .where(ChannelSession.channel_id == self.channel_id)
                    .values(
                        session_encrypted=self._encrypt(fresh),
                        expires_at=_expiry(fresh),
                        updated_at=utcnow(),
                    )
                )
        return fresh

    def clear(self) -> None:
        """Forget the session (credentials changed, or the server refused it)."""
        with db.engine.begin() as conn:
            conn.execute(
                update(ChannelSession)
                .where(ChannelSession.channel_id == self.channel_id)
                .values(session_encrypted=None, expires_at=None, updated_at=utcnow())
            )

    def _ensure_row(self) -> None:
        with db.engine.connect() as conn:
            exists = conn.execute(
                select(ChannelSession.channel_id).where(ChannelSession.channel_id == self.channel_id)
            ).first()
            if exists:
                return
            try:
                conn.execute(insert(ChannelSession).values(channel_id=self.channel_id))
                conn.commit()
            except IntegrityError:  # another process created it first
                conn.rollback()

    def _encrypt(self, session: Session) -> str:
        plaintext = json.dumps({"channel_id": self.channel_id, "session": session}, sort_keys=True)
        return fernet().encrypt(plaintext.encode()).decode()

    def _decrypt(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = json.loads(fernet().decrypt(value.encode()))
        except (InvalidToken, CredentialError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("channel_id") != self.channel_id:
            return None  # a value copied from another channel's row is never used
        session = data.get("session")
        return session if isinstance(session, dict) else None


def _expiry(session: Session) -> datetime | None:
    value = session.get("refresh_expires_at")
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
