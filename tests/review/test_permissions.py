"""Who may see and decide what, across organisations and roles."""

from __future__ import annotations

from sqlalchemy import select

from app.drafting.models import Approval, MessageStatus
from app.extensions import db
from app.review import services


def submitted(make_message, staff):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    return message


def test_staff_cannot_open_the_queue_or_decide(client, auth, make_message, staff, partner_staff):
    message = make_message(author=partner_staff)
    services.submit(message, partner_staff)
    db.session.commit()
    auth.login(staff)
    assert client.get("/review").status_code == 403
    version = message.current_version_id
    response = client.post(
        f"/review/messages/{message.id}/approve", data={f"approve-{message.id}-version_id": version}
    )
    assert response.status_code == 403
    assert message.status == MessageStatus.IN_REVIEW
    assert db.session.scalar(select(Approval)) is None


def test_a_partner_lead_sees_the_campaigns_messages(client, auth, make_message, staff, partner_lead):
    message = submitted(make_message, staff)
    auth.login(partner_lead)
    page = client.get("/review")
    assert page.status_code == 200
    assert message.text in page.get_data(as_text=True)
    assert client.get(f"/review/messages/{message.id}").status_code == 200


def test_another_organisations_message_is_not_found(client, auth, make_message, staff, outsider_lead):
    message = submitted(make_message, staff)
    auth.login(outsider_lead)
    page = client.get("/review")
    assert message.text not in page.get_data(as_text=True)
    assert "Nothing is waiting for review" in page.get_data(as_text=True)
    assert client.get(f"/review/messages/{message.id}").status_code == 404
    data = {f"approve-{message.id}-version_id": message.current_version_id}
    assert client.post(f"/review/messages/{message.id}/approve", data=data).status_code == 404
    assert client.post(f"/review/messages/{message.id}/reject", data={}).status_code == 404
    assert client.post(f"/messages/{message.id}/submit").status_code == 404
    assert client.post(f"/review/messages/{message.id}/comment", data={}).status_code == 404
    assert message.status == MessageStatus.IN_REVIEW


def test_the_author_lead_sees_why_they_cannot_approve(client, auth, make_message, lead):
    message = make_message(author=lead)
    services.submit(message, lead)
    db.session.commit()
    auth.login(lead)
    page = client.get(f"/review/messages/{message.id}").get_data(as_text=True)
    assert "another lead must approve it" in page
    assert "Approve this version" not in page
    response = client.post(
        f"/review/messages/{message.id}/approve",
        data={f"approve-{message.id}-version_id": message.current_version_id},
    )
    assert response.status_code == 422
    assert message.status == MessageStatus.IN_REVIEW


def test_a_decision_on_a_version_the_reviewer_did_not_see_is_refused(client, auth, make_message, staff, lead):
    message = submitted(make_message, staff)
    auth.login(lead)
    stale = message.current_version_id - 1
    response = client.post(
        f"/review/messages/{message.id}/approve", data={f"approve-{message.id}-version_id": stale}
    )
    assert response.status_code == 302
    assert message.status == MessageStatus.IN_REVIEW
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The text changed while you were reading it" in follow


def test_no_state_change_on_get(client, auth, make_message, staff, lead):
    message = submitted(make_message, staff)
    auth.login(lead)
    for path in ("/review", f"/review/messages/{message.id}", "/review/mine", "/notifications"):
        assert client.get(path).status_code == 200
    db.session.expire_all()
    assert message.status == MessageStatus.IN_REVIEW
    from app.review.models import ReviewSeen

    assert db.session.scalar(select(ReviewSeen)) is None
