"""Shared fixtures: a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL), factories."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.fernet import Fernet
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlalchemy import text

from app import create_app
from app.accounts import services as account_services
from app.accounts.models import Organisation, Role, User
from app.api import tokens
from app.extensions import db

PASSWORD = "correct horse battery staple"
TEST_ENCRYPTION_KEY = Fernet.generate_key().decode()


def _database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return (
            url.replace("postgresql://", "postgresql+psycopg://", 1)
            if url.startswith("postgresql://")
            else url
        )
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty `g`, as in production.

    Tests keep an app context open (to use db.session directly); requests reuse it, so without this
    Flask-Login's cached user and Babel's cached locale would leak from one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


def make_test_app(database_url: str, **overrides) -> Flask:
    """An app configured for tests against the given database."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "COUNTERPOINT_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASHER": "argon2id-fast-for-tests",
        "COUNTERPOINT_ALLOW_PRIVATE_URLS": True,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = FreshGlobalsClient
    return app


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = make_test_app(database_url)
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def _empty_all_tables() -> None:
    """Remove every row so the next test starts from an empty database."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(_schema, database_url: str, app_config: dict) -> Iterator[Flask]:
    app = make_test_app(database_url, **app_config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        db.engine.dispose()  # each test's app has its own engine: close its connections now, not at GC


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def make_org(app: Flask) -> Callable[..., Organisation]:
    counter = iter(range(1, 10_000))

    def make(slug: str | None = None, **fields) -> Organisation:
        number = next(counter)
        org = account_services.create_organisation(
            name=fields.pop("name", f"Organisation {number}"),
            slug=slug or f"org-{number}",
            time_zone=fields.pop("time_zone", "Europe/Paris"),
            default_language=fields.pop("default_language", "en"),
            actor=None,
        )
        db.session.commit()
        return org

    return make


@pytest.fixture
def make_user(app: Flask, make_org) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str = Role.STAFF, org: Organisation | None = None, email: str | None = None, **fields
    ) -> User:
        number = next(counter)
        user = account_services.create_user(
            email=email or f"{role}{number}@example.org",
            name=fields.pop("name", f"{str(role).title()} {number}"),
            password=fields.pop("password", PASSWORD),
            organisation=org or make_org(),
            role=Role(role),
            actor=None,
        )
        db.session.commit()
        return user

    return make


class AuthActions:
    """Sign in and out through the real pages."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(self, user_or_email: User | str, password: str = PASSWORD):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def org(make_org) -> Organisation:
    return make_org("home-ngo", name="Home NGO")


@pytest.fixture
def staff(make_user, org) -> User:
    return make_user(Role.STAFF, org=org, email="staff@home.example")


@pytest.fixture
def lead(make_user, org) -> User:
    return make_user(Role.LEAD, org=org, email="lead@home.example")


@pytest.fixture
def admin(make_user, org) -> User:
    return make_user(Role.ADMIN, org=org, email="admin@home.example")


# API: tokens and a validator of real responses against the OpenAPI document.


@pytest.fixture
def make_token(app) -> Callable[..., str]:
    """Create a token for an organisation and return its clear value."""

    def make(org: Organisation, name: str = "script") -> str:
        _, clear = tokens.create_token(org, name, actor=None)
        db.session.commit()
        return clear

    return make


@pytest.fixture
def bearer() -> Callable[[str], dict[str, str]]:
    return lambda token: {"Authorization": f"Bearer {token}"}


@pytest.fixture
def openapi_check(client) -> Callable[..., None]:
    """Validate a real response against the operation it answers in /api/v1/openapi.json."""
    document = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:openapi", Resource(contents=document, specification=DRAFT202012))

    def check(response, path: str, method: str) -> None:
        operation = document["paths"][path][method]
        described = operation["responses"].get(str(response.status_code))
        assert described, f"{method.upper()} {path} answered {response.status_code}, not in the document"
        content = described.get("content", {})
        media = response.mimetype
        assert media in content, f"{media} not described for {response.status_code}"
        schema: dict[str, Any] = _rebase(content[media]["schema"])
        Draft202012Validator(schema, registry=registry).validate(response.get_json())

    return check


def _rebase(schema: Any) -> Any:
    """Point local component references at the registered document."""
    if isinstance(schema, dict):
        return {
            k: ("urn:openapi" + v if k == "$ref" and v.startswith("#") else _rebase(v))
            for k, v in schema.items()
        }
    if isinstance(schema, list):
        return [_rebase(v) for v in schema]
    return schema
