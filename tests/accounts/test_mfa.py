"""Two-step sign-in with TOTP: setting it up, signing in with it, turning it off, requiring it."""

from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select, text

from app.accounts import services
from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.extensions import db
from tests.conftest import PASSWORD


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def start_setup(client) -> str:
    """Re-enter the password and read the secret shown on the setup page."""
    response = client.post("/account/mfa", data={"password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/account/mfa/confirm"
    page = client.get("/account/mfa/confirm").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page
    return page.split("<code>")[1].split("</code>")[0].replace(" ", "")


def enable_for(user) -> str:
    """Switch MFA on directly, with the previous step's code so that now() is still unused."""
    secret = pyotp.TOTP(pyotp.random_base32()).secret
    services.enable_mfa(user, secret, pyotp.TOTP(secret).at(time.time() - 30))
    db.session.commit()
    return secret


def test_enabling_ends_sessions_opened_before_it(app, client, auth, staff):
    other_device = app.test_client()
    other_device.post("/login", data={"email": staff.email, "password": PASSWORD})
    assert other_device.get("/account").status_code == 200
    auth.login(staff)
    secret = start_setup(client)
    assert client.post("/account/mfa/confirm", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/account").status_code == 200  # this session goes on
    assert other_device.get("/account").status_code == 302


def test_enabling_needs_the_password(client, auth, staff):
    auth.login(staff)
    response = client.post("/account/mfa", data={"password": "not my password"})
    assert response.status_code == 401
    assert b"The password is not correct" in response.data
    assert client.get("/account/mfa/confirm").status_code == 302


def test_a_wrong_code_saves_nothing_and_the_right_one_switches_mfa_on(client, auth, staff):
    auth.login(staff)
    secret = start_setup(client)
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    response = client.post("/account/mfa/confirm", data={"code": wrong})
    assert response.status_code == 400
    assert b"does not match" in response.data
    db.session.refresh(staff)
    assert not staff.mfa_enabled and staff.mfa_secret_encrypted is None

    response = client.post("/account/mfa/confirm", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert staff.mfa_enabled
    assert "user.mfa_enabled" in actions()
    assert b"On since" in client.get("/account").data


def test_the_secret_is_encrypted_in_the_database(client, auth, staff):
    auth.login(staff)
    secret = start_setup(client)
    client.post("/account/mfa/confirm", data={"code": pyotp.TOTP(secret).now()})
    raw = db.session.execute(
        text("SELECT mfa_secret_encrypted FROM users WHERE id = :id"), {"id": staff.id}
    ).scalar_one()
    assert raw and secret not in raw


def test_sign_in_asks_for_the_code_before_signing_in(client, auth, staff):
    secret = enable_for(staff)
    response = auth.login(staff)
    assert response.headers["Location"] == "/login/code"
    assert client.get("/").status_code == 302  # not signed in yet
    assert "auth.signed_in" not in actions()

    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert "auth.signed_in" in actions()


def test_a_wrong_code_is_refused_and_audited(client, auth, staff):
    enable_for(staff)
    auth.login(staff)
    response = client.post("/login/code", data={"code": "12345x"})
    assert response.status_code == 401
    assert b"does not match" in response.data
    assert client.get("/").status_code == 302
    assert "auth.mfa_failed" in actions()


def test_a_code_cannot_be_used_twice(client, auth, staff):
    secret = enable_for(staff)
    code = pyotp.TOTP(secret).now()
    auth.login(staff)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    auth.logout()
    auth.login(staff)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 401
    assert client.get("/").status_code == 302
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.mfa_failed")).one()
    assert event.details["reason"] == "reused"


def test_the_code_step_expires_after_five_minutes(client, auth, staff):
    secret = enable_for(staff)
    auth.login(staff)
    with client.session_transaction() as session:
        pending = session["mfa_pending"]
        session["mfa_pending"] = {**pending, "at": pending["at"] - (5 * 60 + 1)}
    response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert b"not finished in time" in client.get("/login").data
    assert client.get("/").status_code == 302


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, staff):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")


def test_turning_mfa_off_needs_the_password_and_a_code(client, auth, staff):
    secret = enable_for(staff)
    auth.login(staff)
    client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})

    response = client.post(
        "/account/mfa/disable", data={"password": "wrong password!", "code": pyotp.TOTP(secret).now()}
    )
    assert response.status_code == 400 and b"The password is not correct" in response.data
    response = client.post("/account/mfa/disable", data={"password": PASSWORD, "code": "000000"})
    assert response.status_code == 400
    db.session.refresh(staff)
    assert staff.mfa_enabled

    next_code = pyotp.TOTP(secret).at(time.time() + 30)  # the current one was used to sign in
    response = client.post("/account/mfa/disable", data={"password": PASSWORD, "code": next_code})
    assert response.status_code == 302
    db.session.refresh(staff)
    assert not staff.mfa_enabled and staff.mfa_secret_encrypted is None
    assert "user.mfa_disabled" in actions()


class TestRequiredForLeadsAndAdmins:
    @pytest.fixture
    def app_config(self):
        return {"COUNTERPOINT_REQUIRE_MFA": True}

    @pytest.mark.parametrize("role", [Role.LEAD, Role.ADMIN])
    def test_a_lead_or_admin_without_mfa_is_sent_to_set_it_up(self, client, auth, make_user, org, role):
        user = make_user(role, org=org)
        assert auth.login(user).headers["Location"] == "/account/mfa"
        for path in ("/", "/account"):
            response = client.get(path)
            assert response.status_code == 302 and response.headers["Location"] == "/account/mfa"
        assert b"Your role requires two-step sign-in" in client.get("/account/mfa").data
        assert client.get("/healthz").status_code == 200
        assert client.post("/language", data={"language": "fr", "next": "/"}).status_code == 302
        assert auth.logout().status_code == 302

    def test_once_mfa_is_on_the_lead_works_normally(self, client, auth, lead):
        auth.login(lead)
        secret = start_setup(client)
        client.post("/account/mfa/confirm", data={"code": pyotp.TOTP(secret).now()})
        assert client.get("/").status_code == 200

    def test_staff_are_not_required(self, client, auth, staff):
        assert auth.login(staff).headers["Location"] == "/"
        assert client.get("/").status_code == 200


def test_not_required_when_the_setting_is_off(client, auth, lead):
    assert auth.login(lead).headers["Location"] == "/"
    assert client.get("/").status_code == 200


class TestCodeThrottling:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}

    def test_repeated_wrong_codes_are_throttled(self, client, auth, staff):
        secret = enable_for(staff)
        auth.login(staff)
        for _ in range(3):
            assert client.post("/login/code", data={"code": "000000"}).status_code in (401, 302)
        response = client.post("/login/code", data={"code": pyotp.TOTP(secret).now()})
        assert response.status_code == 429


def test_an_admin_resets_a_lost_second_factor(client, auth, staff, admin):
    enable_for(staff)
    db.session.refresh(staff)
    version = staff.session_version
    auth.login(admin)
    response = client.post(f"/admin/users/{staff.id}/reset-mfa", follow_redirects=True)
    assert "set it up again at their next sign-in" in response.get_data(as_text=True)
    db.session.refresh(staff)
    assert not staff.mfa_enabled and staff.session_version == version + 1
    assert "user.mfa_reset" in actions()
    auth.logout()
    assert auth.login(staff).headers["Location"] == "/"  # password alone again, no code step


def test_staff_cannot_reset_someone_elses_second_factor(client, auth, staff, make_user, org):
    enable_for(staff)
    auth.login(make_user("staff", org=org))
    assert client.post(f"/admin/users/{staff.id}/reset-mfa").status_code == 403
    db.session.refresh(staff)
    assert staff.mfa_enabled
