"""Admin page for API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import get_or_404, role_required
from app.accounts.models import Organisation, Role
from app.api import tokens
from app.api.forms import TokenForm
from app.api.models import ApiToken
from app.common.pagination import paginate
from app.extensions import db

admin_bp = Blueprint("api_tokens", __name__, url_prefix="/admin/tokens")


def _form() -> TokenForm:
    form = TokenForm()
    form.organisation_id.choices = [
        (o.id, o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))
    ]
    if request.method == "GET":
        form.organisation_id.data = current_user.organisation_id
    return form


def _list(form: TokenForm, status: int = 200):
    query = (
        select(ApiToken)
        .join(ApiToken.organisation)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc())
    )
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=50)
    return render_template("admin/tokens.html", page=page, form=form), status


@admin_bp.route("", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def index():
    form = _form()
    if request.method == "POST":
        if form.validate_on_submit():
            org = get_or_404(Organisation, form.organisation_id.data)
            try:
                token, clear = tokens.create_token(org, form.name.data, actor=current_user)
            except tokens.TokenError as error:
                form.name.errors.append(str(error))
            else:
                db.session.commit()
                response = make_response(
                    render_template("admin/tokens_created.html", token=token, clear=clear)
                )
                response.headers["Cache-Control"] = "no-store"
                return response
        return _list(form, 400)
    return _list(form)


@admin_bp.route("/<int:token_id>/revoke", methods=["POST"])
@role_required(Role.ADMIN)
def revoke(token_id: int):
    token = get_or_404(ApiToken, token_id)
    tokens.revoke_token(token, actor=current_user)
    db.session.commit()
    flash(_("Token “%(name)s” is revoked; requests using it now fail.", name=token.name), "success")
    return redirect(url_for("api_tokens.index"))
