"""The factory and configuration: defaults, environment, instance secrets, production refusal."""

from __future__ import annotations

import pytest

from app import create_app
from app.config import ConfigurationError


def test_test_config_overrides_defaults(app):
    assert app.testing
    assert app.config["COUNTERPOINT_APPROVALS_REQUIRED"] == 1
    assert app.config["COUNTERPOINT_TICK_SECONDS"] == 5


def test_environment_overrides_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNTERPOINT_APPROVALS_REQUIRED", "2")
    monkeypatch.setenv("COUNTERPOINT_MAX_LATENESS_MINUTES", "15")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["COUNTERPOINT_APPROVALS_REQUIRED"] == 2
    assert app.config["COUNTERPOINT_MAX_LATENESS_MINUTES"] == 15


def test_development_generates_secrets_once_into_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("COUNTERPOINT_ENCRYPTION_KEYS", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert first.config["COUNTERPOINT_ENCRYPTION_KEYS"] == second.config["COUNTERPOINT_ENCRYPTION_KEYS"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("COUNTERPOINT_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert not (tmp_path / "secret_key").exists()


def test_production_sets_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("COUNTERPOINT_ENV", "production")
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x" * 48,
            "COUNTERPOINT_ENCRYPTION_KEYS": "k",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_database_url_is_normalised_for_psycopg(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://user@db.example/counterpoint")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://user@db.example/counterpoint"


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
