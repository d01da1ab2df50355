"""Signing in and out, throttling, deactivation, sessions."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from app.accounts import services, throttle
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.extensions import db


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in" in response.data


def test_sign_in_lands_on_the_dashboard_and_is_audited(client, auth, staff):
    response = auth.login(staff)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert b"Where to start" in page.data
    assert "auth.signed_in" in actions()


def test_email_is_case_insensitive(client, auth, staff):
    assert auth.login(staff.email.upper()).status_code == 302


def test_wrong_password_is_refused_with_a_clear_message_and_audited(client, auth, staff):
    response = auth.login(staff, password="wrong password!")
    assert response.status_code == 401
    assert b"do not match an active account" in response.data
    assert b'value="staff@home.example"' in response.data  # what was typed is kept
    assert client.get("/").status_code == 302
    assert "auth.sign_in_failed" in actions()


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(auth, staff):
    response = auth.login("nobody@example.org")
    assert response.status_code == 401
    assert b"do not match an active account" in response.data


def test_deactivated_user_is_refused(auth, staff, admin):
    services.set_active(staff, False, actor=admin)
    db.session.commit()
    assert auth.login(staff).status_code == 401
    assert "auth.sign_in_refused" in actions()


def test_sign_out_ends_the_session(client, auth, staff):
    auth.login(staff)
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/").status_code == 302
    assert "auth.signed_out" in actions()


def test_a_cookie_saved_before_sign_out_stops_working(client, auth, staff):
    auth.login(staff)
    saved = client.get_cookie("session").value
    auth.logout()
    client.set_cookie("session", saved)
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_email_costs_one_verification_like_a_wrong_password(auth, staff, monkeypatch):
    """Timing: no extra hashing for an unknown e-mail (it used to hash, then verify: twice as long)."""
    calls: list[str] = []
    for name in ("hash", "verify"):
        original = getattr(PasswordHasher, name)
        monkeypatch.setattr(
            PasswordHasher, name, lambda self, *a, _o=original, _n=name: calls.append(_n) or _o(self, *a)
        )
    auth.login("warm-up@example.org", password="wrong password!")
    for email in (staff.email, "nobody@example.org"):
        calls.clear()
        assert auth.login(email, password="wrong password!").status_code == 401
        assert calls == ["verify"], email


def test_a_password_typed_into_the_email_box_is_not_kept(client, auth, admin):
    auth.login("My secret passphrase 2024", password="x")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).one()
    assert "passphrase" not in str(event.details)
    assert event.details["looked_like_email"] is False and event.details["known_account"] is False
    auth.login(admin)
    assert "passphrase" not in client.get("/admin/audit/?action=auth.sign_in_failed").get_data(as_text=True)


def test_sign_out_is_not_possible_by_get(client, auth, staff):
    auth.login(staff)
    assert client.get("/logout").status_code == 405


def test_sign_in_starts_a_fresh_session(client, auth, staff):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(staff)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_everywhere_ends_existing_sessions(client, auth, staff, admin):
    auth.login(staff)
    assert client.get("/").status_code == 200
    services.sign_out_everywhere(staff, actor=admin)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_role_change_signs_the_person_out(client, auth, staff, admin):
    auth.login(staff)
    services.change_role(staff, Role.LEAD, actor=admin)
    db.session.commit()
    assert client.get("/").status_code == 302


def test_next_parameter_never_leaves_the_site(client, staff):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": staff.email, "password": "correct horse battery staple"},
    )
    assert response.headers["Location"] == "/"


def test_idle_session_is_signed_out(client, auth, staff):
    auth.login(staff)
    with client.session_transaction() as session:
        session["last_seen"] = session.get("last_seen", 0) - 10 * 3600
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {
            "RATELIMIT_ENABLED": True,
            "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes",
            "LOGIN_LIMIT_PER_IP": "5 per 15 minutes",
        }

    def test_repeated_failures_on_one_account_are_throttled(self, auth, staff):
        for _ in range(3):
            assert auth.login(staff, password="wrong password!").status_code == 401
        response = auth.login(staff)  # even the right password waits now
        assert response.status_code == 429
        assert b"Too many attempts" in response.data

    def test_failures_across_accounts_from_one_address_are_throttled(self, auth, staff):
        for number in range(5):
            auth.login(f"nobody{number}@example.org", password="wrong password!")
        assert auth.login(staff).status_code == 429

    def test_a_stranger_cannot_lock_the_account_out(self, app, client, auth, staff):
        stranger = app.test_client()
        for _ in range(3):
            stranger.post(
                "/login",
                data={"email": staff.email, "password": "guess"},
                environ_base={"REMOTE_ADDR": "203.0.113.9"},
            )
        refused = stranger.post(
            "/login",
            data={"email": staff.email, "password": "guess"},
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )
        assert refused.status_code == 429
        assert auth.login(staff).status_code == 302  # the person, from their own address

    def test_delays_grow_with_failures_up_to_a_ceiling(self):
        delays = [throttle.delay_after(n, free=3, first=5, longest=900) for n in range(1, 12)]
        assert delays[:2] == [0, 0] and delays[2:6] == [5, 10, 20, 40]
        assert delays == sorted(delays) and delays[-1] == 900

    def test_successful_sign_ins_do_not_count(self, auth, staff):
        for _ in range(6):
            assert auth.login(staff).status_code == 302
            auth.logout()


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_form_without_its_token_is_refused(self, client, staff):
        response = client.post(
            "/login", data={"email": staff.email, "password": "correct horse battery staple"}
        )
        assert response.status_code == 400
        assert b"Reload the page" in response.data

    def test_a_form_with_its_token_works(self, client, staff):
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login",
            data={"email": staff.email, "password": "correct horse battery staple", "csrf_token": token},
        )
        assert response.status_code == 302
