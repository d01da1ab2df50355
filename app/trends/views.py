"""Trend pages: board, detail, create/edit, status, evidence, observations, CSV export."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from app.accounts.access import deny, get_or_404
from app.accounts.models import Organisation, User
from app.campaigns.models import Campaign, campaign_partners, campaign_trends
from app.common.pagination import paginate
from app.common.time import utcnow
from app.extensions import db
from app.trends import bp, services
from app.trends.charts import bar_chart, sparkline_points
from app.trends.exporting import board_csv
from app.trends.forms import (
    ACTION_LABELS,
    HALLMARK_LABELS,
    RABAT_LABELS,
    SEVERITY_CHOICES,
    STATUS_LABELS,
    EvidenceForm,
    ObservationCorrectionForm,
    ObservationForm,
    StatusForm,
    TrendForm,
)
from app.trends.models import RABAT_FACTORS, TARGET_GROUPS, Evidence, Observation, Trend, TrendStatus
from app.trends.queries import SORTS, BoardFilters, board_query

CHART_DAYS = 30


def _filters() -> BoardFilters:
    args = request.args
    sort = args.get("sort", "newest")
    return BoardFilters(
        status=args.get("status", "") if args.get("status") in set(TrendStatus) else "",
        severity=args.get("severity", type=int),
        target_group=args.get("target_group", ""),
        platform=args.get("platform", ""),
        language=args.get("language", ""),
        region=args.get("region", ""),
        q=args.get("q", "")[:200],
        sort=sort if sort in SORTS else "newest",
        organisation_id=args.get("organisation_id", type=int),
    )


@bp.route("/")
@login_required
def index():
    filters = _filters()
    today = utcnow().date()
    page = paginate(
        board_query(filters, today=today),
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["PAGE_SIZE"],
    )
    series = services.daily_series_for([t.id for t in page.items], days=14, today=today) if page.items else {}
    rows = [(t, sparkline_points(series[t.id]), services.week_change(series[t.id])) for t in page.items]
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "trends/index.html",
        page=page,
        rows=rows,
        filters=filters,
        statuses=STATUS_LABELS,
        severities=SEVERITY_CHOICES,
        groups=TARGET_GROUPS,
        organisations=organisations,
        any_filter=_any_filter(filters),
    )


def _any_filter(filters: BoardFilters) -> bool:
    return any(
        (
            filters.status,
            filters.severity,
            filters.target_group,
            filters.platform,
            filters.language,
            filters.region,
            filters.q,
            filters.organisation_id,
        )
    )


@bp.route("/export.csv")
@login_required
def export():
    trends = db.session.scalars(board_query(_filters(), today=utcnow().date()).limit(10_000)).all()
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        board_csv(trends),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="trends-{stamp}.csv"'},
    )


def _owner_choices() -> list[tuple[int, str]]:
    people = db.session.scalars(
        select(User)
        .where(User.organisation_id == current_user.organisation_id, User.is_active_user.is_(True))
        .order_by(User.name)
    )
    return [(0, _("Nobody yet"))] + [(u.id, u.name) for u in people]


def _owner(owner_id: int) -> User | None:
    if not owner_id:
        return None
    user = db.session.get(User, owner_id)
    return user if user is not None and user.organisation_id == current_user.organisation_id else None


def _attach_errors(form: TrendForm, errors: dict[str, str]) -> None:
    for field, message in errors.items():
        name = field.split(".")[0]
        if name == "rabat" and "." in field:
            factor = field.split(".")[1]
            name = f"rabat_{factor}_{'note' if field.endswith('note') else 'score'}"
        name = {"first_seen_at": "first_seen_on", "last_seen_at": "last_seen_on"}.get(name, name)
        target = form._fields.get(name, form.title)
        target.errors = [*target.errors, message]


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = TrendForm()
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.owner_id.data = current_user.id
    if form.validate_on_submit():
        try:
            trend = services.create_trend(
                current_user.organisation,
                form.to_data(),
                actor=current_user,
                owner=_owner(form.owner_id.data),
            )
        except services.TrendValidationError as error:
            _attach_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Trend “%(title)s” recorded.", title=trend.title), "success")
            return redirect(url_for("trends.detail", trend_id=trend.id))
    return render_template("trends/form.html", form=form, trend=None), 400 if form.errors else 200


def _editable_or_403(trend_id: int) -> Trend:
    trend = get_or_404(Trend, trend_id)
    if not services.can_edit(current_user, trend):
        deny("trend.edit_other_organisation", trend_id=trend.id)
    return trend


@bp.route("/<int:trend_id>/edit", methods=["GET", "POST"])
@login_required
def edit(trend_id: int):
    trend = _editable_or_403(trend_id)
    form = TrendForm()
    form.owner_id.choices = _owner_choices()
    if request.method == "GET":
        form.fill_from(trend)
    if form.validate_on_submit():
        try:
            changed = services.update_trend(trend, form.to_data(), actor=current_user, partial=False)
            services.set_owner(trend, _owner(form.owner_id.data), actor=current_user)
        except services.TrendValidationError as error:
            db.session.rollback()
            _attach_errors(form, error.errors)
        else:
            db.session.commit()
            flash(_("Trend saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("trends.detail", trend_id=trend.id))
    return render_template("trends/form.html", form=form, trend=trend), 400 if form.errors else 200


def _linked_campaigns(trend: Trend) -> list:
    """Campaigns answering this trend that the person's organisation takes part in."""

    org_id = current_user.organisation_id
    partner = select(campaign_partners.c.campaign_id).where(campaign_partners.c.organisation_id == org_id)
    query = (
        select(Campaign)
        .join(campaign_trends, campaign_trends.c.campaign_id == Campaign.id)
        .where(campaign_trends.c.trend_id == trend.id)
        .where(or_(Campaign.organisation_id == org_id, Campaign.id.in_(partner)))
        .order_by(Campaign.title)
    )
    return list(db.session.scalars(query))


@bp.route("/<int:trend_id>")
@login_required
def detail(trend_id: int):
    trend = get_or_404(Trend, trend_id)
    today = utcnow().date()
    series = services.daily_series(trend, days=CHART_DAYS, today=today)
    evidence = db.session.scalars(
        select(Evidence)
        .where(Evidence.trend_id == trend.id)
        .order_by(Evidence.captured_at.desc(), Evidence.id.desc())
        .limit(200)
    ).all()
    observations = db.session.scalars(
        select(Observation)
        .where(Observation.trend_id == trend.id)
        .order_by(Observation.observed_on.desc())
        .limit(60)
    ).all()
    editable = services.can_edit(current_user, trend)
    status_form = StatusForm()
    status_form.status.choices = [(s.value, STATUS_LABELS[s.value]) for s in services.allowed_statuses(trend)]
    return render_template(
        "trends/detail.html",
        trend=trend,
        chart=bar_chart(series),
        change=services.week_change(series),
        evidence=evidence,
        observations=observations,
        editable=editable,
        status_form=status_form,
        evidence_form=EvidenceForm(),
        observation_form=ObservationForm(source="manual", observed_on=today),
        campaigns=_linked_campaigns(trend),
        rabat_factors=RABAT_FACTORS,
        rabat_labels=RABAT_LABELS,
        hallmark_labels=HALLMARK_LABELS,
        status_labels=STATUS_LABELS,
        action_labels=ACTION_LABELS,
        chart_days=CHART_DAYS,
    )


@bp.route("/<int:trend_id>/status", methods=["POST"])
@login_required
def change_status(trend_id: int):
    trend = _editable_or_403(trend_id)
    form = StatusForm()
    form.status.choices = [(s.value, s.value) for s in services.allowed_statuses(trend)]
    if not form.validate_on_submit():
        flash(_("Choose one of the statuses offered."), "error")
        return redirect(url_for("trends.detail", trend_id=trend.id))
    try:
        services.change_status(trend, form.status.data, actor=current_user)
    except services.TrendError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("The trend is now %(status)s.", status=STATUS_LABELS[form.status.data]), "success")
    return redirect(url_for("trends.detail", trend_id=trend.id))


@bp.route("/<int:trend_id>/evidence", methods=["POST"])
@login_required
def add_evidence(trend_id: int):
    trend = _editable_or_403(trend_id)
    form = EvidenceForm()
    if form.validate_on_submit():
        item = _evidence_input(form)
        try:
            services.add_evidence(trend, item, actor=current_user)
        except services.TrendError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Evidence added behind the content warning."), "success")
            return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="evidence"))
    else:
        flash(_("The evidence was not added: %(errors)s", errors=_form_errors(form)), "error")
    return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="evidence"))


@bp.route("/<int:trend_id>/observations", methods=["POST"])
@login_required
def add_observation(trend_id: int):
    trend = _editable_or_403(trend_id)
    form = ObservationForm()
    if form.validate_on_submit():
        services.record_observations(
            trend,
            [(form.observed_on.data, form.count.data)],
            source=form.source.data or "manual",
            actor=current_user,
        )
        db.session.commit()
        flash(_("Count recorded for %(day)s.", day=form.observed_on.data.isoformat()), "success")
    else:
        flash(_("The count was not recorded: %(errors)s", errors=_form_errors(form)), "error")
    return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="volume"))


def _evidence_input(form: EvidenceForm, keep: Evidence | None = None) -> services.EvidenceInput:
    """The form's values; fields the form does not show keep what the evidence had."""
    captured = form.captured_on.data
    return services.EvidenceInput(
        excerpt=form.excerpt.data,
        url=form.url.data or None,
        platform=(form.platform.data or "").lower() or None,
        captured_at=datetime(captured.year, captured.month, captured.day, tzinfo=UTC) if captured else None,
        author_kind=form.author_kind.data,
        engagement=form.engagement.data,
        author_handle=keep.author_handle if keep else None,
        language=keep.language if keep else None,
        region=keep.region if keep else None,
    )


def _evidence_or_404(trend: Trend, evidence_id: int) -> Evidence:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.trend_id != trend.id:
        abort(404)
    return evidence


def _observation_or_404(trend: Trend, observation_id: int) -> Observation:
    observation = db.session.get(Observation, observation_id)
    if observation is None or observation.trend_id != trend.id:
        abort(404)
    return observation


@bp.route("/<int:trend_id>/evidence/<int:evidence_id>/edit", methods=["GET", "POST"])
@login_required
def edit_evidence(trend_id: int, evidence_id: int):
    trend = _editable_or_403(trend_id)
    evidence = _evidence_or_404(trend, evidence_id)
    form = EvidenceForm()
    if request.method == "GET":
        form.fill_from(evidence)
    if form.validate_on_submit():
        try:
            changed = services.update_evidence(
                evidence, _evidence_input(form, keep=evidence), actor=current_user
            )
        except services.TrendError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Evidence saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="evidence"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("trends/evidence_form.html", form=form, trend=trend, evidence=evidence), status


@bp.route("/<int:trend_id>/evidence/<int:evidence_id>/delete", methods=["POST"])
@login_required
def delete_evidence(trend_id: int, evidence_id: int):
    trend = _editable_or_403(trend_id)
    evidence = _evidence_or_404(trend, evidence_id)
    services.delete_evidence(evidence, actor=current_user)
    db.session.commit()
    flash(_("Evidence deleted."), "success")
    return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="evidence"))


@bp.route("/<int:trend_id>/observations/<int:observation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_observation(trend_id: int, observation_id: int):
    trend = _editable_or_403(trend_id)
    observation = _observation_or_404(trend, observation_id)
    form = ObservationCorrectionForm()
    if request.method == "GET":
        form.count.data = observation.count
    if form.validate_on_submit():
        try:
            changed = services.correct_observation(observation, form.count.data, actor=current_user)
        except services.TrendError as error:
            db.session.rollback()
            form.count.errors = [*form.count.errors, str(error)]
        else:
            db.session.commit()
            day = observation.observed_on.isoformat()
            flash(_("Count corrected for %(day)s.", day=day) if changed else _("Nothing changed."), "success")
            return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="volume"))
    status = 400 if form.errors else 200
    return render_template(
        "trends/observation_form.html", form=form, trend=trend, observation=observation
    ), status


@bp.route("/<int:trend_id>/observations/<int:observation_id>/delete", methods=["POST"])
@login_required
def delete_observation(trend_id: int, observation_id: int):
    trend = _editable_or_403(trend_id)
    observation = _observation_or_404(trend, observation_id)
    day = observation.observed_on.isoformat()
    services.delete_observation(observation, actor=current_user)
    db.session.commit()
    flash(_("The count for %(day)s is deleted.", day=day), "success")
    return redirect(url_for("trends.detail", trend_id=trend.id, _anchor="volume"))


def _form_errors(form) -> str:
    return "; ".join(
        f"{form[name].label.text}: {' '.join(str(m) for m in messages)}"
        for name, messages in form.errors.items()
        if name in form
    )


@bp.errorhandler(services.TrendError)
def trend_error(error: services.TrendError):
    db.session.rollback()
    flash(str(error), "error")
    return redirect(request.referrer or url_for("trends.index"))


from app.trends import import_views  # noqa: E402,F401  (the import wizard's routes, on this blueprint)
