"""The person's own account page: details and changing the password."""

from __future__ import annotations

from sqlalchemy import select

from app.audit.models import AuditEvent
from app.extensions import db
from tests.conftest import PASSWORD

NEW_PASSWORD = "a brand new long passphrase"


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm_password": confirm or new},
    )


def test_the_account_page_shows_who_i_am(client, auth, lead):
    auth.login(lead)
    page = client.get("/account").get_data(as_text=True)
    assert lead.name in page and lead.email in page and "Home NGO" in page
    assert "Coalition lead" in page
    assert 'href="/account"' in client.get("/").get_data(as_text=True)  # linked from the header


def test_the_account_page_needs_a_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_current_password_is_required(client, auth, staff):
    auth.login(staff)
    response = change(client, current="not my password")
    assert response.status_code == 400
    assert b"The current password is not correct" in response.data
    auth.logout()
    assert auth.login(staff, password=NEW_PASSWORD).status_code == 401
    assert auth.login(staff).status_code == 302


def test_a_short_or_mistyped_new_password_is_refused(client, auth, staff):
    auth.login(staff)
    response = change(client, new="short", confirm="short")
    assert response.status_code == 400 and b"12" in response.data
    response = change(client, confirm="something else entirely")
    assert response.status_code == 400 and b"The two new passwords differ" in response.data


def test_changing_the_password_keeps_this_session_and_ends_the_others(app, auth, staff):
    mine, other = app.test_client(), app.test_client()
    for client in (mine, other):
        assert client.post("/login", data={"email": staff.email, "password": PASSWORD}).status_code == 302
    response = change(mine)
    assert response.status_code == 302
    assert b"You are signed out on your other devices" in mine.get("/account").data
    assert mine.get("/").status_code == 200
    assert other.get("/").status_code == 302
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "user.password_changed")).one()
    auth.logout()
    assert auth.login(staff, password=NEW_PASSWORD).status_code == 302
