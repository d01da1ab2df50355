"""How a post will look on Mastodon, Bluesky and Telegram: which parts become links, mentions and tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from app.checks import lengths
from app.checks.richtext import bluesky_spans

Span: TypeAlias = tuple[int, int, str, str | None]  # start, end, kind, link target
PREVIEW_PLATFORMS = ("mastodon", "bluesky", "telegram")
_LINK_DISPLAY = {"mastodon": 30, "bluesky": 27}  # both apps shorten the shown link, keep the full target


@dataclass(frozen=True)
class Piece:
    """A run of the post: plain text, or a link, mention or tag the platform marks up."""

    text: str
    kind: str = "text"  # text | link | mention | tag
    target: str | None = None


def preview(text: str, platform: str) -> list[Piece]:
    """The post cut into pieces as the platform marks it up."""
    if platform == "bluesky":
        spans = [(s.start, s.end, s.kind, s.value if s.kind == "link" else None) for s in bluesky_spans(text)]
    else:
        spans = sorted(_links(text, platform) + _mentions(text, platform) + _tags(text), key=lambda s: s[0])
    pieces: list[Piece] = []
    position = 0
    for start, end, kind, target in spans:
        if start < position:
            continue  # a mention or tag inside a link stays part of the link
        if start > position:
            pieces.append(Piece(text[position:start]))
        pieces.append(Piece(_shown(text[start:end], kind, platform), kind, target))
        position = end
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def _links(text: str, platform: str) -> list[Span]:
    # Mastodon links only addresses written with http(s)://; Telegram links bare domains too.
    with_scheme_only = platform in ("mastodon", "bluesky")
    found: list[Span] = []
    for start, end in lengths.find_urls(text, with_scheme_only=with_scheme_only):
        url = text[start:end]
        found.append((start, end, "link", url if "://" in url else f"https://{url}"))
    return found


def _mentions(text: str, platform: str) -> list[Span]:
    found: list[Span] = []
    for start, end, user, domain in lengths.find_mentions(text):
        if platform == "bluesky" and "." not in user:
            continue  # a Bluesky handle is a domain name, such as name.bsky.social
        if platform == "telegram" and (domain or "." in user):
            continue  # Telegram usernames have no dots and no server
        found.append((start, end, "mention", None))
    return found


def _tags(text: str) -> list[Span]:
    found: list[Span] = [(start, end, "tag", None) for start, end in lengths.find_hashtags(text)]
    return found


def _shown(text: str, kind: str, platform: str) -> str:
    limit = _LINK_DISPLAY.get(platform)
    if kind != "link" or limit is None:
        return text
    bare = text.split("://", 1)[-1].removeprefix("www.")
    return bare if len(bare) <= limit else bare[: limit - 1] + "…"


def previews_for(text_of: dict[str, str]) -> list[tuple[str, list[Piece]]]:
    """(platform, pieces) for each previewable platform given, in a fixed order."""
    return [(p, preview(text_of[p], p)) for p in PREVIEW_PLATFORMS if p in text_of]
