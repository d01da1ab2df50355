"""Files holding data are private to their owner; access logs never carry feed or import tokens."""

from __future__ import annotations

import logging

from app import create_app
from app.trends import uploads
from app.web.logredact import RedactingFilter, redact


def test_the_sqlite_database_is_created_private(tmp_path):
    database = tmp_path / "data" / "counterpoint.db"
    create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert database.exists() and database.stat().st_mode & 0o077 == 0


def test_an_existing_world_readable_database_is_made_private(tmp_path):
    database = tmp_path / "counterpoint.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    assert database.stat().st_mode & 0o077 == 0


def test_import_files_are_private(tmp_path):
    folder = tmp_path / "imports"
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "COUNTERPOINT_IMPORT_FOLDER": str(folder),
        }
    )
    with app.app_context():
        token = uploads.store(b"title,severity\nA,2\n", "t.csv", organisation_id=1, user_id=1)
    assert folder.stat().st_mode & 0o077 == 0
    for path in folder.glob(f"{token}.*"):
        assert path.stat().st_mode & 0o077 == 0, path.name


def test_tokens_are_redacted_from_request_lines():
    line = '127.0.0.1 - - "GET /publishing/calendar/s3cr3t-Token_x.ics HTTP/1.1" 200 - "/trends/import/AbC-123?step=2"'
    cleaned = redact(line)
    assert "s3cr3t" not in cleaned and "AbC-123" not in cleaned
    assert "/publishing/calendar/[redacted].ics" in cleaned and "/trends/import/[redacted]?step=2" in cleaned
    assert redact("GET /trends/import HTTP/1.1") == "GET /trends/import HTTP/1.1"


def test_the_development_server_log_is_redacted(app):
    logger = logging.getLogger("werkzeug")
    [installed] = [f for f in logger.filters if isinstance(f, RedactingFilter)]
    record = logger.makeRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '%s - - "%s" %s',
        ("127.0.0.1", "GET /publishing/calendar/topsecret.ics HTTP/1.1", 200),
        None,
    )
    assert installed.filter(record)
    assert "topsecret" not in record.getMessage() and "[redacted]" in record.getMessage()
