"""Configuration: defaults here, environment variables override, instance/config.py for local secrets."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet
from flask import Flask

LANGUAGES = ("en", "fr")


class Defaults:
    """Settings every deployment starts from."""

    COUNTERPOINT_ENV = "development"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 12 * 3600  # absolute session lifetime, seconds
    SESSION_IDLE_MINUTES = 60
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session
    MAX_CONTENT_LENGTH = 6 * 1024 * 1024
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    COUNTERPOINT_REQUIRE_MFA = None  # None: required for leads and admins in production only
    OPENAI_API_KEY = None
    OPENAI_BASE_URL = None
    COUNTERPOINT_LLM_MODEL = "gpt-4o-mini"
    COUNTERPOINT_LLM_TIMEOUT = 30.0
    COUNTERPOINT_APPROVALS_REQUIRED = 1
    COUNTERPOINT_MAX_LATENESS_MINUTES = 60
    COUNTERPOINT_TICK_SECONDS = 5
    COUNTERPOINT_ALLOW_PRIVATE_URLS = False
    COUNTERPOINT_IMPORT_MAX_BYTES = 5 * 1024 * 1024
    COUNTERPOINT_IMPORT_FOLDER = None  # default: instance/imports
    COUNTERPOINT_CONNECTOR_TIMEOUT = 10.0
    COUNTERPOINT_DISPATCH_THREADS = 4
    COUNTERPOINT_LEASE_SECONDS = 120  # a claim on a post or a channel lapses after this without renewal
    COUNTERPOINT_RETRY_BASE_SECONDS = (
        30.0  # backoff after a 5xx or timeout: full jitter, doubling, 30 min cap
    )
    COUNTERPOINT_PASS_SECONDS = 30.0  # one dispatch pass keeps serving due posts at most this long
    # Engagement: a pass at most once a minute, at most 20 requests per server per pass (Mastodon
    # allows 300 per 5 minutes per account; the public Bluesky AppView 3,000 per 5 minutes per address).
    COUNTERPOINT_ENGAGEMENT_INTERVAL_SECONDS = 60.0
    COUNTERPOINT_ENGAGEMENT_REQUESTS_PER_PASS = 20
    COUNTERPOINT_BLUESKY_APPVIEW_URL = "https://public.api.bsky.app"
    PAGE_SIZE = 25
    PASSWORD_HASHER = "argon2id"  # noqa: S105  # nosec B105 (a hasher name, not a password)
    SMTP_HOST = None
    SMTP_PORT = 25
    SMTP_FROM = "counterpoint@localhost"
    SMTP_USERNAME = None
    SMTP_PASSWORD = None
    SMTP_STARTTLS = False
    COUNTERPOINT_BASE_URL = None  # absolute links in e-mails, e.g. https://counterpoint.example.org


# Environment variables read at start-up and how to parse them.
ENVIRONMENT = {
    "COUNTERPOINT_ENV": str,
    "DATABASE_URL": str,
    "SECRET_KEY": str,
    "COUNTERPOINT_ENCRYPTION_KEYS": str,
    "OPENAI_API_KEY": str,
    "OPENAI_BASE_URL": str,
    "COUNTERPOINT_LLM_MODEL": str,
    "COUNTERPOINT_APPROVALS_REQUIRED": int,
    "COUNTERPOINT_MAX_LATENESS_MINUTES": int,
    "COUNTERPOINT_TICK_SECONDS": float,
    "COUNTERPOINT_CONNECTOR_TIMEOUT": float,
    "COUNTERPOINT_IMPORT_MAX_BYTES": int,
    "COUNTERPOINT_DISPATCH_THREADS": int,
    "COUNTERPOINT_LEASE_SECONDS": float,
    "COUNTERPOINT_RETRY_BASE_SECONDS": float,
    "COUNTERPOINT_ENGAGEMENT_INTERVAL_SECONDS": float,
    "COUNTERPOINT_ENGAGEMENT_REQUESTS_PER_PASS": int,
    "COUNTERPOINT_BLUESKY_APPVIEW_URL": str,
    "COUNTERPOINT_ALLOW_PRIVATE_URLS": lambda v: v.lower() in {"1", "true", "yes"},
    "COUNTERPOINT_REQUIRE_MFA": lambda v: v.lower() in {"1", "true", "yes"},
    "RATELIMIT_STORAGE_URI": str,
    "SMTP_HOST": str,
    "SMTP_PORT": int,
    "SMTP_FROM": str,
    "SMTP_USERNAME": str,
    "SMTP_PASSWORD": str,
    "SMTP_STARTTLS": lambda v: v.lower() in {"1", "true", "yes"},
    "COUNTERPOINT_BASE_URL": str,
}


class ConfigurationError(RuntimeError):
    """Raised when a production deployment lacks a required secret."""


def load_config(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment and test overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name, parse in ENVIRONMENT.items():
        if os.environ.get(name):
            app.config[name] = parse(os.environ[name])
    if test_config:
        app.config.update(test_config)
    is_production = app.config["COUNTERPOINT_ENV"] == "production"
    if app.config.get("COUNTERPOINT_REQUIRE_MFA") is None:
        app.config["COUNTERPOINT_REQUIRE_MFA"] = is_production
    if is_production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", _database_url(app))
    _ensure_secret(app, "SECRET_KEY", "secret_key", lambda: secrets.token_urlsafe(48), is_production)
    _ensure_secret(
        app,
        "COUNTERPOINT_ENCRYPTION_KEYS",
        "encryption_keys",
        lambda: Fernet.generate_key().decode(),
        is_production,
    )


def _database_url(app: Flask) -> str:
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'counterpoint.db'}"
    # Heroku-style URLs name the old driver; SQLAlchemy wants psycopg 3 spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _ensure_secret(app: Flask, key: str, filename: str, generate, is_production: bool) -> None:
    """Use the configured secret; in development generate it once into instance/."""
    if app.config.get(key):
        return
    if is_production:
        raise ConfigurationError(
            f"{key} is not set. In production set it in the environment or instance/config.py."
        )
    path = Path(app.instance_path) / filename
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(generate() + "\n")
        path.chmod(0o600)
    app.config[key] = path.read_text().strip()
