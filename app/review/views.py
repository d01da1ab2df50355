"""Review queue, message review page, decisions, "My messages" and the notification inbox."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Row, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app import notifications
from app.accounts.access import role_required
from app.accounts.models import Role
from app.campaigns.models import Campaign
from app.campaigns.visibility import visible_campaigns
from app.common.bounds import digits_or_404
from app.common.pagination import paginate
from app.drafting.models import Message, MessageComment, MessageStatus, MessageVersion
from app.drafting.services import visible_messages
from app.extensions import db
from app.notifications.models import Notification
from app.review import bp, services
from app.review.forms import ApproveForm, ChangesForm, CommentForm, RejectForm
from app.review.models import ReviewRequest
from app.review.presenters import build_card, build_cards, editor_url
from app.trends.models import Trend

QUEUE_PAGE_SIZE = 10
# What a review card reads, loaded with the page instead of one query per card and relation.
_CARD_LOADS = (
    joinedload(Message.current_version),
    joinedload(Message.campaign).joinedload(Campaign.organisation),
    joinedload(Message.campaign).selectinload(Campaign.partners),
    joinedload(Message.trend),
    selectinload(Message.versions).joinedload(MessageVersion.author),
    selectinload(Message.comments).joinedload(MessageComment.author),
)


# --- Queue and message page -----------------------------------------------------------------------


@bp.route("/review")
@role_required(Role.LEAD)
def queue():
    filters = {key: request.args.get(key, "").strip() for key in ("campaign", "language", "severity")}
    query = _visible_messages().where(Message.status == MessageStatus.IN_REVIEW)
    if (campaign_id := digits_or_404(filters["campaign"])) is not None:
        query = query.where(Message.campaign_id == campaign_id)
    if filters["language"]:
        query = query.where(Message.language == filters["language"])
    if (severity := digits_or_404(filters["severity"])) is not None:
        query = query.where(Message.trend.has(Trend.severity == severity))
    page = paginate(
        query.options(*_CARD_LOADS).order_by(Message.updated_at, Message.id),
        page=request.args.get("page", 1, type=int),
        per_page=QUEUE_PAGE_SIZE,
    )
    cards = build_cards(page.items, current_user)
    return render_template(
        "review/queue.html",
        page=page,
        cards=cards,
        filters=filters,
        campaigns=_visible_campaigns(),
        languages=_queue_languages(),
        status_label=services.status_label,
    )


@bp.route("/review/messages/<int:message_id>")
@login_required
def message(message_id: int):
    return _render_message(_message_or_404(message_id))


@bp.route("/messages/<int:message_id>/submit", methods=["POST"])
@login_required
def submit(message_id: int):
    message = _message_or_404(message_id)
    try:
        services.submit(message, current_user)
    except services.ReviewError as error:
        db.session.rollback()
        notifications.discard_pending_emails()
        flash(str(error), "error")
    else:
        _commit()
        flash(_("Sent for review. The leads have been told."), "success")
    return redirect(editor_url(message))


@bp.route("/review/messages/<int:message_id>/approve", methods=["POST"])
@role_required(Role.LEAD)
def approve(message_id: int):
    message = _message_or_404(message_id)
    form = ApproveForm(prefix=f"approve-{message.id}")
    return _decide(
        message,
        "approve",
        form,
        lambda: services.approve(
            message,
            current_user,
            override_reason=form.override_reason.data or "",
            humor_acknowledged=bool(form.humor_acknowledged.data),
        ),
        field="override_reason",
    )


@bp.route("/review/messages/<int:message_id>/request-changes", methods=["POST"])
@role_required(Role.LEAD)
def request_changes(message_id: int):
    message = _message_or_404(message_id)
    form = ChangesForm(prefix=f"changes-{message.id}")
    return _decide(
        message,
        "changes",
        form,
        lambda: services.request_changes(message, current_user, form.comment.data or ""),
    )


@bp.route("/review/messages/<int:message_id>/reject", methods=["POST"])
@role_required(Role.LEAD)
def reject(message_id: int):
    message = _message_or_404(message_id)
    form = RejectForm(prefix=f"reject-{message.id}")
    return _decide(
        message, "reject", form, lambda: services.reject(message, current_user, form.comment.data or "")
    )


@bp.route("/review/messages/<int:message_id>/comment", methods=["POST"])
@login_required
def comment(message_id: int):
    message = _message_or_404(message_id)
    form = CommentForm(prefix=f"comment-{message.id}")
    if not form.validate_on_submit():
        return _render_message(message, {"comment": form})
    try:
        services.add_comment(message, current_user, form.body.data)
        if current_user.is_lead:
            services.mark_seen(message, current_user)
    except services.ReviewError as error:
        db.session.rollback()
        notifications.discard_pending_emails()
        form.body.errors.append(str(error))
        return _render_message(message, {"comment": form})
    _commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("review.message", message_id=message.id))


@bp.route("/review/messages/<int:message_id>/seen", methods=["POST"])
@role_required(Role.LEAD)
def mark_seen(message_id: int):
    message = _message_or_404(message_id)
    services.mark_seen(message, current_user)
    db.session.commit()
    flash(_("Marked as seen: next time you will see only what changed."), "success")
    return redirect(url_for("review.message", message_id=message.id))


# --- My messages ----------------------------------------------------------------------------------


@bp.route("/review/mine")
@login_required
def mine():
    status = request.args.get("status", "").strip()
    authored = select(MessageVersion.message_id).where(MessageVersion.author_id == current_user.id)
    submitted = select(ReviewRequest.message_id).where(ReviewRequest.submitted_by_id == current_user.id)
    query = _visible_messages().where(
        or_(Message.created_by_id == current_user.id, Message.id.in_(authored), Message.id.in_(submitted))
    )
    if status in set(MessageStatus):
        query = query.where(Message.status == status)
    page = paginate(
        query.order_by(Message.updated_at.desc(), Message.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=25,
    )
    rows = [(message, services.review_state(message), _reviewer_comments(message)) for message in page.items]
    return render_template(
        "review/mine.html",
        page=page,
        rows=rows,
        status=status,
        statuses=list(MessageStatus),
        status_label=services.status_label,
        editor_url=editor_url,
    )


# --- Notifications --------------------------------------------------------------------------------


@bp.route("/notifications", endpoint="notifications")
@login_required
def notifications_index():
    query = (
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=25)
    return render_template(
        "notifications/index.html", page=page, unread=notifications.unread_count(current_user)
    )


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@login_required
def notification_read(notification_id: int):
    note = _notification_or_404(notification_id)
    notifications.mark_read(note)
    db.session.commit()
    return redirect(url_for("review.notifications"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@login_required
def notification_open(notification_id: int):
    note = _notification_or_404(notification_id)
    notifications.mark_read(note)
    db.session.commit()
    target = note.link if note.link and note.link.startswith("/") and not note.link.startswith("//") else None
    return redirect(target or url_for("review.notifications"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def notifications_read_all():
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    flash(_("%(num)d notification(s) marked as read.", num=count), "success")
    return redirect(url_for("review.notifications"))


# --- Helpers --------------------------------------------------------------------------------------


def _visible_messages():
    """Messages of campaigns the signed-in person's organisation owns or takes part in."""
    return visible_messages(current_user.organisation_id)


def _visible_campaigns() -> list[Row[tuple[int, str]]]:
    """The id and title of each campaign the queue's filter offers (only what the menu shows)."""
    query = visible_campaigns(current_user.organisation_id).with_only_columns(Campaign.id, Campaign.title)
    return list(db.session.execute(query.order_by(Campaign.title)))


def _queue_languages() -> list[str]:
    query = (
        _visible_messages()
        .where(Message.status == MessageStatus.IN_REVIEW)
        .with_only_columns(Message.language)
        .distinct()
        .order_by(Message.language)
    )
    return list(db.session.scalars(query))


def _message_or_404(message_id: int) -> Message:
    message = db.session.get(Message, message_id)
    if message is None or message.current_version is None or not services.takes_part(current_user, message):
        abort(404)
    return message


def _notification_or_404(notification_id: int) -> Notification:
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != current_user.id:
        abort(404)
    return note


def _reviewer_comments(message: Message) -> list:
    return [comment for comment in message.comments if comment.author_id != current_user.id][-3:]


def _render_message(message: Message, forms: dict | None = None, status: int = 200):
    card = build_card(message, current_user, forms)
    return render_template("review/message.html", card=card, status_label=services.status_label), status


def _decide(message: Message, name: str, form, action: Callable[[], object], field: str = "comment"):
    """Validate a decision form, refuse decisions on text the reviewer did not see, apply and commit."""
    if not form.validate_on_submit():
        return _render_message(message, {name: form}, 422)
    if form.shown_version() != message.current_version_id:
        flash(_("The text changed while you were reading it. Review the new version below."), "error")
        return redirect(url_for("review.message", message_id=message.id))
    try:
        action()
        services.mark_seen(message, current_user)
    except services.ReviewError as error:
        db.session.rollback()
        notifications.discard_pending_emails()
        target = getattr(form, error.field or field, None) or getattr(form, field, None)
        if target is not None:
            target.errors = [*target.errors, str(error)]
        else:
            flash(str(error), "error")
        return _render_message(message, {name: form}, 422)
    _commit()
    flash(_decision_message(message, name), "success")
    if message.status == MessageStatus.APPROVED:  # the next step is scheduling: the page offers it
        return redirect(url_for("review.message", message_id=message.id))
    return redirect(url_for("review.queue"))


def _decision_message(message: Message, name: str) -> str:
    if name == "approve" and message.status == MessageStatus.APPROVED:
        return _("Approved. The message can now be scheduled.")
    if name == "approve":
        return _("Your approval is recorded. The message needs more approvals before it can be scheduled.")
    if name == "changes":
        return _("Sent back to the author with your comment.")
    return _("Rejected. The author has been told why.")


def _commit() -> None:
    """Commit, then e-mail the notifications this request created."""
    db.session.commit()
    notifications.send_pending_emails()
