"""The inbox entry: a kind and its parameters, rendered when someone reads it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.time import utcnow
from app.common.types import UTCDateTime
from app.extensions import db
from app.notifications.kinds import render

if TYPE_CHECKING:
    from app.accounts.models import User


class Notification(db.Model):
    """An in-app inbox entry (also e-mailed when SMTP is configured)."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(48))  # a NotificationKind value
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Text composed when the entry was written, before notifications were rendered at display time.
    legacy_subject: Mapped[str | None] = mapped_column(String(300))
    legacy_body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    def rendered(self) -> tuple[str, str]:
        """Subject and body in the current language (older entries keep the text they were written with)."""
        if self.params is None:
            return self.legacy_subject or "", self.legacy_body or ""
        return render(self.kind, self.params)

    @property
    def subject(self) -> str:
        return self.rendered()[0]

    @property
    def body(self) -> str:
        return self.rendered()[1]
