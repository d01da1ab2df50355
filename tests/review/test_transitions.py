"""Every review transition, allowed and refused, by role: parametrized over MESSAGE_TRANSITIONS."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.drafting.models import MESSAGE_TRANSITIONS, MessageStatus
from app.extensions import db
from app.review import services

# action → (service call, the state it leads to, the roles that may take it)
ACTIONS = {
    "submit": (lambda m, actor: services.submit(m, actor), MessageStatus.IN_REVIEW, {"staff", "lead"}),
    "approve": (lambda m, actor: services.approve(m, actor), MessageStatus.APPROVED, {"lead"}),
    "request_changes": (
        lambda m, actor: services.request_changes(m, actor, "Say who runs the food bank."),
        MessageStatus.CHANGES_REQUESTED,
        {"lead"},
    ),
    "reject": (
        lambda m, actor: services.reject(m, actor, "Off topic for this campaign."),
        MessageStatus.REJECTED,
        {"lead"},
    ),
}
CASES = [
    pytest.param(state, action, role, id=f"{state}-{action}-{role}")
    for state in MESSAGE_TRANSITIONS
    for action in ACTIONS
    for role in ("staff", "lead")
]


@pytest.mark.parametrize(("state", "action", "role"), CASES)
def test_transition_table(state, action, role, app, make_message, staff, lead, partner_staff):
    call, target, roles = ACTIONS[action]
    # Staff act on a colleague's message; the lead never wrote it, so only the table and the role decide.
    message = make_message(author=partner_staff if role == "staff" else staff)
    message.status = state
    db.session.commit()
    actor = staff if role == "staff" else lead
    expected = target in MESSAGE_TRANSITIONS[state] and role in roles

    if expected:
        call(message, actor)
        db.session.commit()
        assert message.status == target
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.like("message.%")).order_by(AuditEvent.id.desc())
        ).first()
        assert event.actor_id == actor.id
        assert event.details["hash"] == message.current_version.content_hash
    else:
        with pytest.raises(services.ReviewError) as refused:
            call(message, actor)
        db.session.rollback()
        with app.test_request_context():
            assert str(refused.value)  # a message for people
        assert db.session.get(type(message), message.id).status == state


def test_every_review_target_state_is_reachable_from_the_table():
    reachable = {target for targets in MESSAGE_TRANSITIONS.values() for target in targets}
    ours = {target for _call, target, _roles in ACTIONS.values()}
    # draft (an edit of an approved text) and archived belong to the drafting package.
    assert reachable - ours == {MessageStatus.DRAFT, MessageStatus.ARCHIVED}


def test_editing_an_approved_text_returns_it_to_draft_and_voids_the_approval(make_message, edit, staff, lead):
    message = make_message()
    services.submit(message, staff)
    approval = services.approve(message, lead)
    db.session.commit()
    approved_version = message.current_version
    assert services.is_approved_for_publishing(message, approved_version)

    edit(message, "A new and calmer text about our shared streets.", staff)

    assert message.status == MessageStatus.DRAFT
    assert approval.revoked_at is not None and approval.revoked_reason == "edited"
    assert not services.is_approved_for_publishing(message, approved_version)
    assert not services.is_approved_for_publishing(message, message.current_version)
