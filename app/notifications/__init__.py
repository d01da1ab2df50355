"""Notifications: in-app inbox entries and their e-mail copies, for every feature.

`notify(recipients, kind=NotificationKind.X, params={...}, link=..., exclude=...)` stores the kind
and its JSON-safe parameters; the subject and body are rendered when read (in the reader's
language) and when e-mailed (in the recipient's language), from app.notifications.kinds.
E-mails go out after the transaction that made the entries commits (`send_pending_emails`).
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable, Mapping
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select, update

from app.common.time import utcnow
from app.extensions import db
from app.notifications.kinds import NotificationKind
from app.notifications.models import Notification

if TYPE_CHECKING:
    from app.accounts.models import User

__all__ = [
    "Notification",
    "NotificationKind",
    "discard_pending_emails",
    "link_to",
    "mark_all_read",
    "mark_read",
    "notify",
    "send_pending_emails",
    "unread_count",
]

log = logging.getLogger(__name__)

# Ids of notifications created in this session's transaction, e-mailed once it has committed.
_OUTBOX_KEY = "notification_email_outbox"


def notify(
    recipients: Iterable[User | None],
    *,
    kind: NotificationKind,
    params: Mapping[str, Any],
    link: str | None = None,
    exclude: User | None = None,
) -> list[Notification]:
    """Create one inbox entry per distinct active recipient; it is rendered when read or e-mailed."""
    kind = NotificationKind(kind)
    created: list[Notification] = []
    seen: set[int] = set()
    for user in recipients:
        if user is None or user.id in seen or (exclude is not None and user.id == exclude.id):
            continue
        seen.add(user.id)
        if not user.is_active:
            continue
        note = Notification(user=user, kind=str(kind), params=dict(params), link=link)
        db.session.add(note)
        created.append(note)
    if created:
        db.session.flush()
        db.session.info.setdefault(_OUTBOX_KEY, []).extend(note.id for note in created)
    return created


def link_to(endpoint: str, **values: Any) -> str:
    """The path of a page, for a notification's link (works in the worker, outside any request)."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def unread_count(user: User) -> int:
    """How many of a person's notifications are unread."""
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    return db.session.scalar(query) or 0


def mark_read(note: Notification) -> None:
    """Mark one notification read (idempotent)."""
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of a person read; returns how many changed."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount or 0


def email_is_configured() -> bool:
    """E-mail is off unless SMTP_HOST is set."""
    return bool(current_app.config.get("SMTP_HOST"))


def send_pending_emails() -> int:
    """E-mail the notifications the committed transaction created; failures are logged, never raised."""
    ids = db.session.info.pop(_OUTBOX_KEY, [])
    if not ids or not email_is_configured():
        return 0
    sent = 0
    try:
        with _smtp() as smtp:
            for note_id in ids:
                sent += _send_one(smtp, note_id)
    except (OSError, smtplib.SMTPException):
        log.exception("could not e-mail %d notification(s); they stay in the inbox", len(ids))
        db.session.rollback()
    return sent


def discard_pending_emails() -> None:
    """Forget queued e-mails after a rollback (their notifications no longer exist)."""
    db.session.info.pop(_OUTBOX_KEY, None)


def _smtp() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25), timeout=10)
    if config.get("SMTP_STARTTLS"):
        smtp.starttls()
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    return smtp


def _send_one(smtp: smtplib.SMTP, note_id: int) -> int:
    """Claim the notification (compare-and-set on emailed_at), send it, and commit the claim."""
    note = db.session.get(Notification, note_id)
    if note is None or note.emailed_at is not None:
        return 0
    mail = EmailMessage()
    mail["From"] = current_app.config.get("SMTP_FROM") or "counterpoint@localhost"
    mail["To"] = note.user.email
    with force_locale(_language_of(note.user)):
        subject, body = note.rendered()
    mail["Subject"] = subject
    mail.set_content(_email_body(body, note.link))
    try:
        smtp.send_message(mail)
    except smtplib.SMTPRecipientsRefused:
        log.warning("SMTP refused the address of user %s", note.user_id)
        return 0
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == note_id, Notification.emailed_at.is_(None))
        .values(emailed_at=utcnow())
    )
    db.session.commit()
    return claimed.rowcount or 0


def _language_of(user: User) -> str:
    return user.language or user.organisation.default_language or "en"


def _email_body(body: str, link: str | None) -> str:
    base = (current_app.config.get("COUNTERPOINT_BASE_URL") or "").rstrip("/")
    parts = [body]
    if link:
        parts.append(f"{base}{link}")
    return "\n\n".join(part for part in parts if part) + "\n"
