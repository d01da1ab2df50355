"""Notifications reach the right people, in the inbox and (when configured) by e-mail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import send_pending_emails, unread_count
from app.notifications.models import Notification
from app.review import services
from tests.fakes.smtp import FakeSMTP


def inbox(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)))


def kinds(user) -> list[str]:
    return [note.kind for note in inbox(user)]


def test_a_submission_asks_every_eligible_lead(
    make_message, staff, lead, lead2, partner_lead, outsider_lead, partner_staff
):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    assert kinds(lead) == kinds(lead2) == kinds(partner_lead) == ["review_requested"]
    assert inbox(outsider_lead) == [] and inbox(staff) == [] and inbox(partner_staff) == []
    note = inbox(lead)[0]
    assert note.link == f"/review/messages/{message.id}"
    assert "Neighbours first" in note.body


def test_the_author_lead_is_not_asked_to_review_their_own_text(make_message, lead, lead2):
    message = make_message(author=lead)
    services.submit(message, lead)
    db.session.commit()
    assert inbox(lead) == []
    assert kinds(lead2) == ["review_requested"]


def test_decisions_reach_the_author_and_the_submitter(make_message, staff, partner_staff, lead, edit):
    message = make_message(author=staff)
    edit(message, "Neighbours who moved here run the choir and the Saturday market.", partner_staff)
    services.submit(message, partner_staff)
    services.request_changes(message, lead, "Add the library volunteers too.")
    db.session.commit()
    for person in (staff, partner_staff):
        note = [n for n in inbox(person) if n.kind == "changes_requested"][0]
        assert "Add the library volunteers too." in note.body
    assert "changes_requested" not in kinds(lead)


def test_a_comment_reaches_the_author_and_the_reviewers(make_message, staff, lead, lead2, partner_staff):
    message = make_message()
    services.add_comment(message, lead, "Start with the food bank, maybe?")
    db.session.commit()
    assert kinds(staff) == ["comment"]
    services.add_comment(message, staff, "Thanks, done.")
    db.session.commit()
    assert kinds(lead) == ["comment"]  # took part in the conversation
    assert kinds(lead2) == []  # a draft: not yet the reviewers' business
    services.submit(message, staff)
    services.add_comment(message, staff, "Ready for you now.")
    db.session.commit()
    assert kinds(lead2) == ["review_requested", "comment"]  # in review: every eligible lead hears
    assert kinds(partner_staff) == []


def test_the_inbox_lists_marks_read_and_counts(client, auth, make_message, staff, lead):
    message = make_message()
    services.submit(message, staff)
    db.session.commit()
    auth.login(lead)
    assert unread_count(lead) == 1
    page = client.get("/notifications")
    assert page.status_code == 200
    assert "Review requested" in page.get_data(as_text=True)
    note = inbox(lead)[0]
    opened = client.post(f"/notifications/{note.id}/open")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/review/messages/{message.id}")
    assert unread_count(lead) == 0

    services.add_comment(message, staff, "One question about the wording.")
    services.add_comment(message, staff, "And another one.")
    db.session.commit()
    assert unread_count(lead) == 2
    client.post("/notifications/read-all")
    assert unread_count(lead) == 0


def test_someone_elses_notification_is_not_found(client, auth, make_message, staff, lead):
    services.submit(make_message(), staff)
    db.session.commit()
    note = inbox(lead)[0]
    auth.login(staff)
    assert client.post(f"/notifications/{note.id}/read").status_code == 404
    assert client.post(f"/notifications/{note.id}/open").status_code == 404
    assert db.session.get(Notification, note.id).read_at is None


def test_the_layout_receives_the_unread_count(app, make_message, staff, lead):
    from app.web.templating import template_context

    services.submit(make_message(), staff)
    db.session.commit()
    with app.test_request_context():
        from flask_login import login_user

        login_user(lead)
        assert template_context()["unread_notifications"] == 1


def test_no_email_is_sent_unless_smtp_is_configured(make_message, staff, lead):
    services.submit(make_message(), staff)
    db.session.commit()
    assert send_pending_emails() == 0
    assert all(note.emailed_at is None for note in inbox(lead))


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with FakeSMTP() as sink:
        yield sink


class TestWithSmtp:
    @pytest.fixture
    def app_config(self, smtp):
        return {"SMTP_HOST": smtp.host, "SMTP_PORT": smtp.port, "SMTP_FROM": "review@counterpoint.test"}

    def test_review_requests_are_emailed_after_commit(
        self, client, auth, smtp, make_message, staff, lead, lead2
    ):
        message = make_message()
        auth.login(staff)
        response = client.post(f"/messages/{message.id}/submit")
        assert response.status_code == 302
        recipients = sorted(address for mail in smtp.messages for address in mail.rcpt_to)
        assert recipients == sorted([lead.email, lead2.email])
        mail = next(m for m in smtp.messages if lead.email in m.rcpt_to)
        assert mail.mail_from == "review@counterpoint.test"
        assert mail.message["Subject"].startswith("Review requested")
        assert f"/review/messages/{message.id}" in mail.message.get_content()
        assert all(note.emailed_at is not None for note in inbox(lead))


class TestWithBrokenSmtp:
    @pytest.fixture
    def app_config(self):
        import socket

        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}

    def test_a_failed_email_never_loses_the_notification(self, client, auth, make_message, staff, lead):
        message = make_message()
        auth.login(staff)
        response = client.post(f"/messages/{message.id}/submit")
        assert response.status_code == 302
        notes = inbox(lead)
        assert [note.kind for note in notes] == ["review_requested"]
        assert notes[0].emailed_at is None  # logged as an error; the inbox entry stays
