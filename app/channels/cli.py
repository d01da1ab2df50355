"""`flask rotate-keys`: re-encrypt channel credentials under the newest key."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.audit.services import record
from app.channels.services import rotate_all
from app.common.audit_actions import AuditAction
from app.common.crypto import CredentialError
from app.extensions import db


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every channel's credentials under the newest key (the first in COUNTERPOINT_ENCRYPTION_KEYS)."""
    try:
        count = rotate_all()
    except CredentialError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record(AuditAction.CHANNEL_KEYS_ROTATED, actor=None, details={"count": count})
    db.session.commit()
    click.echo(f"Re-encrypted the credentials of {count} channel(s) under the newest key.")
