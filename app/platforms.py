"""The platform table: one row per platform, read by the checks, the forms, channels and publishing.

A row says how the platform is named, how long a post may be and in which unit it is counted
(the counting itself is app.checks.lengths, keyed by `length_rule`), how many hashtags and links it
takes, and whether the worker publishes to it (the connector for each such platform is in
app.channels.connectors.registry, which refuses to load when a platform here has none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

# Webhook and manual channels have no platform limit; a large number keeps the arithmetic simple.
UNLIMITED = 100_000


@dataclass(frozen=True)
class Platform:
    key: str
    label: Any  # shown in forms (a lazy translation where the name is not a brand)
    in_sentence: str  # how a finding names it: "Bluesky", "the webhook"
    limit: int
    unit: str
    length_rule: str  # how app.checks.lengths counts: "x", "mastodon", "threads", "graphemes", "utf16"
    hashtag_cap: int | None = None
    link_cap: int | None = None
    has_connector: bool = False  # a channel on it publishes through a connector
    automatic: bool = False  # the worker publishes it without a person


# Facebook, LinkedIn and Instagram do not document their unit; their web clients measure
# JavaScript string length, so UTF-16 code units is the conservative (never under-counting) choice.
TABLE: dict[str, Platform] = {
    p.key: p
    for p in (
        Platform("x", "X", "X", 280, "weighted characters", "x"),
        Platform(
            "mastodon",
            "Mastodon",
            "Mastodon",
            500,
            "characters",
            "mastodon",
            has_connector=True,
            automatic=True,
        ),
        Platform(
            "bluesky",
            "Bluesky",
            "Bluesky",
            300,
            "graphemes",
            "graphemes",
            hashtag_cap=8,
            has_connector=True,
            automatic=True,
        ),
        Platform("threads", "Threads", "Threads", 500, "characters", "threads", hashtag_cap=1, link_cap=5),
        Platform(
            "telegram",
            "Telegram",
            "Telegram",
            4096,
            "UTF-16 code units",
            "utf16",
            has_connector=True,
            automatic=True,
        ),
        Platform("facebook", "Facebook", "Facebook", 63_206, "UTF-16 code units", "utf16"),
        Platform("linkedin", "LinkedIn", "LinkedIn", 3000, "UTF-16 code units", "utf16"),
        Platform("instagram", "Instagram", "Instagram", 2200, "UTF-16 code units", "utf16", hashtag_cap=5),
        Platform(
            "webhook",
            _l("Webhook"),
            "the webhook",
            UNLIMITED,
            "characters",
            "graphemes",
            has_connector=True,
            automatic=True,
        ),
        Platform(
            "manual",
            _l("Manual posting"),
            "this channel",
            UNLIMITED,
            "characters",
            "graphemes",
            has_connector=True,
        ),
    )
}

PLATFORMS: tuple[str, ...] = tuple(TABLE)
AUTOMATIC_PLATFORMS: frozenset[str] = frozenset(key for key, p in TABLE.items() if p.automatic)
CONNECTED_PLATFORMS: tuple[str, ...] = tuple(key for key, p in TABLE.items() if p.has_connector)
PLATFORM_CHOICES: list[tuple[str, Any]] = [(key, p.label) for key, p in TABLE.items()]


def platform(key: str) -> Platform:
    """The row of a platform; ValueError names the known ones."""
    try:
        return TABLE[key]
    except KeyError:
        raise ValueError(f"unknown platform {key!r}; expected one of {', '.join(PLATFORMS)}") from None


def label(key: str) -> Any:
    """A platform's label for forms and pages; an unknown key shows as itself."""
    row = TABLE.get(key)
    return row.label if row else key
