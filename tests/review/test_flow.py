"""The "Done when" flow through the pages, and the audit trail it leaves."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.drafting.diff import DiffPart, word_diff
from app.drafting.models import Approval, MessageStatus, VersionSource
from app.extensions import db
from app.review import services
from tests.review.conftest import CLEAN_TEXTS

FIRST = "Our town is stronger when neighbours look out for each other."
SECOND = "Our town is stronger when all neighbours help each other."
THIRD = "Our town is stronger when all neighbours help each other every day."


def version_field(message, form: str) -> dict[str, int]:
    return {f"{form}-{message.id}-version_id": message.current_version_id}


def test_submit_review_change_resubmit_approve_edit(client, auth, make_message, staff, lead, admin):
    message = make_message(FIRST, source=VersionSource.AI)

    # Staff submits.
    auth.login(staff)
    response = client.post(f"/messages/{message.id}/submit", follow_redirects=True)
    assert "Sent for review" in response.get_data(as_text=True)
    assert message.status == MessageStatus.IN_REVIEW
    auth.logout()

    # The lead sees it in the queue with the findings, trend context and provenance; asks for a change.
    auth.login(lead)
    queue = client.get("/review").get_data(as_text=True)
    assert FIRST in queue
    assert "The checks found nothing to fix." in queue
    assert "Trend: Newcomers blamed for housing" in queue
    assert "AI draft (fake-model)" in queue
    assert "You have not reviewed this message before" in queue
    response = client.post(
        f"/review/messages/{message.id}/request-changes",
        data={**version_field(message, "changes"), f"changes-{message.id}-comment": ""},
    )
    assert response.status_code == 422
    assert "Write what should change." in response.get_data(as_text=True)
    response = client.post(
        f"/review/messages/{message.id}/request-changes",
        data={
            **version_field(message, "changes"),
            f"changes-{message.id}-comment": "Say that everyone helps, not only some.",
        },
    )
    assert response.status_code == 302
    assert message.status == MessageStatus.CHANGES_REQUESTED
    auth.logout()

    # Staff sees the comment, edits in the editor and resubmits.
    auth.login(staff)
    mine = client.get("/review/mine").get_data(as_text=True)
    assert "changes requested" in mine and "Say that everyone helps, not only some." in mine
    assert client.post(f"/messages/{message.id}", data={"text": SECOND}).status_code == 302
    assert message.current_version.text == SECOND
    client.post(f"/messages/{message.id}/submit")
    assert message.status == MessageStatus.IN_REVIEW
    auth.logout()

    # The lead sees what changed since the version they last saw, then approves.
    auth.login(lead)
    queue = client.get("/review").get_data(as_text=True)
    assert "Since version 1, which you last saw:" in queue
    assert "<ins>all </ins>neighbours <del>look out for </del><ins>help </ins>each other." in queue
    assert f"AI draft (fake-model), edited by {staff.name}" in queue
    response = client.post(
        f"/review/messages/{message.id}/approve",
        data=version_field(message, "approve"),
        follow_redirects=True,
    )
    assert "Approved. The message can now be scheduled." in response.get_data(as_text=True)
    assert message.status == MessageStatus.APPROVED
    approved = message.current_version
    assert services.is_approved_for_publishing(message, approved)
    auth.logout()

    # Editing the approved text sends it back to draft and voids the approval.
    auth.login(staff)
    client.post(f"/messages/{message.id}", data={"text": THIRD})
    assert message.status == MessageStatus.DRAFT
    assert not services.is_approved_for_publishing(message, approved)
    assert db.session.scalars(select(Approval)).one().revoked_reason == "edited"
    auth.logout()

    # The audit trail shows every step, with hashes.
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "Message", AuditEvent.object_id == str(message.id))
        .order_by(AuditEvent.id)
    ).all()
    steps = [event.action for event in events if event.action.startswith(("message.", "approval."))]
    assert steps == [
        "message.version_saved",
        "message.created",
        "message.submitted",
        "message.changes_requested",
        "message.version_saved",
        "message.submitted",
        "message.approved",
        "approval.revoked",
        "message.version_saved",
    ]
    hashed = [
        e for e in events if e.action in {"message.submitted", "message.changes_requested", "message.approved"}
    ]
    assert all(len(event.details["hash"]) == 64 for event in hashed)
    assert hashed[-1].details["hash"] == approved.content_hash
    auth.login(admin)
    trail = client.get("/admin/audit/?action=message.approved").get_data(as_text=True)
    assert approved.content_hash in trail


def test_the_diff_is_escaped(client, auth, make_message, staff, lead, edit):
    message = make_message(CLEAN_TEXTS[0])
    services.submit(message, staff)
    services.request_changes(message, lead, "Add a line about the library.")
    services.mark_seen(message, lead)
    db.session.commit()
    edit(message, CLEAN_TEXTS[0] + " <b>Welcome</b> to the library.", staff)
    services.submit(message, staff)
    db.session.commit()
    auth.login(lead)
    page = client.get(f"/review/messages/{message.id}").get_data(as_text=True)
    assert "&lt;b&gt;Welcome&lt;/b&gt;" in page
    assert "<b>Welcome</b>" not in page


def test_word_diff_marks_words():
    assert word_diff("a calm day", "a bright calm day") == [
        DiffPart("equal", "a "),
        DiffPart("insert", "bright "),
        DiffPart("equal", "calm day"),
    ]


def test_the_reject_form_asks_for_confirmation_and_the_queue_filters(client, auth, make_message, staff, lead):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    auth.login(lead)
    queue = client.get("/review").get_data(as_text=True)
    assert "data-confirm=" in queue
    assert message.text in client.get("/review?language=en&severity=2").get_data(as_text=True)
    filtered = client.get("/review?language=fr").get_data(as_text=True)
    assert message.text not in filtered and "No message in review matches these filters" in filtered
    assert message.text not in client.get("/review?severity=4").get_data(as_text=True)
    response = client.post(
        f"/review/messages/{message.id}/reject",
        data={
            **version_field(message, "reject"),
            f"reject-{message.id}-comment": "This strategy does not fit the campaign.",
        },
    )
    assert response.status_code == 302
    assert message.status == MessageStatus.REJECTED


def test_warnings_and_humour_fields_keep_what_was_typed(client, auth, make_message, staff, lead):
    message = make_message("Please ask @townhall to listen to every neighbour.", strategy="humor")
    services.submit(message, staff)
    db.session.commit()
    auth.login(lead)
    page = client.get(f"/review/messages/{message.id}").get_data(as_text=True)
    assert "Why the warnings are fine" in page and "I checked the humour" in page
    response = client.post(
        f"/review/messages/{message.id}/approve",
        data={
            **version_field(message, "approve"),
            f"approve-{message.id}-override_reason": "The town hall is an institution.",
        },
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The town hall is an institution." in body
    assert "Humour can misread across cultures" in body
    response = client.post(
        f"/review/messages/{message.id}/approve",
        data={
            **version_field(message, "approve"),
            f"approve-{message.id}-override_reason": "The town hall is an institution.",
            f"approve-{message.id}-humor_acknowledged": "y",
        },
    )
    assert response.status_code == 302
    assert message.status == MessageStatus.APPROVED
