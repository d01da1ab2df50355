"""Channels: create, change, pause, re-authorise, test. Callers commit; credentials are never logged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from app.accounts.models import Organisation, Role, User
from app.accounts.services import check_password
from app.audit.services import record
from app.channels.connectors import CONNECTOR_SPECS, ChannelConfig, ConnectorError, get_connector
from app.channels.connectors.bluesky import clear_sessions
from app.channels.connectors.mastodon import MastodonConnector
from app.channels.connectors.webhook import generate_webhook_secret
from app.channels.models import Channel
from app.channels.sessions import DbSessionStore
from app.channels.urls import UnsafeURLError, validate_outbound_url
from app.common.audit_actions import AuditAction
from app.common.crypto import CredentialError, decrypt_credentials, encrypt_credentials, fernet
from app.common.time import is_valid_zone, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.checks.lengths import LengthProblem

PLATFORMS: tuple[str, ...] = tuple(CONNECTOR_SPECS)


class ChannelError(ValueError):
    """A channel change that cannot be made, with a message for people."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class ChannelFields:
    """What a person may set on a channel (credentials apart)."""

    display_name: str
    handle: str | None = None
    server_url: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    time_zone: str = "UTC"
    posting_windows: dict[str, list[list[str]]] = field(default_factory=dict)
    min_spacing_minutes: int = 0
    daily_cap: int | None = None
    char_limit_override: int | None = None
    is_paused: bool = False
    is_individual_account: bool = False


def can_manage(user: User, organisation_id: int) -> bool:
    """Leads and admins manage their own organisation's channels."""
    return user.organisation_id == organisation_id and user.has_role(Role.LEAD)


def _require_manager(actor: User, organisation_id: int) -> None:
    if not can_manage(actor, organisation_id):
        raise ChannelError(_("Only a lead or an admin of the organisation can change its channels."))


def check_url(url: str, field_name: str = "server_url") -> str:
    """Validate an outbound address under this deployment's policy."""
    config = current_app.config
    try:
        return validate_outbound_url(
            url,
            allow_private=bool(config.get("COUNTERPOINT_ALLOW_PRIVATE_URLS")),
            require_https=config.get("COUNTERPOINT_ENV") == "production",
        )
    except UnsafeURLError as error:
        raise ChannelError(error.message, field=field_name) from None


def _validate(platform: str, fields: ChannelFields) -> ChannelFields:
    spec = CONNECTOR_SPECS.get(platform)
    if spec is None:
        raise ChannelError(_("Choose one of the platforms in the list."), field="platform")
    if not fields.display_name.strip():
        raise ChannelError(_("Give the channel a name people recognise."), field="display_name")
    if not is_valid_zone(fields.time_zone):
        raise ChannelError(_("Choose a time zone from the list, such as Europe/Paris."), field="time_zone")
    fields.handle = (fields.handle or "").strip() or None
    fields.server_url = (fields.server_url or "").strip().rstrip("/") or None
    if spec.handle == "required" and not fields.handle:
        raise ChannelError(_("This platform needs the account's handle."), field="handle")
    if spec.server_url == "unused":
        fields.server_url = None
    elif spec.server_url == "required" and not fields.server_url:
        raise ChannelError(
            _("This platform needs the server address, such as https://mastodon.social."), field="server_url"
        )
    if fields.server_url:
        fields.server_url = check_url(fields.server_url)
    allowed = {f.name for f in spec.settings}
    fields.settings = {
        k: str(v).strip() for k, v in fields.settings.items() if k in allowed and str(v).strip()
    }
    for setting in spec.settings:
        if setting.name not in fields.settings:
            raise ChannelError(
                _("This platform needs: %(name)s.", name=str(setting.label)), field=setting.name
            )
    if "url" in fields.settings:
        fields.settings["url"] = check_url(fields.settings["url"], field_name="url")
    if fields.min_spacing_minutes < 0 or (fields.daily_cap is not None and fields.daily_cap < 1):
        raise ChannelError(_("Spacing cannot be negative and a daily cap is at least 1."), field="daily_cap")
    return fields


def _clean_credentials(platform: str, credentials: dict[str, str]) -> dict[str, str]:
    spec = CONNECTOR_SPECS[platform]
    cleaned = {f.name: (credentials.get(f.name) or "").strip() for f in spec.credentials}
    if platform == "webhook" and not cleaned.get("secret"):
        cleaned["secret"] = generate_webhook_secret()
    missing = [f.label for f in spec.credentials if not cleaned.get(f.name)]
    if missing:
        raise ChannelError(
            _("This platform needs: %(name)s.", name=", ".join(str(m) for m in missing)), field="secret"
        )
    return cleaned


def create_channel(
    organisation: Organisation,
    platform: str,
    fields: ChannelFields,
    credentials: dict[str, str],
    *,
    actor: User | None,
) -> Channel:
    """Create a channel with its credentials encrypted and bound to the new row."""
    if actor is not None:
        _require_manager(actor, organisation.id)
    fields = _validate(platform, fields)
    cleaned = _clean_credentials(platform, credentials)
    channel = Channel(organisation=organisation, platform=platform, **vars(fields))
    db.session.add(channel)
    db.session.flush()
    if cleaned:
        channel.credentials_encrypted = encrypt_credentials(channel.id, cleaned)
        channel.credentials_updated_at = utcnow()
    record(
        AuditAction.CHANNEL_CREATED,
        actor=actor,
        organisation=organisation,
        obj=channel,
        details={"platform": platform, "name": channel.display_name, "credentials_set": bool(cleaned)},
    )
    return channel


def update_channel(channel: Channel, fields: ChannelFields, *, actor: User) -> Channel:
    """Change a channel's settings; credentials stay as they are."""
    _require_manager(actor, channel.organisation_id)
    fields = _validate(channel.platform, fields)
    changed = sorted(name for name, value in vars(fields).items() if getattr(channel, name) != value)
    for name, value in vars(fields).items():
        setattr(channel, name, value)
    db.session.flush()
    record(
        AuditAction.CHANNEL_UPDATED,
        actor=actor,
        organisation=channel.organisation,
        obj=channel,
        details={"changed": changed},
    )
    return channel


def replace_credentials(channel: Channel, credentials: dict[str, str], *, password: str, actor: User) -> None:
    """Store new credentials after the person re-entered their password; clears needs-re-authorisation."""

    _require_manager(actor, channel.organisation_id)
    if not check_password(actor, password):
        record(
            AuditAction.CHANNEL_CREDENTIALS_REAUTH_FAILED,
            actor=actor,
            organisation=channel.organisation,
            obj=channel,
        )
        raise ChannelError(
            _("Your password was not right. Enter it again to confirm it is you."), field="password"
        )
    cleaned = _clean_credentials(channel.platform, credentials)
    channel.credentials_encrypted = encrypt_credentials(channel.id, cleaned)
    channel.credentials_updated_at = utcnow()
    channel.needs_reauth = False
    db.session.flush()
    _forget_cached_sessions()
    record(
        AuditAction.CHANNEL_CREDENTIALS_REPLACED,
        actor=actor,
        organisation=channel.organisation,
        obj=channel,
        details={"fields": sorted(cleaned)},
    )


def _forget_cached_sessions() -> None:

    clear_sessions()


def set_paused(channel: Channel, is_paused: bool, *, actor: User) -> None:
    """Pause or resume a channel; paused channels publish nothing."""
    _require_manager(actor, channel.organisation_id)
    if channel.is_paused == is_paused:
        return
    channel.is_paused = is_paused
    db.session.flush()
    record(
        AuditAction.CHANNEL_PAUSED if is_paused else AuditAction.CHANNEL_RESUMED,
        actor=actor,
        organisation=channel.organisation,
        obj=channel,
    )


def archive_channel(channel: Channel, *, actor: User) -> None:
    """Retire a channel: it stays for the history of its posts but publishes nothing more."""
    _require_manager(actor, channel.organisation_id)
    channel.is_archived = True
    db.session.flush()
    record(AuditAction.CHANNEL_ARCHIVED, actor=actor, organisation=channel.organisation, obj=channel)


def mark_needs_reauth(channel: Channel, reason: str) -> None:
    """The platform refused the credentials: stop using the channel until a person re-authorises it."""
    if channel.needs_reauth:
        return
    channel.needs_reauth = True
    db.session.flush()
    record(
        AuditAction.CHANNEL_REAUTH_REQUIRED,
        actor=None,
        organisation=channel.organisation,
        obj=channel,
        details={"reason": reason[:300]},
    )


def channel_config(channel: Channel) -> ChannelConfig:
    """The connector configuration of a channel, with its credentials decrypted at this edge."""
    config = current_app.config
    return ChannelConfig(
        platform=channel.platform,
        server_url=channel.server_url,
        handle=channel.handle,
        credentials=decrypt_credentials(channel),
        settings=dict(channel.settings or {}),
        timeout=float(config.get("COUNTERPOINT_CONNECTOR_TIMEOUT", 10.0)),
        allow_private_urls=bool(config.get("COUNTERPOINT_ALLOW_PRIVATE_URLS")),
        require_https=config.get("COUNTERPOINT_ENV") == "production",
        server_software=channel.server_software,
        session_store=DbSessionStore(channel.id) if channel.platform == "bluesky" and channel.id else None,
    )


def test_connection(channel: Channel, *, actor: User | None) -> str:
    """Check the credentials without posting; reads the server's software, version and limit."""
    try:
        answer = get_connector(channel_config(channel)).test_connection()
        _detect_server(channel)
    except CredentialError as error:
        _audit_test(channel, actor, ok=False)
        raise ChannelError(str(error)) from None
    except ConnectorError as error:
        _audit_test(channel, actor, ok=False)
        raise ChannelError(error.message) from None
    _audit_test(channel, actor, ok=True)
    return answer


def _detect_server(channel: Channel) -> None:
    """Store what the server says it is (Mastodon-API servers differ: app.channels.capabilities)."""
    channel.checked_at = utcnow()
    connector = get_connector(channel_config(channel))
    if isinstance(connector, MastodonConnector):
        info = connector.server_info()
        changed = (info.software, info.version) != (channel.server_software, channel.server_version)
        channel.server_software = (info.software or "")[:64] or None
        channel.server_version = (info.version or "")[:64] or None
        if changed:
            record(
                AuditAction.CHANNEL_SERVER_DETECTED,
                actor=None,
                organisation=channel.organisation,
                obj=channel,
                details={"software": channel.server_software, "version": channel.server_version},
            )
        limit = info.char_limit
    else:
        limit = connector.character_limit()
    if limit:
        channel.detected_char_limit = limit
    db.session.flush()


def refresh_char_limit(channel: Channel) -> str | None:
    """Read software, version and limit from the server; returns a message for people when it cannot."""
    if channel.platform != "mastodon":
        return None
    try:
        _detect_server(channel)
    except (ConnectorError, CredentialError) as error:
        return getattr(error, "message", str(error))
    return None


SERVER_RECHECK = timedelta(days=1)
UNKNOWN_RECHECK = timedelta(hours=1)
_RECHECKS_PER_TICK = 5


def recheck_servers_tick() -> int:
    """Worker task: read again, once a day, what software each Mastodon-API channel's server runs."""
    due = db.session.scalars(
        select(Channel)
        .where(
            Channel.platform == "mastodon",
            Channel.is_archived.is_(False),
            or_(
                Channel.checked_at.is_(None),
                Channel.checked_at < utcnow() - SERVER_RECHECK,
                # Never detected (e.g. channels made before detection existed): try again hourly.
                and_(Channel.server_software.is_(None), Channel.checked_at < utcnow() - UNKNOWN_RECHECK),
            ),
        )
        .order_by(Channel.checked_at.is_not(None), Channel.checked_at)
        .limit(_RECHECKS_PER_TICK)
    ).all()
    for channel in due:
        problem = refresh_char_limit(channel)
        if problem:
            channel.checked_at = utcnow()  # tried today; the next try is tomorrow
        db.session.commit()
    return len(due)


def _audit_test(channel: Channel, actor: User | None, *, ok: bool) -> None:
    record(
        AuditAction.CHANNEL_TESTED,
        actor=actor,
        organisation=channel.organisation,
        obj=channel,
        details={"ok": ok},
    )


def rotate_all() -> int:
    """Re-encrypt every channel's credentials under the newest key; returns how many changed."""
    multi = fernet()
    count = 0
    for channel in db.session.scalars(select(Channel).where(Channel.credentials_encrypted.is_not(None))):
        decrypt_credentials(channel)  # refuse to rotate a value bound to another row
        channel.credentials_encrypted = multi.rotate((channel.credentials_encrypted or "").encode()).decode()
        count += 1
    db.session.flush()
    return count


# ---------------------------------------------------------------- length per channel


@dataclass(frozen=True)
class ChannelLength:
    """A text counted the way one channel's server counts it."""

    channel: Channel
    count: int
    limit: int
    unit: str
    problems: tuple[LengthProblem, ...]  # rendered in the reader's language by their .message

    @property
    def is_refused(self) -> bool:
        """The server would refuse this text (too long, or another platform rule such as bytes)."""
        return self.count > self.limit or bool(self.problems)


def channel_length(text: str, channel: Channel) -> ChannelLength | None:
    """Count a text by the channel's own server rule and limit; None for platforms without a count."""
    from app.checks.lengths import PLATFORMS, count

    if channel.platform not in PLATFORMS:
        return None
    result = count(text, channel.platform, limit=channel.char_limit, rule=channel.length_rule)
    return ChannelLength(channel, result.count, result.limit, result.unit, tuple(result.problems))


def channels_counting_their_own_way(platforms: list[str]) -> list[Channel]:
    """Active channels on these platforms whose server counts differently from the platform default."""
    from app.checks.lengths import limit_for

    query = (
        select(Channel)
        .where(Channel.is_archived.is_(False), Channel.platform.in_(platforms))
        .order_by(Channel.organisation_id, Channel.display_name)
    )
    return [
        c
        for c in db.session.scalars(query)
        if c.length_rule is not None or (c.char_limit is not None and c.char_limit != limit_for(c.platform))
    ]
