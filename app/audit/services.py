"""The one helper every service uses to write the audit trail."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from flask import has_request_context, request
from sqlalchemy import Table, insert
from sqlalchemy.sql import Executable

from app.audit.models import AuditEvent
from app.common.audit_actions import AuditAction
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import Organisation, User


def record(
    action: AuditAction,
    *,
    actor: User | None,
    organisation: Organisation | None = None,
    obj: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event; the caller's transaction commits it with the change it describes."""
    if not isinstance(action, AuditAction):  # a bare string would let a new name in beside the enum
        raise TypeError(f"audit actions are AuditAction members, not {action!r}")
    if obj is not None and getattr(obj, "id", 0) is None:
        db.session.flush()  # the event names the object by id, so the object needs one
    if organisation is None and actor is not None:
        organisation = actor.organisation
    event = AuditEvent(
        action=action,
        actor=actor,
        organisation=organisation,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if getattr(obj, "id", None) is not None else None,
        details=details or {},
        ip=_client_ip(),
    )
    db.session.add(event)
    return event


def record_row(
    action: AuditAction, *, organisation_id: int | None, obj: Any, details: dict[str, Any]
) -> None:
    """`record()` for a hot path without an actor (the publisher writes one per post): the same row,
    inserted at once by one prebuilt statement in the caller's transaction, without the ORM's flush."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit actions are AuditAction members, not {action!r}")
    db.session.execute(
        _insert_event(),
        {
            "action": action.value,
            "actor_id": None,
            "organisation_id": organisation_id,
            "object_type": type(obj).__name__,
            "object_id": str(obj.id),
            "details": details,
            "ip": _client_ip(),
        },
    )


@functools.cache
def _insert_event() -> Executable:
    return insert(cast(Table, AuditEvent.__table__))


def _client_ip() -> str | None:
    # The audit trail is infrastructure: it reads the address itself so services stay request-free.
    return request.remote_addr if has_request_context() else None
