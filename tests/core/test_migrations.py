"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import include_in_migrations
from app.extensions import db
from tests.conftest import make_test_app


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A database nobody else uses: a new SQLite file, or a new PostgreSQL database."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    name = f"cp_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(database_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_from_nothing_matches_the_models(empty_database_url):
    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": include_in_migrations}
            )
            differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == []


def test_notifications_written_before_rendering_at_display_time_stay_readable(empty_database_url):
    from app.accounts.models import User
    from app.notifications.models import Notification

    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade(revision="f4c19a16a33e")
        now = "2026-11-01 10:00:00+00:00"
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (id, name, slug, time_zone, default_language, created_at) "
                    "VALUES (1, 'Old NGO', 'old-ngo', 'UTC', 'fr', :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO users (id, email, name, password_hash, organisation_id, role, is_active_user,"
                    " session_version, created_at) VALUES (1, 'old@example.org', 'Old', 'x', 1, 'lead', TRUE,"
                    " 1, :now)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO notifications (user_id, kind, subject, body, link, created_at)"
                    " VALUES (1, 'approved', 'Approuvé : Voisins', 'Lee a décidé : approuvé.', '/review/messages/1', :now)"
                ),
                {"now": now},
            )
        upgrade()
        note = db.session.scalar(db.select(Notification))
        assert (note.subject, note.body) == ("Approuvé : Voisins", "Lee a décidé : approuvé.")
        assert note.link == "/review/messages/1" and isinstance(note.user, User)
        db.session.remove()
        db.engine.dispose()
