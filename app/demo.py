"""Demo data: two organisations, four people, and (as features arrive) synthetic trends and channels."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Organisation, Role, User
from app.extensions import db

DEMO_ORGANISATIONS = (
    ("demo-ngo", "Demo NGO", "Europe/Paris", "en"),
    ("partner-ngo", "Partner NGO", "Europe/Brussels", "fr"),
)
DEMO_USERS = (
    ("staff@demo.example", "Sam Staff", "demo-ngo", Role.STAFF),
    ("lead@demo.example", "Lee Lead", "demo-ngo", Role.LEAD),
    ("admin@demo.example", "Ada Admin", "demo-ngo", Role.ADMIN),
    ("lead@partner.example", "Paz Partner", "partner-ngo", Role.LEAD),
)

# Each feature adds a function that seeds its own demo objects, idempotently.
FEATURE_SEEDERS: list[Callable[[dict[str, Organisation], dict[str, User]], None]] = []


@dataclass(frozen=True)
class DemoLogins:
    password: str
    emails: tuple[str, ...]


def demo_password(explicit: str | None = None) -> str:
    """The demo password: given, or generated once into instance/ so every run prints the same."""
    if explicit:
        return explicit
    path = Path(current_app.instance_path) / "demo_password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(12) + "\n")
        path.chmod(0o600)
    return path.read_text().strip()


def seed_demo(password: str | None = None) -> DemoLogins:
    """Create the demo organisations, people and feature data once; running it again changes nothing."""
    password = demo_password(password)
    orgs = {slug: _organisation(slug, name, zone, lang) for slug, name, zone, lang in DEMO_ORGANISATIONS}
    users = {email: _user(email, name, orgs[slug], role, password) for email, name, slug, role in DEMO_USERS}
    db.session.flush()
    for seeder in FEATURE_SEEDERS:
        seeder(orgs, users)
    db.session.commit()
    return DemoLogins(password=password, emails=tuple(email for email, *_ in DEMO_USERS))


def _organisation(slug: str, name: str, zone: str, language: str) -> Organisation:
    existing = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    return existing or services.create_organisation(
        name=name, slug=slug, time_zone=zone, default_language=language, actor=None
    )


def _user(email: str, name: str, org: Organisation, role: Role, password: str) -> User:
    existing = services.find_user_by_email(email)
    return existing or services.create_user(
        email=email, name=name, password=password, organisation=org, role=role, actor=None
    )
