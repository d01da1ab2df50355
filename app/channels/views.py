"""Channel pages: leads and admins of an organisation manage its channels; staff see them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.accounts.access import deny, get_owned_or_404, role_required
from app.accounts.models import Role
from app.channels import bp, services
from app.channels.connectors import CONNECTOR_SPECS
from app.channels.forms import ChannelForm, CredentialsForm
from app.channels.models import Channel
from app.channels.scheduling import format_windows, parse_windows
from app.common.pagination import paginate
from app.extensions import db


def _fields(form: ChannelForm) -> services.ChannelFields:
    settings = {"url": form.webhook_url.data or "", "chat_id": form.chat_id.data or ""}
    return services.ChannelFields(
        display_name=form.display_name.data or "",
        handle=form.handle.data,
        server_url=form.server_url.data,
        settings=settings,
        time_zone=(form.time_zone.data or "UTC").strip(),
        posting_windows=parse_windows(form.posting_windows.data or ""),
        min_spacing_minutes=form.min_spacing_minutes.data or 0,
        daily_cap=form.daily_cap.data,
        char_limit_override=form.char_limit_override.data,
        is_paused=form.is_paused.data,
        is_individual_account=form.is_individual_account.data,
    )


def _credentials(platform: str, secret: str | None) -> dict[str, str]:
    spec = CONNECTOR_SPECS[platform]
    return {f.name: secret or "" for f in spec.credentials}


def _show_error(form, error: services.ChannelError) -> None:
    target = {"url": "webhook_url", "chat_id": "chat_id", "password": "password"}.get(
        error.field or "", error.field
    )
    field = getattr(form, target, None) if target else None
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        flash(str(error), "error")


def _managed_channel(channel_id: int) -> Channel:
    channel = get_owned_or_404(Channel, channel_id)
    if not services.can_manage(current_user, channel.organisation_id):
        deny("channel.manage", channel_id=channel_id)
    return channel


@bp.route("/")
@login_required
def index():
    show_archived = request.args.get("archived") == "1"
    query = (
        select(Channel)
        .where(
            Channel.organisation_id == current_user.organisation_id, Channel.is_archived.is_(show_archived)
        )
        .order_by(Channel.display_name)
    )
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=25)
    return render_template(
        "channels/index.html",
        page=page,
        show_archived=show_archived,
        can_manage=services.can_manage(current_user, current_user.organisation_id),
        specs=CONNECTOR_SPECS,
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.LEAD)
def new():
    form = ChannelForm()
    if request.method == "GET":
        form.time_zone.data = current_user.organisation.time_zone
    if form.validate_on_submit():
        try:
            channel = services.create_channel(
                current_user.organisation,
                form.platform.data,
                _fields(form),
                _credentials(form.platform.data, form.secret.data),
                actor=current_user,
            )
            problem = services.refresh_char_limit(channel)
        except services.ChannelError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                _(
                    "Channel %(name)s added. Test the connection to check its credentials.",
                    name=channel.display_name,
                ),
                "success",
            )
            if problem:
                flash(
                    _("The server's character limit could not be read: %(problem)s", problem=problem),
                    "warning",
                )
            return redirect(url_for("channels.detail", channel_id=channel.id))
    return render_template("channels/form.html", form=form, channel=None, specs=CONNECTOR_SPECS)


@bp.route("/<int:channel_id>")
@login_required
def detail(channel_id: int):
    channel = get_owned_or_404(Channel, channel_id)
    return render_template(
        "channels/detail.html",
        channel=channel,
        credentials_form=CredentialsForm(),
        can_manage=services.can_manage(current_user, channel.organisation_id),
        spec=CONNECTOR_SPECS[channel.platform],
        windows=format_windows(channel.posting_windows),
    )


@bp.route("/<int:channel_id>/edit", methods=["GET", "POST"])
@role_required(Role.LEAD)
def edit(channel_id: int):
    channel = _managed_channel(channel_id)
    form = ChannelForm(obj=channel)
    form.platform.data = channel.platform
    if request.method == "GET":
        form.webhook_url.data = (channel.settings or {}).get("url", "")
        form.chat_id.data = (channel.settings or {}).get("chat_id", "")
        form.posting_windows.data = format_windows(channel.posting_windows)
    if form.validate_on_submit():
        try:
            services.update_channel(channel, _fields(form), actor=current_user)
            problem = services.refresh_char_limit(channel)
        except services.ChannelError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("Channel %(name)s saved.", name=channel.display_name), "success")
            if problem:
                flash(
                    _("The server's character limit could not be read: %(problem)s", problem=problem),
                    "warning",
                )
            return redirect(url_for("channels.detail", channel_id=channel.id))
    return render_template("channels/form.html", form=form, channel=channel, specs=CONNECTOR_SPECS)


@bp.route("/<int:channel_id>/credentials", methods=["POST"])
@role_required(Role.LEAD)
def replace_credentials(channel_id: int):
    channel = _managed_channel(channel_id)
    form = CredentialsForm()
    if form.validate_on_submit():
        try:
            services.replace_credentials(
                channel,
                _credentials(channel.platform, form.secret.data),
                password=form.password.data,
                actor=current_user,
            )
        except services.ChannelError as error:
            db.session.commit()  # keeps the audit of a failed re-authentication
            _show_error(form, error)
        else:
            db.session.commit()
            flash(_("New credentials saved. Held posts stay held until a lead resumes them."), "success")
            return redirect(url_for("channels.detail", channel_id=channel.id))
    return render_template(
        "channels/detail.html",
        channel=channel,
        credentials_form=form,
        can_manage=True,
        spec=CONNECTOR_SPECS[channel.platform],
        windows=format_windows(channel.posting_windows),
    ), 400


@bp.route("/<int:channel_id>/test", methods=["POST"])
@role_required(Role.LEAD)
def test(channel_id: int):
    channel = _managed_channel(channel_id)
    try:
        answer = services.test_connection(channel, actor=current_user)
    except services.ChannelError as error:
        db.session.commit()
        flash(_("The connection failed: %(error)s", error=str(error)), "error")
    else:
        db.session.commit()
        flash(_("Connected as %(account)s. Nothing was posted.", account=answer), "success")
    return redirect(url_for("channels.detail", channel_id=channel.id))


@bp.route("/<int:channel_id>/pause", methods=["POST"])
@role_required(Role.LEAD)
def pause(channel_id: int):
    channel = _managed_channel(channel_id)
    is_paused = request.form.get("paused") == "1"
    services.set_paused(channel, is_paused, actor=current_user)
    db.session.commit()
    flash(
        _("%(name)s is paused: nothing will be posted on it.", name=channel.display_name)
        if is_paused
        else _(
            "%(name)s is active again. Held posts stay held until a lead resumes them.",
            name=channel.display_name,
        ),
        "success",
    )
    return redirect(url_for("channels.detail", channel_id=channel.id))


@bp.route("/<int:channel_id>/archive", methods=["POST"])
@role_required(Role.LEAD)
def archive(channel_id: int):
    channel = _managed_channel(channel_id)
    if channel.is_archived:
        abort(404)
    services.archive_channel(channel, actor=current_user)
    db.session.commit()
    flash(_("%(name)s is archived.", name=channel.display_name), "success")
    return redirect(url_for("channels.index"))
