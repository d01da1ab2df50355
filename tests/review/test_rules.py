"""Approval rules: never the author, no errors, warnings need a reason, humour a sign-off, quorum, expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.campaigns.models import CampaignStatus
from app.common.time import utcnow
from app.drafting.models import Approval, MessageStatus, MessageVersion
from app.extensions import db
from app.review import services
from app.trends.models import TrendStatus
from tests.review.conftest import CLEAN_TEXTS, ERROR_TEXT, WARNING_TEXT


def refused(app, call) -> str:
    """Run a service call that must be refused; return the message people would read."""
    with pytest.raises(services.ReviewError) as error:
        call()
    db.session.rollback()
    with app.test_request_context():
        return str(error.value)


def test_the_author_of_the_current_version_never_approves(app, make_message, staff, lead, lead2, edit):
    message = make_message(author=staff)
    edit(message, CLEAN_TEXTS[1], lead)  # the lead edits: now the lead is the current version's author
    services.submit(message, staff)
    db.session.commit()
    assert "another lead" in refused(app, lambda: services.approve(message, lead))
    services.approve(message, lead2)
    assert message.status == MessageStatus.APPROVED


def test_the_creator_never_approves_even_after_someone_else_edited(
    app, make_message, lead, lead2, staff, edit
):
    message = make_message(author=lead)
    edit(message, CLEAN_TEXTS[2], staff)
    services.submit(message, staff)
    db.session.commit()
    assert "another lead" in refused(app, lambda: services.approve(message, lead))
    assert message.status == MessageStatus.IN_REVIEW


def test_whoever_wrote_an_earlier_version_never_approves(app, make_message, staff, lead, lead2, edit):
    """A lead rewrites version 2, someone else adds "!": the lead still wrote part of it."""
    message = make_message(author=staff)
    edit(message, CLEAN_TEXTS[1], lead)
    edit(message, CLEAN_TEXTS[1] + "!", staff)
    services.submit(message, staff)
    db.session.commit()
    assert "another lead" in refused(app, lambda: services.approve(message, lead))
    assert lead not in services.eligible_reviewers(message)
    services.approve(message, lead2)
    assert message.status == MessageStatus.APPROVED


def test_an_error_finding_blocks_submission_and_approval(app, make_message, staff, lead):
    message = make_message(ERROR_TEXT)
    assert message.current_version.has_errors
    assert "error" in refused(app, lambda: services.submit(message, staff))
    message.status = MessageStatus.IN_REVIEW  # even if it got there, no approval
    db.session.commit()
    assert "error" in refused(app, lambda: services.approve(message, lead))
    assert db.session.scalar(select(Approval)) is None


def test_a_warning_needs_a_written_reason(app, make_message, staff, lead):
    message = make_message(WARNING_TEXT)
    services.submit(message, staff)
    db.session.commit()
    assert "warnings" in refused(app, lambda: services.approve(message, lead, override_reason="  "))
    approval = services.approve(message, lead, override_reason="The town hall account is an institution.")
    db.session.commit()
    assert approval.warning_override_reason == "The town hall account is an institution."
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message.approved")).one()
    assert event.details["override_reason"] == "The town hall account is an institution."
    assert event.details["hash"] == message.current_version.content_hash


def test_humour_needs_an_explicit_acknowledgement(app, make_message, staff, lead):
    message = make_message(CLEAN_TEXTS[3], strategy="humor")
    services.submit(message, staff)
    db.session.commit()
    assert "Humour" in refused(app, lambda: services.approve(message, lead))
    approval = services.approve(message, lead, humor_acknowledged=True)
    assert approval.humor_acknowledged is True
    assert message.status == MessageStatus.APPROVED


def test_two_distinct_leads_when_configured(app, make_message, staff, lead, lead2):
    app.config["COUNTERPOINT_APPROVALS_REQUIRED"] = 2
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    db.session.commit()
    assert message.status == MessageStatus.IN_REVIEW
    assert not services.is_approved_for_publishing(message, message.current_version)
    assert "already approved" in refused(app, lambda: services.approve(message, lead))
    services.approve(message, lead2)
    db.session.commit()
    assert message.status == MessageStatus.APPROVED
    assert services.is_approved_for_publishing(message, message.current_version)


def test_partner_approval_when_the_campaign_requires_it(make_message, campaign, staff, lead, partner_lead):
    campaign.requires_partner_approval = True
    db.session.commit()
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    db.session.commit()
    standing = services.quorum(message, message.current_version)
    assert message.status == MessageStatus.IN_REVIEW
    assert [org.slug for org in standing.missing_partners] == ["partner-ngo"]
    services.approve(message, partner_lead)
    db.session.commit()
    assert message.status == MessageStatus.APPROVED


def test_request_changes_and_reject_need_words(app, make_message, staff, lead):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    assert "change" in refused(app, lambda: services.request_changes(message, lead, " "))
    assert "rejected" in refused(app, lambda: services.reject(message, lead, ""))
    assert message.status == MessageStatus.IN_REVIEW


def test_resubmitting_after_a_change_request_needs_an_edit(app, make_message, staff, lead, edit):
    message = make_message()
    services.submit(message, staff)
    services.request_changes(message, lead, "Name the food bank.")
    db.session.commit()
    assert "Edit the text" in refused(app, lambda: services.submit(message, staff))
    edit(message, CLEAN_TEXTS[1], staff)
    services.submit(message, staff)
    assert message.status == MessageStatus.IN_REVIEW


def test_a_change_request_voids_partial_approvals(app, make_message, staff, lead, lead2):
    app.config["COUNTERPOINT_APPROVALS_REQUIRED"] = 2
    message = make_message()
    services.submit(message, staff)
    first = services.approve(message, lead)
    services.request_changes(message, lead2, "One more pass, please.")
    db.session.commit()
    assert first.revoked_reason == "changes_requested"


def test_staff_can_never_set_approved(app, make_message, staff, partner_staff):
    message = make_message(author=partner_staff)
    services.submit(message, partner_staff)
    db.session.commit()
    assert "leads" in refused(app, lambda: services.approve(message, staff))
    assert message.status == MessageStatus.IN_REVIEW


def test_a_lead_of_another_organisation_cannot_decide(app, make_message, staff, outsider_lead):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    for call in (
        lambda: services.approve(message, outsider_lead),
        lambda: services.request_changes(message, outsider_lead, "No"),
        lambda: services.reject(message, outsider_lead, "No"),
    ):
        assert "does not take part" in refused(app, call)


def test_a_tampered_text_is_not_approved_for_publishing(make_message, staff, lead):
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    db.session.commit()
    version = message.current_version
    assert services.is_approved_for_publishing(message, version)
    db.session.execute(update(MessageVersion).where(MessageVersion.id == version.id).values(text="Changed."))
    db.session.commit()
    db.session.expire_all()
    assert not services.is_approved_for_publishing(message, db.session.get(MessageVersion, version.id))


def test_approvals_expire_when_the_trend_closes(make_message, trend, staff, lead):
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    db.session.commit()
    assert services.expire_approvals(utcnow()) == 0
    trend.status = TrendStatus.CLOSED
    db.session.commit()

    assert services.expire_approvals(utcnow()) == 1
    db.session.commit()

    approval = db.session.scalars(select(Approval)).one()
    assert approval.revoked_reason == "trend_closed"
    assert services.review_state(message) == "expired"
    assert not services.is_approved_for_publishing(message, message.current_version)
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "message.approval_expired" in actions


@pytest.mark.parametrize("how", ["ends_on", "completed"])
def test_approvals_expire_when_the_campaign_ends(make_message, campaign, staff, lead, how):
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    db.session.commit()
    if how == "ends_on":
        campaign.ends_on = date.today() - timedelta(days=2)
    else:
        campaign.status = CampaignStatus.COMPLETED
    db.session.commit()
    assert not services.is_approved_for_publishing(message, message.current_version)
    assert services.expire_approvals(utcnow()) == 1
    assert db.session.scalars(select(Approval)).one().revoked_reason == "campaign_ended"
    assert services.review_state(message) == "expired"


def test_no_approval_while_the_trend_is_closed(app, make_message, trend, staff, lead):
    message = make_message()
    services.submit(message, staff)
    trend.status = TrendStatus.CLOSED
    db.session.commit()
    assert "closed" in refused(app, lambda: services.approve(message, lead))


def test_the_worker_tick_expires_approvals(make_message, trend, staff, lead):
    from app.review.tasks import expire_approvals_tick
    from app.worker import TASKS

    assert expire_approvals_tick in TASKS
    message = make_message()
    services.submit(message, staff)
    services.approve(message, lead)
    trend.status = TrendStatus.CLOSED
    db.session.commit()
    assert expire_approvals_tick() == 1
    db.session.expire_all()
    assert services.review_state(message) == "expired"
