"""Access checks used by every view: roles, organisations, objects."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from app.accounts.models import Role
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.extensions import db

T = TypeVar("T")


def role_required(role: Role) -> Callable:
    """Let only signed-in people with at least this role through; others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.has_role(role):
                deny("role", required=str(role))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def deny(reason: str, **details: Any) -> None:
    """Audit a refused authorisation, commit it, and answer 403."""
    actor = current_user if current_user.is_authenticated else None
    record(AuditAction.AUTHZ_DENIED, actor=actor, details={"reason": reason, **details})
    db.session.commit()
    abort(403)


def get_or_404(model: type[T], object_id: int) -> T:
    """Fetch an object by primary key or answer 404."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def get_owned_or_404(model: type[T], object_id: int, *, attribute: str = "organisation_id") -> T:
    """Fetch an object of the signed-in person's organisation; another organisation's is a 404."""
    obj = db.session.get(model, object_id)
    if obj is None or getattr(obj, attribute) != current_user.organisation_id:
        abort(404)
    return obj
