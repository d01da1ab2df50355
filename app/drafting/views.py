"""Drafting pages: ask for drafts, the message editor with live checks, history and diffs, the checks page."""

from __future__ import annotations

import json
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import role_required
from app.accounts.models import Role
from app.campaigns.access import can_edit, viewable_campaign
from app.campaigns.models import Campaign
from app.campaigns.strategies import STRATEGIES
from app.campaigns.visibility import takes_part
from app.drafting import bp, services
from app.drafting.diff import diff_stats, highlight, word_diff
from app.drafting.forms import (
    MAX_TEXT,
    MESSAGE_STATUS_LABELS,
    AdaptForm,
    ChecksForm,
    CommentForm,
    DraftForm,
    EditForm,
    ReviseForm,
    TranslateForm,
)
from app.drafting.llm import DraftingError
from app.drafting.models import Message, MessageStatus, MessageVersion
from app.drafting.previews import PREVIEW_PLATFORMS, previews_for
from app.drafting.provenance import provenance
from app.drafting.second_pass import RULE_LABELS
from app.extensions import db
from app.notifications import discard_pending_emails
from app.platforms import TABLE as PLATFORM_TABLE
from app.platforms import label as platform_label
from app.review import services as review_services
from app.trends.models import Trend
from app.trends.queries import picker_choices

NO_PLATFORM = ["mastodon"]


# --- Asking for drafts ----------------------------------------------------------------------


@bp.route("/campaigns/<int:campaign_id>/draft", methods=["GET", "POST"])
@role_required(Role.STAFF)
def draft(campaign_id: int):
    campaign = viewable_campaign(campaign_id)
    form = _draft_form(campaign)
    error = None
    if campaign.trends and form.validate_on_submit():
        try:
            result = services.draft_messages(
                campaign,
                trend=_campaign_trend(campaign, form.trend_id.data) or abort(400),
                strategies=form.strategies.data or [],
                language=form.language.data,
                platforms=form.platforms.data,
                count=form.count.data,
                actor=current_user,
            )
        except (DraftingError, services.DraftInputError) as failure:
            db.session.rollback()
            error = getattr(failure, "message", None) or str(failure)
        else:
            db.session.commit()
            flash(_("%(num)d new drafts. Open one to edit it.", num=len(result.messages)), "success")
            for note in result.notes:
                flash(note, "info")
            if result.order_note:
                flash(result.order_note, "info")
            new = ",".join(str(m.id) for m in result.messages)
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id, new=new, _anchor="drafts"))
    settings = services.llm_settings()
    return render_template(
        "drafting/draft.html",
        campaign=campaign,
        form=form,
        error=error,
        is_offline=not settings.is_configured,
        model=settings.model,
        allowed=(allowed := _allowed_by_trend(campaign)),
        trends_allowing={key: [t.id for t, keys in allowed if key in keys] for key in STRATEGIES},
        chosen_allowed=next((keys for t, keys in allowed if t.id == form.trend_id.data), []),
    )


def _draft_form(campaign: Campaign) -> DraftForm:
    form = DraftForm()
    form.trend_id.choices = [(t.id, t.title) for t in campaign.trends]
    trend = _campaign_trend(campaign, form.trend_id.data) if form.trend_id.data else None
    trend = trend or (campaign.trends[0] if campaign.trends else None)
    form.strategies.choices = [(key, _(STRATEGIES[key].label)) for key in _all_allowed(campaign)]
    platforms = campaign.platforms or NO_PLATFORM
    form.platforms.choices = [(p, platform_label(p)) for p in platforms]
    if request.method == "GET":
        form.platforms.data = list(platforms)
        form.language.data = (campaign.languages or ["en"])[0]
        if trend is not None:
            form.trend_id.data = request.args.get("trend_id", trend.id, type=int)
    return form


def _all_allowed(campaign: Campaign) -> list[str]:
    """Every strategy some linked trend allows, so the form can offer them all."""
    keys: list[str] = []
    for trend in campaign.trends:
        keys += [k for k in services.strategy_choices(campaign, trend) if k not in keys]
    return [k for k in STRATEGIES if k in keys]


def _allowed_by_trend(campaign: Campaign) -> list[tuple[Trend, list[str]]]:
    return [(t, services.strategy_choices(campaign, t)) for t in campaign.trends]


def _campaign_trend(campaign: Campaign, trend_id: int | None) -> Trend | None:
    return next((t for t in campaign.trends if t.id == trend_id), None)


# --- The editor -----------------------------------------------------------------------------


def _message_or_404(message_id: int) -> Message:
    """A message of a campaign the person's organisation takes part in, else 404."""
    message = db.session.get(Message, message_id)
    if message is None or not takes_part(current_user.organisation_id, message.campaign_id):
        abort(404)
    return message


@bp.route("/messages/<int:message_id>")
@role_required(Role.STAFF)
def editor(message_id: int):
    message = _message_or_404(message_id)
    return _render_editor(message)


@bp.route("/messages/<int:message_id>", methods=["POST"])
@role_required(Role.STAFF)
def save(message_id: int):
    message = _message_or_404(message_id)
    form = EditForm()
    variants = _posted_variants(message)
    if not form.validate_on_submit():
        return _render_editor(message, edit_form=form, variants=variants), 422
    was_in_review = message.status == MessageStatus.IN_REVIEW
    try:
        version = services.save_human_edit(
            message, text=form.text.data, variants=variants, actor=current_user
        )
    except services.DraftInputError as error:
        db.session.rollback()
        form.text.errors.append(str(error))
        return _render_editor(message, edit_form=form, variants=variants), 422
    if was_in_review and version is not None:
        review_services.tell_reviewers_of_withdrawal(message, current_user)
    db.session.commit()
    if request.form.get("then") == "submit":
        return _submit_after_save(message, version)
    if version is None:
        flash(_("Nothing changed, so no new version was saved."), "info")
    elif version.has_errors:
        flash(
            _(
                "Saved as version %(num)d. Fix the errors marked in red before submitting.",
                num=version.number,
            ),
            "warning",
        )
    else:
        flash(_("Saved as version %(num)d.", num=version.number), "success")
    # Back where the person was: the next step after saving is the checks and the submit button.
    return redirect(url_for("drafting.editor", message_id=message.id, _anchor="checks"))


def _submit_after_save(message: Message, version: MessageVersion | None):
    """ "Save and submit": the saved text goes to review at once when the checks are clear."""
    if version is not None and version.has_errors:
        flash(
            _("Saved as version %(num)d, not submitted: fix the errors marked in red.", num=version.number),
            "error",
        )
        return redirect(url_for("drafting.editor", message_id=message.id, _anchor="checks"))
    try:
        review_services.submit(message, current_user)
    except review_services.ReviewError as error:
        db.session.rollback()
        discard_pending_emails()
        flash(str(error), "error")
        return redirect(url_for("drafting.editor", message_id=message.id, _anchor="checks"))
    db.session.commit()
    flash(_("Saved and sent for review. The leads have been told."), "success")
    return redirect(url_for("drafting.editor", message_id=message.id))


@bp.route("/messages/<int:message_id>/check", methods=["POST"])
@role_required(Role.STAFF)
def check(message_id: int):
    """The live findings partial for the text being typed (htmx)."""
    message = _message_or_404(message_id)
    text = request.form.get("text", "")
    variants = _posted_variants(message)
    if max(len(text), *(len(v) for v in variants.values()), 0) > MAX_TEXT:
        # Capped before any work: the checks never run on a text the form would refuse to save.
        return render_template("drafting/_too_long.html", limit=MAX_TEXT)
    results = services.check_platforms(
        text,
        variants,
        platforms=message.campaign.platforms or NO_PLATFORM,
        language=message.language,
        context=services.check_context(message.trend, message.campaign, message),
    )
    current = message.current_version
    is_unsaved = current is None or current.text != text.replace("\r\n", "\n").strip()
    return render_template(
        "drafting/_live_checks.html",
        message=message,
        actions=services.available_actions(message),
        results=(shown := _with_segments(results)),
        findings=unique_findings(shown),
        channel_lengths=_channel_lengths(message, text, variants),
        live_errors=any(r.has_errors for r in results),
        is_unsaved=is_unsaved,
    )


@bp.route("/messages/<int:message_id>/revise", methods=["POST"])
@role_required(Role.STAFF)
def revise(message_id: int):
    message = _message_or_404(message_id)
    form = ReviseForm()
    form.validate()
    return _rewrite(
        message,
        lambda: services.revise(
            message,
            actor=current_user,
            preset=form.preset.data or None,
            instruction=form.instruction.data or "",
        ),
        revise_form=form,
    )


@bp.route("/messages/<int:message_id>/adapt", methods=["POST"])
@role_required(Role.STAFF)
def adapt(message_id: int):
    message = _message_or_404(message_id)
    form = AdaptForm()
    form.platform.choices = _platform_choices(message)
    if not form.validate_on_submit():
        return _render_editor(message, adapt_form=form), 422
    return _rewrite(
        message,
        lambda: services.adapt(message, platform=form.platform.data, actor=current_user),
        adapt_form=form,
    )


@bp.route("/messages/<int:message_id>/translate", methods=["POST"])
@role_required(Role.STAFF)
def translate(message_id: int):
    message = _message_or_404(message_id)
    form = TranslateForm()
    if not form.validate_on_submit():
        return _render_editor(message, translate_form=form), 422
    return _rewrite(
        message,
        lambda: services.translate(message, target_language=form.target_language.data, actor=current_user),
        translate_form=form,
    )


def _rewrite(message: Message, action, **forms: Any):
    """Run a revise/adapt/translate; on failure keep the draft and what was typed, and say why."""
    try:
        result = action()
    except (DraftingError, services.DraftInputError) as failure:
        db.session.rollback()
        error = getattr(failure, "message", None) or str(failure)
        return _render_editor(message, rewrite_error=error, **forms), 422  # reloads after the rollback
    db.session.commit()
    if result.message is not None:
        flash(_("Translated into a new message. Check it before submitting."), "success")
        return redirect(url_for("drafting.editor", message_id=result.message.id))
    if result.version is None:
        flash(result.notice or _("The text did not change."), "info")
    else:
        flash(_("New version %(num)d saved.", num=result.version.number), "success")
    return redirect(url_for("drafting.editor", message_id=message.id))


@bp.route("/messages/<int:message_id>/comments", methods=["POST"])
@role_required(Role.STAFF)
def comment(message_id: int):
    message = _message_or_404(message_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_editor(message, comment_form=form), 422
    try:
        review_services.add_comment(message, current_user, form.body.data or "")
    except review_services.ReviewError as error:
        db.session.rollback()
        form.body.errors = [*form.body.errors, str(error)]
        return _render_editor(message, comment_form=form), 422  # reloads after the rollback
    db.session.commit()
    flash(_("Comment added."), "success")
    return redirect(url_for("drafting.editor", message_id=message.id, _anchor="comments"))


@bp.route("/messages/<int:message_id>/archive", methods=["POST"])
@role_required(Role.STAFF)
def archive(message_id: int):
    message = _message_or_404(message_id)
    try:
        services.archive_message(message, actor=current_user)
    except services.DraftInputError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("Message archived."), "success")
    return redirect(url_for("campaigns.detail", campaign_id=message.campaign_id))


@bp.route("/messages/<int:message_id>/diff")
@role_required(Role.STAFF)
def diff(message_id: int):
    message = _message_or_404(message_id)
    versions = {v.number: v for v in message.versions}
    if not versions:
        abort(404)
    newest = max(versions)
    old = versions.get(request.args.get("from", type=int) or 0) or versions[min(versions)]
    new = versions.get(request.args.get("to", type=int) or 0) or versions[newest]
    parts = word_diff(old.text, new.text)
    variant_diffs = [
        (platform, word_diff((old.variants or {}).get(platform, ""), (new.variants or {}).get(platform, "")))
        for platform in sorted(set(old.variants or {}) | set(new.variants or {}))
    ]
    return render_template(
        "drafting/diff.html",
        message=message,
        old=old,
        new=new,
        parts=parts,
        stats=diff_stats(parts),
        variant_diffs=variant_diffs,
        versions=message.versions,
    )


def _render_editor(message: Message, **overrides: Any) -> str:
    version = message.current_version
    variants = overrides.pop("variants", None)
    if variants is None:
        variants = dict(version.variants or {}) if version else {}
    edit_form = overrides.pop("edit_form", None) or EditForm(formdata=None, text=message.text)
    adapt_form = overrides.pop("adapt_form", None) or AdaptForm(formdata=None)
    adapt_form.platform.choices = _platform_choices(message)
    platforms = message.campaign.platforms or NO_PLATFORM
    stored = (version.findings or {}) if version else {}
    missing = [p for p in platforms if p not in stored]  # platforms added to the campaign since the save
    fresh = (
        services.check_platforms(
            message.text,
            variants,
            platforms=missing,
            language=message.language,
            context=services.check_context(message.trend, message.campaign, message),
        )
        if missing
        else []
    )
    results = [
        services.PlatformCheck(p, variants.get(p) or message.text, stored[p], _report_errors(stored[p]))
        for p in platforms
        if p in stored
    ] + fresh
    view = provenance(message)
    context = {
        "message": message,
        "campaign": message.campaign,
        "version": version,
        "variants": variants,
        "platforms": platforms,
        "previews": _previews(message, platforms, variants),
        "platform_labels": {key: row.label for key, row in PLATFORM_TABLE.items()},
        "results": (shown := _with_segments(results)),
        "findings": unique_findings(shown),
        "channel_lengths": _channel_lengths(message, message.text, variants),
        "edit_form": edit_form,
        "adapt_form": adapt_form,
        "revise_form": overrides.pop("revise_form", None) or ReviseForm(formdata=None),
        "translate_form": overrides.pop("translate_form", None) or TranslateForm(formdata=None),
        "comment_form": overrides.pop("comment_form", None) or CommentForm(formdata=None),
        "provenance": view,
        "original": view.original,
        "actions": services.available_actions(message),
        "is_editable": "edit" in services.available_actions(message),
        "strategy_label": services.strategy_label(message.strategy),
        "live_errors": False,
        "is_unsaved": False,
        "message_status_labels": MESSAGE_STATUS_LABELS,
        "can_edit_campaign": can_edit(message.campaign),
        "is_offline": not services.llm_settings().is_configured,
        "review_rule_labels": RULE_LABELS,
    }
    context.update(overrides)
    return render_template("drafting/editor.html", **context)


def _report_errors(report: dict[str, Any]) -> bool:
    return any(f.get("severity") == "error" for f in report.get("findings", []))


def _with_segments(results: list[services.PlatformCheck]) -> list[dict[str, Any]]:
    return [
        {
            "platform": r.platform,
            "label": platform_label(r.platform),
            "length": r.length,
            "findings": r.findings,
            "has_errors": r.has_errors,
            "segments": highlight(r.text, r.findings),
        }
        for r in results
    ]


def _channel_lengths(message: Message, text: str, variants: dict[str, str]) -> list[Any]:
    """The text (or its variant) counted by each channel whose server counts its own way.

    Only channels of organisations taking part in the campaign: those are where it may go.
    """
    from app.channels.services import channel_length, channels_counting_their_own_way

    campaign = message.campaign
    taking_part = {campaign.organisation_id, *(organisation.id for organisation in campaign.partners)}
    measured = (
        channel_length((variants.get(c.platform) or "").strip() or text, c)
        for c in channels_counting_their_own_way(list(campaign.platforms or []))
        if c.organisation_id in taking_part
    )
    return [m for m in measured if m is not None]


def _previews(message: Message, platforms: list[str], variants: dict[str, str]):
    """The saved text as the campaign's platforms show it; all three previewable ones when none is chosen."""
    shown = [p for p in platforms if p in PREVIEW_PLATFORMS] or list(PREVIEW_PLATFORMS)
    return previews_for({p: variants.get(p) or message.text for p in shown})


def unique_findings(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each finding once, with the platforms it concerns (none listed when it concerns them all)."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for result in results:
        for finding in result["findings"]:
            key = _finding_identity(finding)
            entry = found.setdefault(key, {**finding, "platforms": []})
            entry["platforms"].append(result["label"])
    for entry in found.values():
        if len(entry["platforms"]) == len(results):
            entry["platforms"] = []
    return sorted(found.values(), key=lambda f: f.get("severity") != "error")


def _finding_identity(finding: dict[str, Any]) -> tuple[str, ...]:
    """What makes two platforms' findings the same one: code, message key and parameters (or old text)."""
    params = json.dumps(finding.get("params") or {}, sort_keys=True)
    return (
        str(finding.get("code", "")),
        str(finding.get("variant", "")),
        params,
        str(finding.get("message", "")),
    )


def _posted_variants(message: Message) -> dict[str, str]:
    return {p: request.form.get(f"variant-{p}", "") for p in message.campaign.platforms or []}


def _platform_choices(message: Message) -> list[tuple[str, str]]:
    return [(p, platform_label(p)) for p in message.campaign.platforms or NO_PLATFORM]


# --- The checks page ------------------------------------------------------------------------


@bp.route("/checks", methods=["GET", "POST"])
@role_required(Role.STAFF)
def checks_page():
    form = ChecksForm()
    keep = [request.form.get("trend_id", 0, type=int)] if request.method == "POST" else []
    choices = picker_choices(current_user.organisation_id, keep=[i for i in keep if i])
    form.trend_id.choices = [(0, _("No trend")), *choices]
    results = None
    if form.validate_on_submit():
        trend = db.session.scalar(
            select(Trend).where(
                Trend.id == form.trend_id.data, Trend.organisation_id == current_user.organisation_id
            )
        )
        checked = services.check_platforms(
            form.text.data,
            {},
            platforms=form.platforms.data,
            language=form.language.data,
            context=services.check_context(trend, None),
        )
        results = _with_segments(checked)
    template = "checks/_results.html" if request.headers.get("HX-Request") else "checks/index.html"
    return render_template(template, form=form, results=results)
