"""`flask --app wsgi api-token create --org SLUG --name NAME`."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.models import Organisation
from app.api import tokens
from app.extensions import db

api_token_cli = AppGroup("api-token", help="Manage API tokens.")


@api_token_cli.command("create")
@click.option("--org", "org_slug", required=True, help="Organisation short name (slug).")
@click.option("--name", required=True, help="What will use the token.")
def create_command(org_slug: str, name: str) -> None:
    """Create a token; it is printed once, alone on the last line."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise click.ClickException(f"No organisation with the short name '{org_slug}'.")
    try:
        token, clear = tokens.create_token(org, name, actor=None)
    except tokens.TokenError as error:
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(
        f"Created token '{token.name}' ({token.prefix}…) for {org.slug}. Store it now; it is not shown again:"
    )
    click.echo(clear)
