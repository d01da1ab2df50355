"""Configuration: defaults here, environment variables override, instance/config.py for local secrets."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy.engine import make_url

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
    MAX_FORM_MEMORY_SIZE = 1024 * 1024  # all non-file form fields of one request, bytes
    COUNTERPOINT_FORM_FIELD_MAX_CHARS = 20_000  # any one form field; forms set tighter limits per field
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ACCOUNT = "5 per 15 minutes"  # re-authentication on the account page
    # Sign-in failures per account from one address: free tries, then growing waits (no lock-out).
    LOGIN_FREE_FAILURES = 3
    LOGIN_FIRST_DELAY_SECONDS = 5
    LOGIN_LONGEST_DELAY_SECONDS = 15 * 60
    LOGIN_LIMIT_PER_IP = "30 per 15 minutes"
    COUNTERPOINT_REQUIRE_MFA = None  # None: required for leads and admins in production only
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (None: 1 in production).
    COUNTERPOINT_TRUSTED_PROXIES = None
    OPENAI_API_KEY = None
    OPENAI_BASE_URL = None
    COUNTERPOINT_LLM_MODEL = "gpt-4o-mini"
    COUNTERPOINT_LLM_TIMEOUT = 30.0
    COUNTERPOINT_APPROVALS_REQUIRED = 1
    COUNTERPOINT_MAX_LATENESS_MINUTES = 60
    COUNTERPOINT_TICK_SECONDS = 5
    COUNTERPOINT_ALLOW_PRIVATE_URLS = False
    COUNTERPOINT_DEV_WEBHOOK_SINK = False  # the demo's webhook receiver at /dev/webhook-sink (development only)
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
ENVIRONMENT: dict[str, Callable[[str], Any]] = {
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
    "COUNTERPOINT_DEV_WEBHOOK_SINK": lambda v: v.lower() in {"1", "true", "yes"},
    "COUNTERPOINT_REQUIRE_MFA": lambda v: v.lower() in {"1", "true", "yes"},
    "COUNTERPOINT_TRUSTED_PROXIES": int,
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
    if app.config.get("COUNTERPOINT_TRUSTED_PROXIES") is None:
        app.config["COUNTERPOINT_TRUSTED_PROXIES"] = 1 if is_production else 0
    if is_production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", _database_url(app))
    _private_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    _size_pool(app)
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


def _size_pool(app: Flask) -> None:
    """Room in the connection pool for every dispatch thread at once (SQLAlchemy's default stops at 15)."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        return  # one shared in-memory connection (StaticPool): nothing to size
    threads = int(app.config.get("COUNTERPOINT_DISPATCH_THREADS") or 1)
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("max_overflow", max(10, threads + 4))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _private_sqlite_file(url: str) -> None:
    """Create a SQLite database file readable by its owner only (SQLite gives its journals the same mode)."""
    if not url.startswith("sqlite:"):
        return
    from sqlalchemy.engine import make_url

    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    path.chmod(0o600)


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


def missing_catalogues(directory: Path) -> list[str]:
    """Translations whose compiled catalogue (.mo) is absent or older than its source (.po)."""
    missing = []
    for source in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        compiled = source.with_suffix(".mo")
        if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
            missing.append(str(compiled))
    return missing


def require_compiled_catalogues(app: Flask, directory: Path) -> None:
    """In production, refuse to start without compiled translations (else French pages come out English)."""
    if app.config["COUNTERPOINT_ENV"] != "production":
        return
    missing = missing_catalogues(Path(app.config.get("COUNTERPOINT_TRANSLATIONS_DIR") or directory))
    if missing:
        raise ConfigurationError(
            "Compiled translations are missing or out of date: "
            + ", ".join(missing)
            + ". Run `pybabel compile -d app/translations -D messages` (or `make translations`) first."
        )
