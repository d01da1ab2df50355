"""Demo data: two organisations, four people, synthetic trends, a campaign, an approval and channels."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Organisation, Role, User
from app.campaigns.demo import seed_demo_campaign
from app.drafting.demo import seed_demo_drafts
from app.extensions import db
from app.publishing.seed import seed_publishing_demo
from app.review.demo import seed_demo_approval
from app.trends.demo import seed_demo_trends

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

# Each feature seeds its own demo objects, idempotently; later ones build on earlier ones.
FEATURE_SEEDERS = (
    seed_demo_trends,
    seed_demo_campaign,
    seed_demo_drafts,
    seed_demo_approval,
    seed_publishing_demo,
)


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
