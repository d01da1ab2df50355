"""One notifications package: entries render in the reader's language when read, and when e-mailed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.extensions import db
from app.notifications import NotificationKind, notify, send_pending_emails
from app.notifications.kinds import RENDERERS
from app.notifications.models import Notification
from tests.fakes.smtp import FakeSMTP


def test_every_kind_has_a_renderer():
    assert set(RENDERERS) == set(NotificationKind)


def test_the_inbox_shows_an_entry_in_the_language_of_whoever_reads_it(client, auth, make_user, make_org):
    org = make_org()
    reader = make_user(Role.LEAD, org=org)
    notify(
        [reader],
        kind=NotificationKind.CHANNEL_NEEDS_REAUTH,
        params={"channel": "Coalition Mastodon", "error": "401"},
        link="/channels/1",
    )
    db.session.commit()
    auth.login(reader)
    assert "Coalition Mastodon needs new credentials" in client.get("/notifications").get_data(as_text=True)
    client.post("/language", data={"language": "fr"})
    page = client.get("/notifications").get_data(as_text=True)
    assert "Coalition Mastodon a besoin de nouveaux identifiants" in page
    assert "needs new credentials" not in page


def test_inactive_excluded_and_repeated_recipients_get_nothing(make_user, make_org):
    org = make_org()
    active, sender, gone = (make_user(Role.LEAD, org=org) for _ in range(3))
    gone.is_active_user = False
    created = notify(
        [active, active, sender, gone, None],
        kind=NotificationKind.PARTNER_REQUEST,
        params={"channel": "Bluesky"},
        exclude=sender,
    )
    assert [note.user_id for note in created] == [active.id]


@pytest.fixture
def smtp() -> Iterator[FakeSMTP]:
    with FakeSMTP() as sink:
        yield sink


class TestEmail:
    @pytest.fixture
    def app_config(self, smtp):
        return {"SMTP_HOST": smtp.host, "SMTP_PORT": smtp.port}

    def test_each_recipient_is_mailed_in_their_own_language(self, smtp, make_user, make_org):
        org = make_org()
        english, french = make_user(Role.LEAD, org=org), make_user(Role.LEAD, org=org)
        english.language, french.language = "en", "fr"
        notify(
            [english, french],
            kind=NotificationKind.POST_PARTNER_ANSWER,
            params={
                "answer": "declined",
                "organisation": "Partner NGO",
                "channel": "Telegram",
                "reason": "Deuil",
            },
            link="/publishing/posts/7",
        )
        db.session.commit()
        assert send_pending_emails() == 2
        subjects = {mail.rcpt_to[0]: mail.message["Subject"] for mail in smtp.messages}
        assert subjects[english.email] == "Partner NGO declined a post on Telegram"
        assert subjects[french.email] == "Partner NGO a refusé une publication sur Telegram"
        stored = db.session.scalars(select(Notification)).all()
        assert all(note.emailed_at is not None and note.params["reason"] == "Deuil" for note in stored)
