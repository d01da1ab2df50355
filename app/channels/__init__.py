"""Partner channels: an organisation's accounts on platforms, with encrypted credentials."""

from __future__ import annotations

import click
from flask import Blueprint, Flask
from flask.cli import with_appcontext
from flask_babel import lazy_gettext as _l

bp = Blueprint("channels", __name__, url_prefix="/channels")


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every channel's credentials under the newest key (the first in COUNTERPOINT_ENCRYPTION_KEYS)."""
    from app.audit.services import record
    from app.channels.crypto import CredentialError, rotate_all
    from app.extensions import db

    try:
        count = rotate_all()
    except CredentialError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    record("channel.keys_rotated", actor=None, details={"count": count})
    db.session.commit()
    click.echo(f"Re-encrypted the credentials of {count} channel(s) under the newest key.")


def init_app(app: Flask) -> None:
    """Navigation entry and the rotate-keys command, once."""
    from app.core.templating import NAVIGATION, NavItem

    if not any(item.endpoint == "channels.index" for item in NAVIGATION):
        NAVIGATION.append(NavItem("channels.index", _l("Channels")))
    if "rotate-keys" not in app.cli.commands:
        app.cli.add_command(rotate_keys_command)
    from app.channels.services import recheck_servers_tick
    from app.publishing.worker import TICK_TASKS

    if recheck_servers_tick not in TICK_TASKS:
        TICK_TASKS.append(recheck_servers_tick)
