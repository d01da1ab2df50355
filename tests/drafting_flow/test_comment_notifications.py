"""A comment written in the editor reaches the message's other participants in their inbox."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.drafting import services as drafting
from app.drafting.models import Message
from app.extensions import db
from app.notifications.models import Notification
from app.review import services as review
from tests.campaigns.factories import make_campaign, make_trend
from tests.drafting_flow.test_offline_flow import CLEAN_EDIT, draft_offline


@pytest.fixture
def campaign(org, staff):
    return make_campaign(org, staff, trends=[make_trend(org)])


def inbox(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def test_a_staff_comment_in_the_editor_notifies_the_other_participants(
    client, auth, staff, lead, make_user, org, campaign
):
    editor_person = make_user(Role.STAFF, org=org, email="editor@home.example", name="Second Staff")
    bystander = make_user(Role.STAFF, org=org, email="bystander@home.example", name="Bystander")
    auth.login(staff)
    message: Message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    drafting.save_human_edit(message, text=CLEAN_EDIT, variants={}, actor=editor_person)
    review.add_comment(message, lead, "Looks close; mention the choir?")
    db.session.commit()
    lead_notes_before = len(inbox(lead))

    response = client.post(f"/messages/{message.id}/comments", data={"body": "Added the choir, see v2."})

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/messages/{message.id}#comments")
    db.session.expire_all()
    (note,) = [n for n in inbox(editor_person) if "Added the choir, see v2." in n.body]
    assert note.kind == "comment" and note.link == f"/review/messages/{message.id}"
    assert len(inbox(lead)) == lead_notes_before + 1
    assert [n.kind for n in inbox(lead) if "Added the choir, see v2." in n.body] == ["comment"]
    assert [n for n in inbox(staff) if "Added the choir" in n.body] == []  # not the writer
    assert inbox(bystander) == []  # not part of this message
    editor = client.get(f"/messages/{message.id}").get_data(as_text=True)
    assert "Added the choir, see v2." in editor


def test_an_empty_comment_is_refused_in_the_editor(client, auth, staff, campaign):
    auth.login(staff)
    message = draft_offline(client, campaign, strategies=["alternative"], count="1")[0]
    response = client.post(f"/messages/{message.id}/comments", data={"body": "   "})
    assert response.status_code == 422
    assert db.session.scalars(select(Notification)).all() == []
