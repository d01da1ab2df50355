"""Publishing pages: posts and their outcomes, scheduling, partner requests, manual posting, calendar, pause."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from app import notifications
from app.accounts.access import deny, get_or_404, role_required
from app.accounts.models import Organisation, Role
from app.campaigns.models import Campaign
from app.campaigns.visibility import takes_part, visible_campaigns
from app.channels import services as channel_services
from app.channels.connectors import get_connector
from app.channels.models import Channel
from app.common.bounds import in_date_range
from app.common.crypto import CredentialError
from app.common.labels import when
from app.common.pagination import paginate
from app.common.redirects import local_target
from app.common.time import utcnow
from app.common.urls import id_url
from app.drafting.models import Message, MessageStatus
from app.drafting.previews import previews_for
from app.extensions import db, limiter
from app.publishing import bp, calendar, moving, services
from app.publishing.context import post_status_badges
from app.publishing.dispatch import recheck, reconcile
from app.publishing.forms import (
    DeclineForm,
    MarkPostedForm,
    MoveForm,
    PauseForm,
    RescheduleForm,
    ScheduleForm,
)
from app.publishing.models import CalendarFeed, Post, PostCopy, PostStatus
from app.review import services as review_services


def _visible_post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None or not services.can_view(current_user, post):
        abort(404)
    return post


def _run(change, success: str, post: Post | None = None):
    """Run a service action, commit, flash; back to the post (or the list)."""
    try:
        change()
    except services.PublishingError as error:
        db.session.rollback()
        notifications.discard_pending_emails()
        flash(str(error), "error")
    else:
        db.session.commit()
        notifications.send_pending_emails()
        flash(success, "success")
    target = local_target(request.form.get("next")) or (
        url_for("publishing.post_detail", post_id=post.id) if post else None
    )
    return redirect(target or url_for("publishing.posts"))


# ---------------------------------------------------------------- posts

POSTS_COUNT_LIMIT = 1000  # beyond this the list says "more than 1000": filters narrow it down


@bp.route("/posts")
@login_required
def posts():
    query = services.with_list_relations(services.visible_posts(current_user))
    status = request.args.get("status", "")
    channel_id = request.args.get("channel_id", type=int)
    campaign_id = request.args.get("campaign_id", type=int)
    if status in set(PostStatus):
        query = query.where(Post.status == status)
    elif status == "attention":
        query = query.where(Post.status.in_(services.ATTENTION_STATUSES))
    if channel_id:
        query = query.where(Post.channel_id == channel_id)
    if campaign_id:
        query = query.where(Post.campaign_id == campaign_id)
    day = _day_arg()
    if day:
        start = datetime.combine(day, time(0), tzinfo=ZoneInfo(current_user.organisation.time_zone))
        query = query.where(Post.scheduled_at >= start, Post.scheduled_at < start + timedelta(days=1))
    page = paginate(
        query.order_by(Post.scheduled_at.desc(), Post.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=25,
        count_limit=POSTS_COUNT_LIMIT,
    )
    channels = db.session.scalars(
        select(Channel)
        .where(Channel.organisation_id == current_user.organisation_id)
        .order_by(Channel.display_name)
    ).all()
    return render_template(
        "publishing/posts.html",
        page=page,
        statuses=list(PostStatus),
        status=status,
        channel_id=channel_id,
        campaign_id=campaign_id,
        day=day,
        channels=channels,
        campaigns=_campaigns(),
        pause=services.current_pause(),
        pause_form=PauseForm(),
        zone=current_user.organisation.time_zone,
    )


def _day_arg() -> date | None:
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return None


def _campaigns() -> list[Campaign]:
    return list(db.session.scalars(visible_campaigns(current_user.organisation_id).order_by(Campaign.title)))


def _render_post(post: Post, *, reschedule_form: RescheduleForm | None = None, status: int = 200):
    blocker = recheck(post) if post.status in (PostStatus.QUEUED, PostStatus.AWAITING_PARTNER) else None
    return render_template(
        "publishing/post.html",
        post=post,
        actions=services.available_actions(post, current_user),
        can_delete_copies=bool(post.copies) and getattr(_connector_for(post), "supports_delete", False),
        can_reschedule=services.can_reschedule(current_user, post),
        mark_form=MarkPostedForm(),
        decline_form=DeclineForm(),
        reschedule_form=reschedule_form or RescheduleForm(formdata=None),
        blocker=blocker,
        zone=current_user.organisation.time_zone,
    ), status


@bp.route("/posts/<int:post_id>")
@login_required
def post_detail(post_id: int):
    return _render_post(_visible_post_or_404(post_id))


@bp.route("/posts/<int:post_id>/reschedule", methods=["POST"])
@login_required
def reschedule(post_id: int):
    post = _visible_post_or_404(post_id)
    if not current_user.has_role(Role.LEAD) or (
        current_user.organisation_id != post.message.campaign.organisation_id
    ):
        deny("post.reschedule_not_lead_of_message_organisation", post_id=post.id)
    form = RescheduleForm()
    if not form.validate_on_submit():
        return _render_post(post, reschedule_form=form, status=400)
    zone = current_user.organisation.time_zone
    at = form.at.data.replace(tzinfo=ZoneInfo(zone)) if form.mode.data == "at" else None
    try:
        services.reschedule_post(post, actor=current_user, at=at)
    except services.PublishingError as error:
        db.session.rollback()
        notifications.discard_pending_emails()
        form.form_errors.append(str(error))
        return _render_post(post, reschedule_form=form, status=422)  # expired by the rollback: reloads
    db.session.commit()
    notifications.send_pending_emails()
    flash(
        _("Scheduled again with the same key; it waits for the partner organisation to accept.")
        if post.status == PostStatus.AWAITING_PARTNER
        else _("Scheduled again with the same key."),
        "success",
    )
    return redirect(url_for("publishing.post_detail", post_id=post.id))


@bp.route("/posts/<int:post_id>/move", methods=["POST"])
@role_required(Role.LEAD)
def move(post_id: int):
    """The calendar's keyboard "move to…": a new slot for a queued post, under the channel's rules."""
    post = _visible_post_or_404(post_id)
    form = MoveForm()
    back = url_for(
        "publishing.calendar", view=request.form.get("view", "week"), date=request.form.get("date")
    )
    if not form.validate_on_submit():
        flash(_("Choose the new date and time."), "error")
        return redirect(back)
    at = form.at.data.replace(tzinfo=ZoneInfo(current_user.organisation.time_zone))
    try:
        moving.move_post(post, actor=current_user, at=at)
    except services.PublishingError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back)
    db.session.commit()
    flash(_("Moved to %(when)s.", when=when(post.scheduled_at)), "success")
    return redirect(back)


@bp.route("/posts/<int:post_id>/cancel", methods=["POST"])
@login_required
def cancel(post_id: int):
    post = _visible_post_or_404(post_id)
    return _run(lambda: services.cancel_post(post, actor=current_user), _("The post is cancelled."), post)


@bp.route("/posts/<int:post_id>/resume", methods=["POST"])
@login_required
def resume(post_id: int):
    post = _visible_post_or_404(post_id)
    return _run(
        lambda: services.resume_post(post, actor=current_user),
        _("The post is back in the queue and goes out at its slot, or now if that has passed."),
        post,
    )


@bp.route("/posts/<int:post_id>/not-posted", methods=["POST"])
@login_required
def not_posted(post_id: int):
    post = _visible_post_or_404(post_id)
    return _run(
        lambda: services.settle_unknown_as_not_posted(post, actor=current_user),
        _("Recorded as not posted; it will be sent again with the same key."),
        post,
    )


@bp.route("/posts/<int:post_id>/reconcile", methods=["POST"])
@login_required
def check_again(post_id: int):
    post = _visible_post_or_404(post_id)
    if post.status != PostStatus.UNKNOWN_OUTCOME or not services.can_act(current_user, post):
        abort(403)
    outcome = reconcile(post, tell=False)
    flash(
        _("Found on the platform: the post is recorded as posted.")
        if outcome in ("found", "duplicates_found")
        else _("Not found on the platform. Check by hand, then record what you see."),
        "success" if outcome in ("found", "duplicates_found") else "warning",
    )
    return redirect(url_for("publishing.post_detail", post_id=post.id))


def _connector_for(post: Post):
    try:
        return get_connector(channel_services.channel_config(post.channel))
    except (CredentialError, ValueError):
        return None


@bp.route("/posts/<int:post_id>/copies/<int:copy_id>/delete", methods=["POST"])
@login_required
def delete_copy(post_id: int, copy_id: int):
    post = _visible_post_or_404(post_id)
    copy = db.session.get(PostCopy, copy_id)
    if copy is None or copy.post_id != post.id:
        abort(404)
    connector = _connector_for(post)
    return _run(
        lambda: services.delete_extra_copy(copy, actor=current_user, connector=connector),
        _("The extra copy is deleted from the platform."),
        post,
    )


@bp.route("/posts/<int:post_id>/mark-posted", methods=["POST"])
@login_required
def mark_posted(post_id: int):
    post = _visible_post_or_404(post_id)
    form = MarkPostedForm()
    if not form.validate_on_submit():
        flash(_("Paste the address of the published post."), "error")
        return redirect(
            local_target(request.form.get("next")) or url_for("publishing.post_detail", post_id=post.id)
        )
    return _run(
        lambda: services.mark_posted_manually(post, actor=current_user, url=form.url.data),
        _("Recorded as posted. Thank you."),
        post,
    )


# ---------------------------------------------------------------- manual posting and partners


@bp.route("/manual")
@login_required
def manual():
    query = (
        select(Post)
        .join(Post.channel)
        .where(
            Channel.organisation_id == current_user.organisation_id,
            Channel.platform == "manual",
            Post.status == PostStatus.QUEUED,
        )
        .options(contains_eager(Post.channel), *services.RECHECK_LOADS)
        .order_by(Post.scheduled_at)
    )
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=25)
    # Read once for the page, not once a post: the coalition-wide pause, then (unless it holds every
    # post) the standing approvals of the posts' messages.
    paused = services.is_globally_paused()
    loaded = None if paused else review_services.preload([post.message for post in page.items], current_user)
    blockers = {post.id: recheck(post, paused=paused, loaded=loaded) for post in page.items}
    return render_template(
        "publishing/manual.html",
        page=page,
        blockers=blockers,
        form=MarkPostedForm(),
        now=utcnow(),
        zone=current_user.organisation.time_zone,
    )


@bp.route("/partner-requests")
@login_required
def partner_requests():
    page = paginate(
        services.partner_requests(current_user), page=request.args.get("page", 1, type=int), per_page=25
    )
    return render_template(
        "publishing/partner_requests.html",
        page=page,
        form=DeclineForm(),
        can_answer=current_user.has_role(Role.LEAD),
        zone=current_user.organisation.time_zone,
    )


@bp.route("/posts/<int:post_id>/accept", methods=["POST"])
@role_required(Role.LEAD)
def accept(post_id: int):
    post = _visible_post_or_404(post_id)
    return _run(
        lambda: services.accept_partner(post, actor=current_user),
        _("Accepted: the post is queued on %(name)s.", name=post.channel.display_name),
        post,
    )


@bp.route("/posts/<int:post_id>/decline", methods=["POST"])
@role_required(Role.LEAD)
def decline(post_id: int):
    post = _visible_post_or_404(post_id)
    form = DeclineForm()
    return _run(
        lambda: services.decline_partner(post, actor=current_user, reason=form.reason.data or ""),
        _("Declined. The campaign team is told why."),
        post,
    )


# ---------------------------------------------------------------- scheduling


@bp.route("/ready")
@role_required(Role.LEAD)
def ready():
    query = (
        select(Message)
        .where(Message.status == MessageStatus.APPROVED)
        .options(joinedload(Message.campaign), joinedload(Message.current_version))
        .order_by(Message.updated_at.desc(), Message.id.desc())
    )
    # Filter by organisation in SQL, before the page limit, so a partner sees its own messages; an
    # admin is a role inside one organisation and sees no other organisation's campaigns.
    taking_part = visible_campaigns(current_user.organisation_id).with_only_columns(Campaign.id)
    query = query.where(Message.campaign_id.in_(taking_part))
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=50)
    return render_template("publishing/ready.html", messages=page.items, page=page)


@bp.route("/schedule/<int:message_id>", methods=["GET", "POST"])
@role_required(Role.LEAD)
def schedule(message_id: int):
    message = get_or_404(Message, message_id)
    if not takes_part(current_user.organisation_id, message.campaign_id):
        abort(404)
    channels = services.schedulable_channels(current_user)
    form = ScheduleForm()
    form.channel_ids.choices = [(c.id, c.display_name) for c in channels]
    zone = current_user.organisation.time_zone
    if form.validate_on_submit():
        chosen = [c for c in channels if c.id in form.channel_ids.data]
        at = form.at.data.replace(tzinfo=ZoneInfo(zone)) if form.mode.data == "at" else None
        try:
            created = services.schedule_message(message, chosen, actor=current_user, at=at)
        except services.PublishingError as error:
            db.session.rollback()
            notifications.discard_pending_emails()
            flash(str(error), "error")
        else:
            db.session.commit()
            notifications.send_pending_emails()
            waiting = sum(p.status == PostStatus.AWAITING_PARTNER for p in created)
            flash(
                ngettext("Scheduled on %(num)d channel.", "Scheduled on %(num)d channels.", len(created))
                + (
                    " "
                    + ngettext(
                        "%(num)d waits for the partner organisation to accept.",
                        "%(num)d wait for the partner organisation to accept.",
                        waiting,
                    )
                    if waiting
                    else ""
                ),
                "success",
            )
            return redirect(url_for("publishing.posts", campaign_id=message.campaign_id))
    approved = message.current_version is not None and services.is_approved(message, message.current_version)
    return render_template(
        "publishing/schedule.html",
        message=message,
        form=form,
        channels=channels,
        lengths=services.channel_lengths(message, channels),
        approved=approved,
        zone=zone,
        previews=_previews(message, channels) if approved else [],
    )


def _previews(message: Message, channels: list[Channel]):
    """The approved text as each channel's platform will show it (the variant a channel gets, if any)."""
    version = message.current_version
    if version is None:
        return []
    return previews_for({p: services.frozen_text(version, p) for c in channels if (p := c.platform)})


# ---------------------------------------------------------------- calendar


@bp.route("/calendar", endpoint="calendar")
@login_required
def calendar_page():
    view = "month" if request.args.get("view") == "month" else "week"
    zone = current_user.organisation.time_zone
    today = utcnow().astimezone(ZoneInfo(zone)).date()
    try:
        anchor = date.fromisoformat(request.args.get("date", ""))
    except ValueError:
        anchor = today
    status = 200
    if not in_date_range(anchor):
        flash(_("Choose a date between 1900 and 2200."), "error")
        anchor, status = today, 422
    campaign_id = request.args.get("campaign_id", type=int)
    query = select(Post).where(services.post_visibility(current_user.organisation_id))
    if campaign_id:
        query = query.where(Post.campaign_id == campaign_id)
    weeks = calendar.grid(query, view=view, anchor=anchor, zone=zone, can_move=moving.mover(current_user))
    previous, following = calendar.neighbours(view, anchor)
    feed = db.session.scalar(
        select(CalendarFeed).where(CalendarFeed.organisation_id == current_user.organisation_id)
    )
    return render_template(
        "publishing/calendar.html",
        weeks=weeks,
        view=view,
        anchor=anchor,
        previous=previous,
        following=following,
        campaign_id=campaign_id,
        campaigns=_campaigns(),
        zone=zone,
        feed=feed,
        badges=post_status_badges(),
        post_href=id_url("publishing.post_detail", "post_id"),
        move_href=id_url("publishing.move", "post_id"),
    ), status


@bp.route("/calendar/feed", methods=["POST"])
@role_required(Role.LEAD)
def calendar_feed():
    if request.form.get("reset") == "1":
        calendar.reset_feed(current_user.organisation)
        flash(_("A new feed address is ready; the old one no longer works."), "success")
    else:
        calendar.feed_for(current_user.organisation)
    db.session.commit()
    return redirect(url_for("publishing.calendar"))


@bp.route("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def calendar_ics(token: str):
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None:
        abort(404)

    org = db.session.get(Organisation, feed.organisation_id)
    if org is None:
        abort(404)
    query = (
        select(Post)
        .join(Post.channel)
        .where(Channel.organisation_id == org.id, Post.status.in_(calendar.SHOWN))
        .options(*calendar.FEED_LOADS)
    )
    body = calendar.ics(
        calendar.feed_posts(query, now=utcnow()),
        name=f"Counterpoint · {org.name}",
        host=request.host,
    )
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})


# ---------------------------------------------------------------- global pause


@bp.route("/pause", methods=["POST"])
@role_required(Role.ADMIN)
def pause():
    form = PauseForm()
    is_active = request.form.get("active") == "1"
    services.set_global_pause(is_active, actor=current_user, reason=form.reason.data or "")
    db.session.commit()
    flash(
        _("All publishing is paused. Due posts are held until a person resumes them.")
        if is_active
        else _("Publishing is resumed. Held posts stay held until a lead resumes them."),
        "success",
    )
    return redirect(url_for("publishing.posts"))
