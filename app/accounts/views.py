"""Signing in (password, then a TOTP code when set up), the account page, and the interface language."""

from __future__ import annotations

import time

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.accounts import bp, services, throttle
from app.accounts import mfa as mfa_tools
from app.accounts.forms import (
    ROLE_CHOICES,
    CodeForm,
    DisableMfaForm,
    LoginForm,
    PasswordChangeForm,
    ReauthForm,
)
from app.accounts.models import User
from app.audit.services import record
from app.common.audit_actions import AuditAction
from app.common.redirects import local_target
from app.config import LANGUAGES
from app.extensions import db, limiter

PENDING_KEY = "mfa_pending"
PENDING_SECONDS = 5 * 60  # the code step must follow the password within five minutes


def _failed(response) -> bool:
    # Only failed attempts count towards the limits: a successful sign-in redirects.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        if throttle.seconds_to_wait(form.email.data):
            abort(429)
        user = services.authenticate(form.email.data, form.password.data)
        db.session.commit()
        if user is None:
            throttle.record_failure(form.email.data)
            flash(_("That e-mail and password do not match an active account."), "error")
            return render_template("accounts/login.html", form=form), 401
        throttle.record_success(form.email.data)
        next_url = _safe_next(request.args.get("next"))
        if user.mfa_enabled:
            _fresh_session()
            session[PENDING_KEY] = {
                "user_id": user.id,
                "version": user.session_version,
                "at": time.time(),
                "next": next_url,
            }
            return redirect(url_for("accounts.login_code"))
        _sign_in(user)
        if services.mfa_required(user):
            return redirect(url_for("accounts.mfa"))
        return redirect(next_url)
    return render_template("accounts/login.html", form=form)


def _pending_key() -> str:
    pending = session.get(PENDING_KEY) or {}
    return f"login-code:{pending.get('user_id', '')}"


@bp.route("/login/code", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"], deduct_when=_failed)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_pending_key,
    deduct_when=_failed,
)
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("core.dashboard"))
    user, next_url = _pending_sign_in()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(_("The sign-in was not finished in time. Enter your e-mail and password again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        accepted = services.verify_mfa_code(user, form.code.data)
        if accepted:
            services.complete_login(user)
        db.session.commit()
        if accepted:
            _sign_in(user)
            return redirect(next_url)
        form.code.errors.append(_("That code does not match, or it was already used. Enter the next code."))
        return render_template("accounts/login_code.html", form=form), 401
    return render_template("accounts/login_code.html", form=form)


def _pending_sign_in() -> tuple[User | None, str]:
    """The person who gave a correct password in the last few minutes and still owes a code."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, ""
    user = db.session.get(User, pending.get("user_id"))
    if (
        user is None
        or not user.is_active_user
        or not user.mfa_enabled
        or user.session_version != pending.get("version")
    ):
        return None, ""
    return user, _safe_next(pending.get("next"))


def _fresh_session() -> None:
    """Start a new session (defeats session fixation), keeping only the chosen language."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def _sign_in(user: User) -> None:
    _fresh_session()
    login_user(user)
    session.permanent = True


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_user._get_current_object()
    user.session_version += 1  # a copy of this session's cookie stops working too
    record(AuditAction.AUTH_SIGNED_OUT, actor=user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/language", methods=["POST"])
def set_language():
    language = request.form.get("language", "")
    if language in LANGUAGES:
        session["language"] = language
        if current_user.is_authenticated:
            current_user.language = language
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Follow a 'next' link only when it stays on this site."""
    return local_target(target) or url_for("core.dashboard")


# The person's own account: details, password, second factor.

SETUP_KEY = "mfa_setup"
SETUP_SECONDS = 15 * 60  # time to scan the QR code and type the first code


def _account_key() -> str:
    return f"account:{getattr(current_user, 'id', '')}"


def _account_limits(view):
    """Throttle failed re-authentication (password or code) like sign-in failures."""
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
        methods=["POST"],
        key_func=_account_key,
        deduct_when=_failed,
    )(view)


@bp.route("/account")
@login_required
def account():
    return _account_page(PasswordChangeForm())


def _account_page(password_form: PasswordChangeForm) -> str:
    return render_template(
        "accounts/account.html", password_form=password_form, role_labels=dict(ROLE_CHOICES)
    )


@bp.route("/account/password", methods=["POST"])
@login_required
@_account_limits
def change_password():
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            services.change_own_password(user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)  # the session version changed: keep this session, end the others
            flash(_("Your password is changed. You are signed out on your other devices."), "success")
            return redirect(url_for("accounts.account"))
    return _account_page(form), 400


@bp.route("/account/mfa", methods=["GET", "POST"])
@login_required
@_account_limits
def mfa():
    user = current_user._get_current_object()
    required = services.mfa_required(user)
    if user.mfa_enabled:
        return render_template("accounts/mfa.html", disable_form=DisableMfaForm(), required=required)
    form = ReauthForm()
    if form.validate_on_submit():
        if services.check_password(user, form.password.data):
            secret = mfa_tools.encrypt_secret(user.id, mfa_tools.new_secret())
            session[SETUP_KEY] = {"secret": secret, "at": time.time()}
            return redirect(url_for("accounts.mfa_confirm"))
        form.password.errors.append(_("The password is not correct."))
        return render_template("accounts/mfa.html", form=form, required=required), 401
    return render_template("accounts/mfa.html", form=form, required=required)


@bp.route("/account/mfa/confirm", methods=["GET", "POST"])
@login_required
def mfa_confirm():
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("accounts.mfa"))
    secret = _setup_secret(user)
    if secret is None:
        flash(_("Setting up took too long. Enter your password to start again."), "info")
        return redirect(url_for("accounts.mfa"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            services.enable_mfa(user, secret, form.code.data)
        except services.AccountError as error:
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            _sign_in(user)  # the session version changed: this session goes on, older ones end
            flash(_("Two-step sign-in is on. You will enter a code each time you sign in."), "success")
            return redirect(url_for("accounts.account"))
    context = {
        "form": form,
        "secret": mfa_tools.grouped(secret),
        "qr": mfa_tools.qr_data_uri(mfa_tools.provisioning_uri(secret, user.email)),
    }
    return render_template("accounts/mfa_confirm.html", **context), 400 if form.errors else 200


def _setup_secret(user: User) -> str | None:
    """The secret being set up in this session, if it is recent and belongs to this person."""
    setup = session.get(SETUP_KEY)
    if not isinstance(setup, dict) or time.time() - setup.get("at", 0) > SETUP_SECONDS:
        return None
    try:
        return mfa_tools.decrypt_secret(user.id, setup.get("secret", ""))
    except mfa_tools.SecretError:
        return None


@bp.route("/account/mfa/disable", methods=["POST"])
@login_required
@_account_limits
def mfa_disable():
    user = current_user._get_current_object()
    form = DisableMfaForm()
    if form.validate_on_submit():
        try:
            services.disable_mfa(user, form.password.data, form.code.data)
        except services.AccountError as error:
            db.session.commit()  # keeps the audit of a wrong code
            form.code.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Two-step sign-in is off."), "success")
            return redirect(url_for("accounts.account"))
    required = services.mfa_required(user)
    return render_template("accounts/mfa.html", disable_form=form, required=required), 400
