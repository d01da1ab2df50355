"""Partner channels: an organisation's account on a platform, with encrypted credentials."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import Organisation
from app.common.time import utcnow
from app.common.types import UTCDateTime
from app.extensions import db


class Channel(db.Model):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # mastodon, bluesky, telegram, webhook, manual
    display_name: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200))
    server_url: Mapped[str | None] = mapped_column(String(500))
    # Fernet token of a JSON object {"channel_id": id, "credentials": {...}}: never shown, never logged.
    credentials_encrypted: Mapped[str | None] = mapped_column(Text)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. telegram chat_id
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    # {"mon": [["09:00", "18:00"]], ...}; empty means any time
    posting_windows: Mapped[dict[str, list[list[str]]]] = mapped_column(JSON, default=dict)
    min_spacing_minutes: Mapped[int] = mapped_column(Integer, default=0)
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    char_limit_override: Mapped[int | None] = mapped_column(Integer)
    is_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    is_individual_account: Mapped[bool] = mapped_column(Boolean, default=False)  # DOMAIN.md rule 12
    needs_reauth: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    credentials_updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Read from the instance on save and on "test connection" (Mastodon servers differ).
    detected_char_limit: Mapped[int | None] = mapped_column(Integer)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Server software and version read at test-connection and daily (app.channels.capabilities).
    server_software: Mapped[str | None] = mapped_column(String(64))
    server_version: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship()

    @property
    def is_usable(self) -> bool:
        return not (self.is_paused or self.needs_reauth or self.is_archived)

    @property
    def has_credentials(self) -> bool:
        return bool(self.credentials_encrypted)

    @property
    def length_rule(self) -> str | None:
        """How this channel's server counts length: None = the platform's own rule."""
        if self.platform != "mastodon":
            return None
        from app.channels.capabilities import capabilities_for

        rule = capabilities_for(self.server_software).length_rule
        return None if rule == "mastodon" else rule

    @property
    def char_limit(self) -> int | None:
        """The limit posts must respect: the override, else what the instance says."""
        return self.char_limit_override or self.detected_char_limit


class ChannelSession(db.Model):
    """A platform session shared by every process (Bluesky: createSession is limited to 30/5 min).

    Encrypted like credentials and bound to its channel; refreshed under a row lock.
    """

    __tablename__ = "channel_sessions"

    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"), primary_key=True)
    session_encrypted: Mapped[str | None] = mapped_column(Text)
    # When the refresh token expires: after that the session is useless.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
