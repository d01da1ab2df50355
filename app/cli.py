"""Command-line interface: `flask --app wsgi COMMAND` (contracts in DESIGN.md)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Organisation, Role
from app.demo import seed_demo
from app.extensions import db
from app.worker import run_worker, tick


@click.command("seed-demo")
@click.option("--password", help="Password for every demo user (default: generated once into instance/).")
@with_appcontext
def seed_demo_command(password: str | None) -> None:
    """Create the demo organisations, users and data (idempotent) and print the logins."""
    logins = seed_demo(password)
    click.echo(f"Demo logins (password for all: {logins.password})")
    for email in logins.emails:
        click.echo(f"  {email}")


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--org", "org_slug", required=True, help="Organisation short name (slug).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", default="")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user_command(email: str, org_slug: str, role: str, name: str, password: str) -> None:
    """Create a user in an organisation."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise click.ClickException(f"No organisation with the short name '{org_slug}'.")
    try:
        user = services.create_user(
            email=email, name=name, password=password, organisation=org, role=Role(role), actor=None
        )
    except services.AccountError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Created {user.email} ({role}) in {org.slug}.")


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the publishing worker (APScheduler ticker) until interrupted."""
    run_worker(current_app._get_current_object())  # type: ignore[attr-defined]


@click.command("dispatch")
@click.option("--once", is_flag=True, required=True, help="Run one dispatch pass and exit.")
@with_appcontext
def dispatch_command(once: bool) -> None:
    """Run one dispatch pass (for cron and tests)."""
    tick(current_app._get_current_object(), worker_id="dispatch-once")  # type: ignore[attr-defined]
    click.echo("Dispatch pass done.")
