"""Campaign pages: list, create, edit, overview, status, knowledge list."""

from __future__ import annotations

from collections import defaultdict

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import role_required
from app.accounts.models import Organisation, Role
from app.campaigns import bp, services
from app.campaigns.access import can_edit, editable_campaign, viewable_campaign
from app.campaigns.forms import STATUS_LABELS, CampaignForm, KnowledgeForm, StatusForm
from app.campaigns.models import CAMPAIGN_TRANSITIONS, Campaign, CampaignStatus, KnowledgeItem
from app.common.pagination import paginate
from app.drafting.forms import MESSAGE_STATUS_LABELS
from app.drafting.models import Message, MessageStatus
from app.drafting.versions import change_campaign_status
from app.extensions import db
from app.trends.models import Trend


@bp.route("/")
@role_required(Role.STAFF)
def index():
    status = request.args.get("status", "")
    search = request.args.get("q", "").strip()
    query = services.search_campaigns(current_user.organisation_id, status=status, search=search)
    per_page = current_app.config.get("PAGE_SIZE", 25)
    page = paginate(query, page=request.args.get("page", 1, type=int), per_page=per_page)
    return render_template(
        "campaigns/index.html", page=page, status=status, search=search, status_labels=STATUS_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.STAFF)
def new():
    form = _campaign_form(None)
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(_data(form), actor=current_user)
        except services.CampaignError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            flash(
                _(
                    "Campaign “%(title)s” created. Add vetted facts to its knowledge list next.",
                    title=campaign.title,
                ),
                "success",
            )
            return redirect(url_for("campaigns.knowledge", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None)


@bp.route("/<int:campaign_id>")
@role_required(Role.STAFF)
def detail(campaign_id: int):
    campaign = viewable_campaign(campaign_id)
    messages = db.session.scalars(
        select(Message).where(Message.campaign_id == campaign.id).order_by(Message.updated_at.desc())
    ).all()
    new_ids = _new_ids()
    # A batch just drafted comes first, in the drafter's ranking order (best to edit first).
    messages = sorted(messages, key=lambda m: new_ids.index(m.id) if m.id in new_ids else len(new_ids))
    grouped: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        grouped[str(message.status)].append(message)
    return render_template(
        "campaigns/detail.html",
        campaign=campaign,
        grouped=grouped,
        message_statuses=list(MessageStatus),
        can_edit=can_edit(campaign),
        next_statuses=sorted(CAMPAIGN_TRANSITIONS[CampaignStatus(campaign.status)]),
        status_labels=STATUS_LABELS,
        status_form=StatusForm(),
        message_status_labels=MESSAGE_STATUS_LABELS,
        new_ids=set(new_ids),
    )


def _new_ids() -> list[int]:
    """The messages a drafting request just created, best first (named in its redirect)."""
    return [int(part) for part in request.args.get("new", "").split(",")[:50] if part.isdigit()]


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@role_required(Role.STAFF)
def edit(campaign_id: int):
    campaign = editable_campaign(campaign_id)
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        try:
            services.update_campaign(campaign, _data(form), actor=current_user)
        except services.CampaignError as error:
            db.session.rollback()
            form.title.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Campaign saved."), "success")
            return redirect(url_for("campaigns.detail", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign)


@bp.route("/<int:campaign_id>/status", methods=["POST"])
@role_required(Role.STAFF)
def change_status(campaign_id: int):
    campaign = editable_campaign(campaign_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            change_campaign_status(campaign, CampaignStatus(form.status.data), actor=current_user)
        except services.CampaignError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("The campaign is now %(status)s.", status=STATUS_LABELS[campaign.status]), "success")
    return redirect(url_for("campaigns.detail", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/knowledge", methods=["GET", "POST"])
@role_required(Role.STAFF)
def knowledge(campaign_id: int):
    campaign = viewable_campaign(campaign_id)
    form = KnowledgeForm()
    if request.method == "POST":
        campaign = editable_campaign(campaign_id)
        if form.validate_on_submit():
            try:
                services.add_knowledge(
                    campaign,
                    text=form.text.data,
                    source_url=form.source_url.data,
                    language=form.language.data,
                    actor=current_user,
                )
            except services.CampaignError as error:
                db.session.rollback()
                form.text.errors.append(str(error))
            else:
                db.session.commit()
                flash(_("Fact added to the knowledge list."), "success")
                return redirect(url_for("campaigns.knowledge", campaign_id=campaign.id))
    return render_template(
        "campaigns/knowledge.html", campaign=campaign, form=form, can_edit=can_edit(campaign)
    )


@bp.route("/<int:campaign_id>/knowledge/<int:item_id>/remove", methods=["POST"])
@role_required(Role.STAFF)
def remove_knowledge(campaign_id: int, item_id: int):
    campaign = editable_campaign(campaign_id)
    services.remove_knowledge(campaign, _item(campaign, item_id), actor=current_user)
    db.session.commit()
    flash(_("Fact removed from the knowledge list."), "success")
    return redirect(url_for("campaigns.knowledge", campaign_id=campaign.id))


@bp.route("/<int:campaign_id>/knowledge/<int:item_id>/move", methods=["POST"])
@role_required(Role.STAFF)
def move_knowledge(campaign_id: int, item_id: int):
    campaign = editable_campaign(campaign_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    services.move_knowledge(campaign, _item(campaign, item_id), offset=offset, actor=current_user)
    db.session.commit()
    return redirect(url_for("campaigns.knowledge", campaign_id=campaign.id))


def _item(campaign: Campaign, item_id: int) -> KnowledgeItem:
    item = db.session.get(KnowledgeItem, item_id)
    if item is None or item.campaign_id != campaign.id:
        abort(404)
    return item


def _campaign_form(campaign: Campaign | None) -> CampaignForm:
    """The campaign form with this organisation's trends and the other organisations as choices."""
    form = CampaignForm(obj=campaign) if campaign else CampaignForm()
    trends = db.session.scalars(
        select(Trend).where(Trend.organisation_id == current_user.organisation_id).order_by(Trend.title)
    ).all()
    form.trend_ids.choices = [(t.id, t.title) for t in trends]
    others = db.session.scalars(
        select(Organisation)
        .where(Organisation.id != current_user.organisation_id)
        .order_by(Organisation.name)
    ).all()
    form.partner_ids.choices = [(o.id, o.name) for o in others]
    if campaign is not None and request.method == "GET":
        form.trend_ids.data = [t.id for t in campaign.trends]
        form.partner_ids.data = [o.id for o in campaign.partners]
        form.hashtags.data = " ".join(campaign.hashtags or [])
    elif campaign is None and request.method == "GET" and request.args.get("trend_id", type=int):
        form.trend_ids.data = [request.args.get("trend_id", type=int)]
    return form


def _data(form: CampaignForm) -> services.CampaignData:
    trends = db.session.scalars(select(Trend).where(Trend.id.in_(form.trend_ids.data or []))).all()
    partners = db.session.scalars(
        select(Organisation).where(Organisation.id.in_(form.partner_ids.data or []))
    ).all()
    return services.CampaignData(
        title=form.title.data,
        goal=form.goal.data or "",
        audience=form.audience.data or "",
        mode=form.mode.data,
        strategies=form.strategies.data or [],
        tone_notes=form.tone_notes.data or "",
        languages=form.languages.data or [],
        platforms=form.platforms.data or [],
        hashtags=(form.hashtags.data or "").split(),
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        requires_partner_approval=bool(form.requires_partner_approval.data),
        trends=list(trends),
        partners=list(partners),
    )
