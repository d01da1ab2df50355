"""Migrations build the same schema as the models, on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
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


def test_after_upgrade_the_database_refuses_a_status_outside_its_enum(empty_database_url):
    from sqlalchemy.exc import IntegrityError

    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade()
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO organisations (id, name, slug, time_zone, default_language, created_at)"
                    " VALUES (1, 'Check NGO', 'check-ngo', 'UTC', 'en', CURRENT_TIMESTAMP)"
                )
            )
        insert = (
            "INSERT INTO campaigns (organisation_id, title, goal, audience, mode, strategies, tone_notes,"
            " languages, platforms, hashtags, status, requires_partner_approval, created_at, updated_at)"
            " VALUES (1, 't', 'g', '', 'broadcast', '[]', '', '[]', '[]', '[]', :status, FALSE,"
            " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        )
        with db.engine.begin() as connection:
            connection.execute(text(insert), {"status": "active"})
        with pytest.raises(IntegrityError), db.engine.begin() as connection:
            connection.execute(text(insert), {"status": "sort_of_active"})
        db.engine.dispose()


OLD_SENTENCE_FINDING = {
    "code": "readability.hard",
    "severity": "warning",
    "start": 0,
    "end": 40,
    "message": "This sentence has 33 words. Split it: on a phone, sentences under 20 words are much easier to "
    "follow.",
}
OLD_LENGTH_FINDING = {
    "code": "length.over_limit",
    "severity": "error",
    "start": 300,
    "end": 312,
    "message": "Too long for Bluesky: 312 of 300 graphemes. Cut at least 12 to fit.",
}
UNKNOWN_OLD_FINDING = {
    "code": "tone.hostile",
    "severity": "error",
    "start": 1,
    "end": 2,
    "message": "Edited by hand",
}


def _insert_old_version(connection) -> None:
    """One message version as stored before findings01: English texts with numbers in them."""
    now = "2026-11-01 10:00:00+00:00"
    connection.execute(
        text(
            "INSERT INTO organisations (id, name, slug, time_zone, default_language, created_at)"
            " VALUES (1, 'Old NGO', 'old-ngo', 'UTC', 'fr', :now)"
        ),
        {"now": now},
    )
    connection.execute(
        text(
            "INSERT INTO campaigns (id, organisation_id, title, goal, audience, mode, strategies, tone_notes,"
            " languages, platforms, hashtags, status, requires_partner_approval, created_at, updated_at)"
            " VALUES (1, 1, 't', 'g', '', 'broadcast', '[]', '', '[]', '[\"bluesky\"]', '[]', 'active', FALSE,"
            " :now, :now)"
        ),
        {"now": now},
    )
    connection.execute(
        text(
            "INSERT INTO messages (id, campaign_id, strategy, language, status, created_at, updated_at)"
            " VALUES (1, 1, 'facts', 'en', 'draft', :now, :now)"
        ),
        {"now": now},
    )
    versions = sa.table(
        "message_versions",
        *(sa.column(name) for name in ("id", "message_id", "number", "text", "content_hash", "source")),
        *(sa.column(name) for name in ("has_errors", "note", "created_at")),
        sa.column("variants", sa.JSON),
        sa.column("findings", sa.JSON),
        sa.column("provenance", sa.JSON),
    )
    findings = [OLD_SENTENCE_FINDING, OLD_LENGTH_FINDING, UNKNOWN_OLD_FINDING]
    connection.execute(
        sa.insert(versions),
        [
            {
                "id": number,
                "message_id": 1,
                "number": number,
                "text": "x",
                "content_hash": str(number) * 64,
                "source": "offline",
                "has_errors": True,
                "note": "",
                "created_at": now,
                "variants": {},
                "findings": {"bluesky": {"length": {"count": 312, "limit": 300}, "findings": findings}},
                "provenance": {"provider": "offline", "rationale": rationale},
            }
            for number, rationale in (
                (1, "Offline template. Lead with the accurate fact and its source URL."),
                (
                    2,
                    "Shortened offline to 120 characters by dropping whole sentences; check that it still reads well.",
                ),
            )
        ],
    )


def test_findings_saved_as_english_text_read_in_french_after_the_migration(empty_database_url):
    from flask_migrate import downgrade

    from app.checks.messages import finding_text
    from app.drafting.explanations import rationale_text
    from app.drafting.models import MessageVersion

    app = make_test_app(empty_database_url)
    with app.app_context():
        upgrade(revision="dispatch01")
        with db.engine.begin() as connection:
            _insert_old_version(connection)
        upgrade()
        first, second = db.session.scalars(db.select(MessageVersion).order_by(MessageVersion.id))
        stored = first.findings["bluesky"]["findings"]
        assert stored[:2] == [
            {
                "code": "readability.hard",
                "severity": "warning",
                "start": 0,
                "end": 40,
                "variant": "sentence",
                "params": {"n": 33},
            },
            {
                "code": "length.over_limit",
                "severity": "error",
                "start": 300,
                "end": 312,
                "params": {"platform": "bluesky", "count": 312, "limit": 300, "excess": 12},
            },
        ]
        assert stored[2] == UNKNOWN_OLD_FINDING  # matches no template: kept, shown through gettext
        assert first.provenance == {
            "provider": "offline",
            "explanation": {"code": "offline.template", "params": {"strategy": "facts"}},
        }
        assert second.provenance["explanation"] == {"code": "offline.shortened", "params": {"limit": 120}}
        with app.test_request_context(headers={"Accept-Language": "fr"}):
            assert finding_text(stored[0]).startswith("Cette phrase compte 33 mots.")
            assert finding_text(stored[1]).startswith("Trop long pour Bluesky : 312 sur 300 graphèmes.")
            assert finding_text(stored[2]) == "Edited by hand"
            assert "« Corriger l'idée fausse »" in rationale_text(first.provenance, "facts")
            assert "120 caractères" in rationale_text(second.provenance, "facts")
        db.session.remove()

        downgrade(revision="dispatch01")
        restored = db.session.scalars(db.select(MessageVersion).order_by(MessageVersion.id)).first()
        assert restored.findings["bluesky"]["findings"] == [
            OLD_SENTENCE_FINDING,
            OLD_LENGTH_FINDING,
            UNKNOWN_OLD_FINDING,
        ]
        db.session.remove()
        db.engine.dispose()
