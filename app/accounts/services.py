"""People and organisations: create, authenticate, change roles. Callers commit."""

from __future__ import annotations

import hmac
import re
import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.accounts import mfa
from app.accounts.models import Organisation, Role, User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.time import is_valid_zone, utcnow
from app.extensions import db

_HASHERS = {
    "argon2id": PasswordHasher(),
    # Test suites create many users; the cheapest argon2id profile keeps them fast. Never in production.
    "argon2id-fast-for-tests": PasswordHasher.from_parameters(profiles.CHEAPEST),
}
MIN_PASSWORD_LENGTH = 12
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with a message for people."""


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["PASSWORD_HASHER"]]


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash of no one's password, made once per hasher, to verify against for unknown e-mails."""
    name = current_app.config["PASSWORD_HASHER"]
    if name not in _DUMMY_HASHES:
        _DUMMY_HASHES[name] = _HASHERS[name].hash(secrets.token_urlsafe(16))
    return _DUMMY_HASHES[name]


def check_password(user: User | None, password: str) -> bool:
    """Verify a password; an unknown e-mail costs one verification, exactly like a wrong password."""
    stored = user.password_hash if user else _dummy_hash()
    try:
        return _hasher().verify(stored, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def find_user_by_email(email: str) -> User | None:
    """Look a user up by e-mail, case-insensitively."""
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, auditing success and failure."""
    user = find_user_by_email(email)
    if not check_password(user, password) or user is None:
        record(
            AuditAction.AUTH_SIGN_IN_FAILED,
            actor=None,
            organisation=user.organisation if user else None,
            details=_failed_login_details(email, user),
        )
        return None
    if not user.is_active_user:
        record(AuditAction.AUTH_SIGN_IN_REFUSED, actor=user)
        return None
    if not user.mfa_enabled:
        complete_login(user)
    # With MFA the sign-in is complete only after the code (see verify_mfa_code).
    return user


def _failed_login_details(typed: str, user: User | None) -> dict:
    """What the audit trail keeps of a failed sign-in: never what was typed, unless it is an account's
    e-mail (a password typed into the e-mail box must not be stored or shown to admins)."""
    if user is not None:
        return {"email": user.email, "known_account": True}
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), typed.strip().lower().encode("utf-8", "replace"), "sha256"
    ).hexdigest()[:12]
    return {
        "known_account": False,
        "looked_like_email": bool(EMAIL_SHAPE.match(typed.strip())),
        "typed_digest": digest,
    }


def complete_login(user: User) -> None:
    """Record a finished sign-in."""
    user.last_login_at = utcnow()
    record(AuditAction.AUTH_SIGNED_IN, actor=user)


def validate_password(password: str) -> None:
    """Refuse passwords too short to resist guessing."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("Use a password of at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))


def create_organisation(
    *,
    name: str,
    slug: str,
    time_zone: str = "UTC",
    default_language: str = "en",
    actor: User | None,
) -> Organisation:
    """Create an organisation with a unique slug."""
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug):
        raise AccountError(_("The short name may use lower-case letters, digits and hyphens only."))
    if db.session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise AccountError(_("An organisation with the short name %(slug)s already exists.", slug=slug))
    if not is_valid_zone(time_zone):
        raise AccountError(_("%(zone)s is not a known time zone (for example Europe/Paris).", zone=time_zone))
    org = Organisation(name=name.strip(), slug=slug, time_zone=time_zone, default_language=default_language)
    db.session.add(org)
    record(AuditAction.ORGANISATION_CREATED, actor=actor, organisation=org, obj=org, details={"slug": slug})
    return org


def create_user(
    *,
    email: str,
    name: str,
    password: str,
    organisation: Organisation,
    role: Role,
    actor: User | None,
) -> User:
    """Create a person in an organisation with a role."""
    email = email.strip().lower()
    if find_user_by_email(email):
        raise AccountError(_("A user with the e-mail %(email)s already exists.", email=email))
    validate_password(password)
    user = User(
        email=email,
        name=name.strip() or email,
        password_hash=hash_password(password),
        organisation=organisation,
        role=Role(role),
    )
    db.session.add(user)
    record(
        AuditAction.USER_CREATED,
        actor=actor,
        organisation=organisation,
        obj=user,
        details={"email": email, "role": str(role)},
    )
    return user


def change_role(user: User, role: Role, *, actor: User) -> None:
    """Give a person another role; the change signs them out everywhere."""
    if user.id == actor.id:
        raise AccountError(_("You cannot change your own role; ask another admin."))
    old = user.role
    user.role = Role(role)
    user.session_version += 1
    record(
        AuditAction.USER_ROLE_CHANGED,
        actor=actor,
        organisation=user.organisation,
        obj=user,
        details={"from": str(old), "to": str(role)},
    )


def set_active(user: User, is_active: bool, *, actor: User) -> None:
    """Deactivate or reactivate a person; deactivation ends their sessions."""
    if user.id == actor.id and not is_active:
        raise AccountError(_("You cannot deactivate yourself."))
    user.is_active_user = is_active
    user.session_version += 1
    record(
        AuditAction.USER_ACTIVATED if is_active else AuditAction.USER_DEACTIVATED,
        actor=actor,
        organisation=user.organisation,
        obj=user,
    )


def sign_out_everywhere(user: User, *, actor: User) -> None:
    """Invalidate every session the person has."""
    user.session_version += 1
    record(AuditAction.USER_SIGNED_OUT_EVERYWHERE, actor=actor, organisation=user.organisation, obj=user)


def set_password(user: User, password: str, *, actor: User | None) -> None:
    """Set a new password; other sessions end."""
    validate_password(password)
    user.password_hash = hash_password(password)
    user.session_version += 1
    record(AuditAction.USER_PASSWORD_CHANGED, actor=actor, organisation=user.organisation, obj=user)


def load_session_user(identifier: str) -> User | None:
    """Return the user a session names, if the session's version is still current."""
    try:
        user_id, version = (int(part) for part in identifier.split(":", 1))
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_version != version or not user.is_active_user:
        return None
    return user


def change_own_password(user: User, current_password: str, new_password: str) -> None:
    """A person changes their own password; the current one is required. Other sessions end."""
    if not check_password(user, current_password):
        raise AccountError(_("The current password is not correct."))
    set_password(user, new_password, actor=user)


# Second factor (TOTP).


def mfa_required(user: User) -> bool:
    """Tell whether this person must use a second factor (leads and admins, when the setting is on)."""
    return bool(current_app.config.get("COUNTERPOINT_REQUIRE_MFA")) and user.is_lead


def enable_mfa(user: User, secret: str, code: str) -> None:
    """Switch the second factor on once a code from the person's app proves the secret was saved."""
    if user.mfa_enabled:
        raise AccountError(_("Two-step sign-in is already on."))
    step = mfa.matching_step(secret, code, utcnow())
    if step is None:
        raise AccountError(
            _("That code does not match. Check the time on your phone and enter the code shown now.")
        )
    user.mfa_secret_encrypted = mfa.encrypt_secret(user.id, secret)
    user.mfa_enabled_at = utcnow()
    user.mfa_last_counter = step
    user.session_version += 1  # sessions opened before the second factor end
    db.session.flush()
    record(AuditAction.USER_MFA_ENABLED, actor=user, organisation=user.organisation, obj=user)


def verify_mfa_code(user: User, code: str) -> bool:
    """Accept a current code once: a code already used (or older) is refused. Failures are audited."""
    step = mfa.matching_step(mfa.decrypt_secret(user.id, user.mfa_secret_encrypted or ""), code, utcnow())
    reused = step is not None and user.mfa_last_counter is not None and step <= user.mfa_last_counter
    if step is None or reused:
        record(
            AuditAction.AUTH_MFA_FAILED,
            actor=user,
            organisation=user.organisation,
            details={"reason": "reused" if reused else "wrong_code"},
        )
        return False
    user.mfa_last_counter = step
    db.session.flush()
    return True


def disable_mfa(user: User, password: str, code: str) -> None:
    """Switch the second factor off; needs the password and a current code."""
    if not user.mfa_enabled:
        raise AccountError(_("Two-step sign-in is not on."))
    if not check_password(user, password):
        raise AccountError(_("The password is not correct."))
    if not verify_mfa_code(user, code):
        raise AccountError(_("That code does not match, or it was already used. Enter the next code."))
    _clear_mfa(user)
    record(AuditAction.USER_MFA_DISABLED, actor=user, organisation=user.organisation, obj=user)


def reset_mfa(user: User, *, actor: User) -> None:
    """An admin switches someone's second factor off (lost phone); they sign in again and set it up anew."""
    if user.id == actor.id:
        raise AccountError(_("Turn your own two-step sign-in off from your account page."))
    if not user.mfa_enabled:
        raise AccountError(_("Two-step sign-in is not on."))
    _clear_mfa(user)
    user.session_version += 1
    record(AuditAction.USER_MFA_RESET, actor=actor, organisation=user.organisation, obj=user)


def _clear_mfa(user: User) -> None:
    user.mfa_secret_encrypted = None
    user.mfa_enabled_at = None
    user.mfa_last_counter = None
    db.session.flush()
