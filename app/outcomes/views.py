"""Report pages per campaign and per trend, their CSV, and counts typed in for a post."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.accounts.access import deny, get_or_404, role_required
from app.accounts.models import Role
from app.campaigns.access import viewable_campaign
from app.campaigns.strategies import STRATEGIES
from app.common.time import utcnow
from app.extensions import db
from app.outcomes.charts import report_chart
from app.outcomes.exporting import report_csv
from app.outcomes.forms import EngagementForm
from app.outcomes.models import EngagementSample, SampleSource
from app.outcomes.reports import MIN_POSTS_TO_COMPARE, Report, campaign_report, trend_report
from app.outcomes.services import Counts, EngagementError, can_record, record_counts
from app.publishing.models import Post, PostStatus
from app.trends.models import Trend

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


@bp.route("/campaigns/<int:campaign_id>")
@role_required(Role.STAFF)
def campaign(campaign_id: int):
    campaign = viewable_campaign(campaign_id)
    report = campaign_report(campaign, today=_today())
    csv_url = url_for("outcomes.campaign_csv", campaign_id=campaign.id)
    return _render(report, back=url_for("campaigns.detail", campaign_id=campaign.id), csv_url=csv_url)


@bp.route("/campaigns/<int:campaign_id>.csv")
@role_required(Role.STAFF)
def campaign_csv(campaign_id: int):
    campaign = viewable_campaign(campaign_id)
    return _csv(campaign_report(campaign, today=_today()), f"campaign-{campaign.id}-report.csv")


@bp.route("/trends/<int:trend_id>")
@role_required(Role.STAFF)
def trend(trend_id: int):
    trend = get_or_404(Trend, trend_id)
    report = trend_report(trend, current_user.organisation_id, today=_today())
    csv_url = url_for("outcomes.trend_csv", trend_id=trend.id)
    return _render(report, back=url_for("trends.detail", trend_id=trend.id), csv_url=csv_url)


@bp.route("/trends/<int:trend_id>.csv")
@role_required(Role.STAFF)
def trend_csv(trend_id: int):
    trend = get_or_404(Trend, trend_id)
    report = trend_report(trend, current_user.organisation_id, today=_today())
    return _csv(report, f"trend-{trend.id}-report.csv")


@bp.route("/posts/<int:post_id>/engagement", methods=["GET", "POST"])
@role_required(Role.STAFF)
def record(post_id: int):
    post = get_or_404(Post, post_id)
    if not can_record(current_user, post):
        if post.channel.organisation_id != current_user.organisation_id:
            abort(404)
        deny("engagement.not_allowed", post=post.id)
    form = EngagementForm()
    if form.validate_on_submit():
        counts = Counts(form.likes.data, form.reposts.data, form.replies.data, form.quotes.data)
        try:
            record_counts(post, counts, actor=current_user, source=SampleSource.MANUAL)
        except EngagementError as exc:
            flash(_(str(exc)), "error")
        else:
            db.session.commit()
            flash(_("Counts recorded."), "success")
            return redirect(url_for("outcomes.campaign", campaign_id=post.message.campaign_id))
    history = db.session.scalars(
        select(EngagementSample)
        .where(EngagementSample.post_id == post.id)
        .order_by(EngagementSample.collected_at.desc())
    ).all()
    return render_template(
        "outcomes/record.html",
        post=post,
        form=form,
        history=history,
        is_posted=post.status == PostStatus.POSTED,
        zone=current_user.organisation.time_zone,
    )


def _render(report: Report, *, back: str, csv_url: str) -> str:
    return render_template(
        "outcomes/report.html",
        report=report,
        chart=report_chart(report.series),
        back=back,
        csv_url=csv_url,
        strategies=STRATEGIES,
        min_posts=MIN_POSTS_TO_COMPARE,
        zone=current_user.organisation.time_zone,
    )


def _csv(report: Report, filename: str) -> Response:
    body = report_csv(report, current_user.organisation.time_zone)
    return Response(
        "\ufeff" + body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _today():
    return utcnow().date()
