"""Property-based state machine over draft, edit, submit, approve, request changes, reject and schedule."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from app.drafting.models import Approval, MessageStatus, VersionSource, content_hash
from app.drafting.versions import create_message, save_version
from app.extensions import db
from app.review import services
from tests.review.conftest import CLEAN_TEXTS, ERROR_TEXT

TEXTS = (*CLEAN_TEXTS, ERROR_TEXT)
EDITABLE = {
    MessageStatus.DRAFT,
    MessageStatus.IN_REVIEW,
    MessageStatus.CHANGES_REQUESTED,
    MessageStatus.APPROVED,
}


@pytest.mark.parametrize("required", [1, 2])
def test_review_state_machine(app, campaign, trend, staff, lead, lead2, partner_lead, required):
    app.config["COUNTERPOINT_APPROVALS_REQUIRED"] = required
    people = (staff, lead, lead2, partner_lead)
    reached: dict[str, int] = {"approved": 0, "scheduled": 0, "refused": 0}
    person = st.sampled_from(people)

    class ReviewMachine(RuleBasedStateMachine):
        @initialize(
            text=st.sampled_from(TEXTS), author=person, strategy=st.sampled_from(["alternative", "humor"])
        )
        def draft(self, text, author, strategy):
            self.message = create_message(
                campaign=campaign,
                trend=trend,
                strategy=strategy,
                language="en",
                text=text,
                source=VersionSource.AI,
                author=author,
            )
            db.session.commit()
            self.scheduled: list[str] = []

        @property
        def status(self) -> MessageStatus | None:
            message = getattr(self, "message", None)
            return MessageStatus(message.status) if message is not None else None

        def attempt(self, call) -> bool:
            try:
                call()
            except services.ReviewError:
                db.session.rollback()
                reached["refused"] += 1
                return False
            db.session.commit()
            return True

        @rule(text=st.sampled_from(TEXTS), author=person)
        def edit(self, text, author):
            before = MessageStatus(self.message.status)
            if before not in EDITABLE:
                return
            save_version(self.message, text=text, variants={}, source=VersionSource.HUMAN, author=author)
            db.session.commit()
            if before in (MessageStatus.APPROVED, MessageStatus.IN_REVIEW):
                assert self.message.status == MessageStatus.DRAFT

        @precondition(lambda self: self.status in (MessageStatus.DRAFT, MessageStatus.CHANGES_REQUESTED))
        @rule(actor=person)
        def submit(self, actor):
            had_errors = self.message.current_version.has_errors
            if self.attempt(lambda: services.submit(self.message, actor)):
                assert not had_errors
                assert self.message.status == MessageStatus.IN_REVIEW

        @precondition(lambda self: self.status == MessageStatus.IN_REVIEW)
        @rule(
            actor=person, reason=st.sampled_from(["", "The handle is an institution."]), humor=st.booleans()
        )
        def approve(self, actor, reason, humor):
            version = self.message.current_version
            was = MessageStatus(self.message.status)
            if self.attempt(
                lambda: services.approve(
                    self.message, actor, override_reason=reason, humor_acknowledged=humor
                )
            ):
                assert was == MessageStatus.IN_REVIEW
                assert actor.id not in {version.author_id, self.message.created_by_id}
                assert not version.has_errors
                assert humor or self.message.strategy != "humor"

        @precondition(lambda self: self.status in (MessageStatus.DRAFT, MessageStatus.CHANGES_REQUESTED))
        @rule(submitter=person, approvers=st.lists(person, min_size=1, max_size=len(people), unique=True))
        def submit_then_approve(self, submitter, approvers):
            """The common path in one step, so short runs reach approval too."""
            if self.attempt(lambda: services.submit(self.message, submitter)):
                for approver in approvers:
                    if self.status == MessageStatus.IN_REVIEW:
                        self.approve(approver, "The handle is an institution.", True)

        @precondition(lambda self: self.status == MessageStatus.IN_REVIEW)
        @rule(actor=person)
        def request_changes(self, actor):
            self.attempt(lambda: services.request_changes(self.message, actor, "Please make it warmer."))

        @precondition(lambda self: self.status == MessageStatus.IN_REVIEW)
        @rule(actor=person)
        def reject(self, actor):
            self.attempt(lambda: services.reject(self.message, actor, "Not for this campaign."))

        @rule()
        def schedule(self):
            version = self.message.current_version
            if services.is_approved_for_publishing(self.message, version):
                assert self.message.status == MessageStatus.APPROVED
                self.scheduled.append(version.content_hash)
                reached["scheduled"] += 1

        @invariant()
        def approved_means_this_exact_text(self):
            message = getattr(self, "message", None)
            if message is None or message.status != MessageStatus.APPROVED:
                return
            reached["approved"] += 1
            version = message.current_version
            assert version.content_hash == content_hash(version.text, version.variants or {})
            assert not version.has_errors
            approvals = services.valid_approvals(version)
            assert len({a.approver_id for a in approvals}) >= required
            assert all(a.content_hash == version.content_hash for a in approvals)
            assert services.is_approved_for_publishing(message, version)

        @invariant()
        def approvers_never_authors(self):
            message = getattr(self, "message", None)
            if message is None:
                return
            standing = db.session.scalars(
                select(Approval).where(Approval.message_id == message.id, Approval.revoked_at.is_(None))
            )
            for approval in standing:
                assert approval.approver_id not in {approval.version.author_id, message.created_by_id}
                assert not approval.version.has_errors

    run_state_machine_as_test(
        ReviewMachine,
        settings=settings(
            max_examples=30,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    # The run must have exercised both sides. With two keys and random authors an approved state is
    # rarer, so the coverage guard applies to the one-key run only (the properties are checked in both).
    assert reached["refused"] > 0, reached
    if required == 1:
        assert reached["approved"] > 0, reached
