"""Which connector serves which platform, and the fields each one needs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from app.channels.connectors.base import ChannelConfig, Connector
from app.channels.connectors.bluesky import BlueskyConnector
from app.channels.connectors.manual import ManualConnector
from app.channels.connectors.mastodon import MastodonConnector
from app.channels.connectors.telegram import TelegramConnector
from app.channels.connectors.webhook import WebhookConnector
from app.platforms import AUTOMATIC_PLATFORMS, CONNECTED_PLATFORMS


@dataclass(frozen=True)
class FieldSpec:
    """One form field of a channel: stored encrypted when secret."""

    name: str
    label: Any  # a lazy translation
    help: Any = ""
    secret: bool = False


@dataclass(frozen=True)
class ConnectorSpec:
    """What the channel form asks for one platform."""

    platform: str
    label: Any  # a lazy translation, or a platform's own name
    credentials: tuple[FieldSpec, ...]
    settings: tuple[FieldSpec, ...]
    server_url: str  # "required", "optional" (a default exists) or "unused"
    handle: str  # "required", "optional" or "unused"
    server_url_default: str | None = None


_CONNECTORS: dict[str, type[Connector]] = {
    "mastodon": MastodonConnector,
    "bluesky": BlueskyConnector,
    "telegram": TelegramConnector,
    "webhook": WebhookConnector,
    "manual": ManualConnector,
}

# The platform table says which platforms have a connector; a missing one is an error at import.
if set(_CONNECTORS) != set(CONNECTED_PLATFORMS):
    raise RuntimeError(
        f"connectors {sorted(_CONNECTORS)} do not match the platform table {CONNECTED_PLATFORMS}"
    )
# Platforms the worker publishes to automatically; "manual" is posted by a person.
PLATFORMS_WITH_CONNECTORS: frozenset[str] = AUTOMATIC_PLATFORMS
ALL_PLATFORMS: tuple[str, ...] = CONNECTED_PLATFORMS

CONNECTOR_SPECS: dict[str, ConnectorSpec] = {
    "mastodon": ConnectorSpec(
        platform="mastodon",
        label="Mastodon",
        credentials=(
            FieldSpec(
                "access_token",
                _l("Access token"),
                _l("Preferences → Development → New application, scope write:statuses and read:accounts."),
                secret=True,
            ),
        ),
        settings=(),
        server_url="required",
        handle="optional",
    ),
    "bluesky": ConnectorSpec(
        platform="bluesky",
        label="Bluesky",
        credentials=(
            FieldSpec(
                "app_password",
                _l("App password"),
                _l("Settings → Privacy and security → App passwords. Never the account password."),
                secret=True,
            ),
        ),
        settings=(),
        server_url="optional",
        handle="required",
        server_url_default="https://bsky.social",
    ),
    "telegram": ConnectorSpec(
        platform="telegram",
        label="Telegram",
        credentials=(
            FieldSpec(
                "bot_token",
                _l("Bot token"),
                _l("From @BotFather; add the bot as a channel admin."),
                secret=True,
            ),
        ),
        settings=(
            FieldSpec(
                "chat_id", _l("Chat id"), _l("@channelusername or the numeric id such as -1001234567890.")
            ),
        ),
        server_url="optional",
        handle="unused",
        server_url_default="https://api.telegram.org",
    ),
    "webhook": ConnectorSpec(
        platform="webhook",
        label=_l("Webhook"),
        credentials=(
            FieldSpec(
                "secret",
                _l("Signing secret"),
                _l("whsec_… (Standard Webhooks); generated for you if left empty."),
                secret=True,
            ),
        ),
        settings=(
            FieldSpec("url", _l("Webhook URL"), _l("https:// address that receives signed POST requests.")),
        ),
        server_url="unused",
        handle="unused",
    ),
    "manual": ConnectorSpec(
        platform="manual",
        label=_l("Manual (posted by a person)"),
        credentials=(),
        settings=(),
        server_url="unused",
        handle="optional",
    ),
}

CONNECTOR_FIELDS: dict[str, dict[str, list[str]]] = {
    platform: {
        "credentials": [f.name for f in spec.credentials],
        "settings": [f.name for f in spec.settings],
    }
    for platform, spec in CONNECTOR_SPECS.items()
}


def get_connector(config: ChannelConfig) -> Connector:
    """The connector for a channel's platform."""
    try:
        cls = _CONNECTORS[config.platform]
    except KeyError:
        raise ValueError(f"No connector for platform {config.platform!r}.") from None
    return cls(config)
