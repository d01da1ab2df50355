"""Admin pages for people and organisations. Admins are coalition-wide (see docs/decisions.md)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from app.accounts import services
from app.accounts.access import get_or_404, role_required
from app.accounts.forms import OrganisationForm, RoleForm, UserForm
from app.accounts.models import Organisation, Role, User
from app.admin import bp
from app.common.pagination import paginate
from app.extensions import db


def _organisation_choices() -> list[tuple[int, str]]:
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name))
    return [(org.id, org.name) for org in orgs]


@bp.route("/users")
@role_required(Role.ADMIN)
def users():
    query = select(User).join(User.organisation).order_by(Organisation.name, User.email)
    search = request.args.get("q", "").strip()
    if search:
        like = f"%{search}%"
        query = query.where(or_(User.email.ilike(like), User.name.ilike(like)))
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=50)
    return render_template("admin/users.html", page=page, search=search, role_form=RoleForm())


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = UserForm()
    form.organisation_id.choices = _organisation_choices()
    if request.method == "GET":
        form.organisation_id.data = current_user.organisation_id
    if form.validate_on_submit():
        try:
            user = services.create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                organisation=get_or_404(Organisation, form.organisation_id.data),
                role=Role(form.role.data),
                actor=current_user,
            )
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(email)s can now sign in.", email=user.email), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = get_or_404(User, user_id)
    form = RoleForm()
    if form.validate_on_submit():
        _apply(
            lambda: services.change_role(user, Role(form.role.data), actor=current_user),
            _("%(email)s is now %(role)s.", email=user.email, role=form.role.data),
        )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@role_required(Role.ADMIN)
def set_active(user_id: int):
    user = get_or_404(User, user_id)
    is_active = request.form.get("active") == "1"
    message = (
        _("%(email)s is active again.", email=user.email)
        if is_active
        else _("%(email)s is deactivated and signed out.", email=user.email)
    )
    _apply(lambda: services.set_active(user, is_active, actor=current_user), message)
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sign-out", methods=["POST"])
@role_required(Role.ADMIN)
def sign_out_everywhere(user_id: int):
    user = get_or_404(User, user_id)
    _apply(
        lambda: services.sign_out_everywhere(user, actor=current_user),
        _("%(email)s is signed out on every device.", email=user.email),
    )
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/reset-mfa", methods=["POST"])
@role_required(Role.ADMIN)
def reset_mfa(user_id: int):
    user = get_or_404(User, user_id)
    _apply(
        lambda: services.reset_mfa(user, actor=current_user),
        _(
            "Two-step sign-in is off for %(email)s; they set it up again at their next sign-in.",
            email=user.email,
        ),
    )
    return redirect(url_for("admin.users"))


@bp.route("/organisations", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.create_organisation(
                name=form.name.data,
                slug=form.slug.data,
                time_zone=form.time_zone.data,
                default_language=form.default_language.data,
                actor=current_user,
            )
        except services.AccountError as error:
            form.slug.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Organisation %(name)s created. Add its people next.", name=org.name), "success")
            return redirect(url_for("admin.organisations"))
    orgs = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template("admin/organisations.html", organisations=orgs, form=form)


def _apply(change, success_message: str) -> None:
    """Run a service change, commit it and flash the outcome."""
    try:
        change()
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
        return
    db.session.commit()
    flash(success_message, "success")
