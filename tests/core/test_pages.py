"""Health, error pages, languages, the worker heartbeat and demo data."""

from __future__ import annotations

from sqlalchemy import func, select

from app.accounts.models import Organisation, User
from app.audit.models import AuditEvent, AuditLogIsAppendOnly
from app.extensions import db
from app.worker import tick


def test_healthz_reports_database_and_no_worker_yet(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
    assert response.json["worker_heartbeat_at"] is None


def test_a_worker_tick_records_a_heartbeat_that_healthz_shows(app, client):
    tick(app, "test-worker")
    assert client.get("/healthz").json["worker_heartbeat_at"] is not None


def test_unknown_page_is_a_friendly_404(client, auth, staff):
    auth.login(staff)
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data


def test_server_error_page_shows_no_stack_trace(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Something went wrong" in response.data
    assert b"secret internals" not in response.data and b"Traceback" not in response.data


def test_french_pages_render_in_french(client, auth, admin):
    client.post("/language", data={"language": "fr", "next": "/login"})
    assert "Se connecter" in client.get("/login").get_data(as_text=True)
    auth.login(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Utilisateurs" in page and "Ajouter un utilisateur" in page


def test_browser_language_is_honoured(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert "Se connecter" in page and 'lang="fr"' in page


def test_seed_demo_twice_leaves_one_copy(runner):
    first = runner.invoke(args=["seed-demo", "--password", "demo password 123"])
    second = runner.invoke(args=["seed-demo", "--password", "demo password 123"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "admin@demo.example" in second.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 2
    assert db.session.scalar(select(func.count()).select_from(User)) == 4


def test_demo_admin_signs_in_with_the_printed_password(runner, client, auth):
    runner.invoke(args=["seed-demo", "--password", "demo password 123"])
    assert auth.login("admin@demo.example", "demo password 123").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_create_user_command(runner, make_org):
    make_org("cli-ngo")
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "cli@example.org",
            "--org",
            "cli-ngo",
            "--role",
            "lead",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == "cli@example.org")).role == "lead"


def test_create_user_command_explains_an_unknown_organisation(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "x@example.org",
            "--org",
            "nope",
            "--role",
            "staff",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code != 0
    assert "No organisation with the short name 'nope'" in result.output


def test_audit_events_cannot_be_changed(staff):
    event = db.session.scalars(select(AuditEvent)).first()
    event.action = "tampered"
    try:
        db.session.flush()
        raise AssertionError("an audit event was updated")
    except AuditLogIsAppendOnly:
        db.session.rollback()
