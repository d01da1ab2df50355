"""Admin pages: people, roles, organisations; refused to everyone else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Organisation, Role, User
from app.audit.models import AuditEvent
from app.extensions import db

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/organisations", "/admin/audit/"]


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.mark.parametrize("path", ADMIN_PAGES)
@pytest.mark.parametrize("role", [Role.STAFF, Role.LEAD])
def test_non_admins_are_refused_admin_pages(client, auth, make_user, org, path, role):
    auth.login(make_user(role, org=org))
    assert client.get(path).status_code == 403
    assert audit("authz.denied")


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_creates_a_user_who_can_sign_in(client, auth, admin, org):
    auth.login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "new.person@home.example",
            "name": "New Person",
            "organisation_id": org.id,
            "role": "lead",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.person@home.example"))
    assert user.role == Role.LEAD and user.password_hash.startswith("$argon2id$")
    assert audit("user.created")[-1].actor_id == admin.id
    auth.logout()
    assert auth.login("new.person@home.example", "a long enough password").status_code == 302


def test_user_form_keeps_input_and_explains_errors(client, auth, admin, org, staff):
    auth.login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": staff.email,
            "name": "Duplicate",
            "organisation_id": org.id,
            "role": "staff",
            "password": "a long enough password",
        },
    )
    assert response.status_code == 200
    assert b"already exists" in response.data
    assert b'value="Duplicate"' in response.data


def test_admin_changes_a_role_and_it_is_audited(client, auth, admin, staff):
    auth.login(admin)
    client.post(f"/admin/users/{staff.id}/role", data={"role": "lead"})
    db.session.refresh(staff)
    assert staff.role == Role.LEAD
    event = audit("user.role_changed")[0]
    assert event.details == {"from": "staff", "to": "lead"} and event.object_id == str(staff.id)


def test_admin_cannot_change_their_own_role(client, auth, admin):
    auth.login(admin)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "staff"}, follow_redirects=True)
    assert b"cannot change your own role" in response.data
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN


def test_admin_deactivates_and_reactivates(client, auth, admin, staff):
    auth.login(admin)
    client.post(f"/admin/users/{staff.id}/active", data={"active": "0"})
    db.session.refresh(staff)
    assert not staff.is_active_user
    client.post(f"/admin/users/{staff.id}/active", data={"active": "1"})
    db.session.refresh(staff)
    assert staff.is_active_user
    assert audit("user.deactivated") and audit("user.activated")


def test_admin_signs_someone_out_everywhere(client, auth, admin, staff):
    version = staff.session_version
    auth.login(admin)
    client.post(f"/admin/users/{staff.id}/sign-out")
    db.session.refresh(staff)
    assert staff.session_version == version + 1
    assert audit("user.signed_out_everywhere")


def test_admin_creates_an_organisation(client, auth, admin):
    auth.login(admin)
    response = client.post(
        "/admin/organisations",
        data={
            "name": "Third NGO",
            "slug": "third-ngo",
            "time_zone": "Africa/Dakar",
            "default_language": "fr",
        },
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.slug == "third-ngo"))
    assert org.time_zone == "Africa/Dakar"
    assert audit("organisation.created")


def test_organisation_form_rejects_a_bad_time_zone(client, auth, admin):
    auth.login(admin)
    response = client.post(
        "/admin/organisations",
        data={"name": "X", "slug": "x-ngo", "time_zone": "Mars/Olympus", "default_language": "en"},
    )
    assert b"time zone name such as" in response.data
    assert b'value="Mars/Olympus"' in response.data


def test_user_search_filters_the_list(client, auth, admin, staff, lead):
    auth.login(admin)
    page = client.get("/admin/users?q=lead@").get_data(as_text=True)
    assert lead.email in page and staff.email not in page


def test_audit_trail_filters_by_action(client, auth, admin, staff):
    auth.login(staff, password="wrong password!")
    auth.login(admin)
    page = client.get("/admin/audit/?action=auth.sign_in_failed").get_data(as_text=True)
    assert "<td>Sign-in failed</td>" in page  # actions read as words, not codes
    assert "<td>Person added</td>" not in page
