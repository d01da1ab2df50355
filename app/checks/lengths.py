"""Platform-accurate length counting for counter-messages (limits and rules from DOMAIN.md)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import regex

from app.checks.messages import render
from app.platforms import PLATFORMS, TABLE, UNLIMITED

__all__ = [
    "PLATFORMS",
    "UNLIMITED",
    "LengthProblem",
    "LengthResult",
    "count",
    "find_hashtags",
    "find_mentions",
    "find_urls",
    "is_known_tld",
    "limit_for",
    "measure",
]


BLUESKY_MAX_BYTES = 3000
URL_WEIGHT = 23  # twitter-text transformedURLLength; Mastodon's URL_PLACEHOLDER is 23 'x' too

# twitter-text v3 configuration: these ranges weigh 1, every other code point 2.
_X_LIGHT_RANGES = (
    (0x0000, 0x10FF),
    (0x2000, 0x200D),
    (0x2010, 0x201F),
    (0x2032, 0x2037),
)


@dataclass(frozen=True)
class LengthProblem:
    """One broken platform rule: which (the variant of length.over_limit), its numbers and its span."""

    variant: str
    params: tuple[tuple[str, str | int], ...]
    start: int
    end: int

    @property
    def message(self) -> str:
        """The rule in words, in the current language (app.checks.messages)."""
        return render(
            f"length.over_limit:{self.variant}" if self.variant else "length.over_limit", dict(self.params)
        )


@dataclass(frozen=True)
class LengthResult:
    """How long a text is on one platform, its limit, and what breaks the platform's rules."""

    count: int
    limit: int
    unit: str
    problems: tuple[LengthProblem, ...]


def _load_tlds() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "tlds.txt"
    return frozenset(
        line.strip().lower()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    )


_TLDS = _load_tlds()
_TLD_ALT = "|".join(sorted(_TLDS, key=lambda t: (-len(t), t)))


def is_known_tld(label: str) -> bool:
    """Whether a top-level domain is one a bare link may end in (data/tlds.txt)."""
    return label.lower() in _TLDS


# twitter-text link rules: the host must end in a known TLD (or punycode), with or without a
# scheme; bare IP addresses and dotless hosts are not links. data/tlds.txt holds every country
# code but only common generic TLDs: a link on a rare gTLD is counted as plain characters.
# Labels are matched possessively (Python 3.11+) so that ordinary words cost linear time.
_LABEL = r"[^\W_]++(?:-++[^\W_]++)*+"
_URL_RE = re.compile(
    r"(?:(?<![^\W_])(?P<scheme>https?://)|(?<![\w@＠.$#/\-]))"
    rf"(?P<host>(?:{_LABEL}\.)+(?:{_TLD_ALT}|xn--[a-z0-9\-]+))(?![\w\-])"
    r"(?::\d{1,5})?(?(scheme)(?:[/?#][^\s<>\"«»“”\[\]]*)?|(?:/[^\s<>\"«»“”\[\]]*)?)",
    re.IGNORECASE,
)
_MAX_LABEL = 63  # DNS limit: a longer "label" is just a long word
_TRAILING_PUNCT = ".,:;!?'\"…’"

# An @ not preceded by a word character: excludes e-mail addresses. Covers @user, @user@domain
# (Mastodon/fediverse) and @handle.bsky.social (Bluesky).
_MENTION_RE = regex.compile(
    r"(?<![\p{L}\p{N}_@＠.\-/+])[@＠](?P<user>[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?)"
    r"(?:@(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+))?"
)

# A hashtag needs at least one letter (#2024 is not a tag) and must not follow a word character.
_HASHTAG_RE = regex.compile(
    r"(?<![\p{L}\p{M}\p{N}_&#＃/])[#＃](?=[\p{L}\p{M}\p{N}_]*\p{L})[\p{L}\p{M}\p{N}_]+"
)

_GRAPHEME_RE = regex.compile(r"\X")
_EMOJI_MARK_RE = regex.compile(
    r"[\p{Emoji_Presentation}\p{Regional_Indicator}\u20e3]|\p{Extended_Pictographic}\ufe0f"
)


def find_urls(text: str, *, with_scheme_only: bool = False) -> list[tuple[int, int]]:
    """Return the (start, end) spans of links in the text, twitter-text style."""
    return list(_find_urls(text, with_scheme_only))


@lru_cache(maxsize=1024)
def _find_urls(text: str, with_scheme_only: bool) -> tuple[tuple[int, int], ...]:
    if "." not in text:
        return ()
    spans = []
    for m in _URL_RE.finditer(text):
        if with_scheme_only and m.group("scheme") is None:
            continue
        if any(len(label) > _MAX_LABEL for label in m.group("host").split(".")):
            continue
        start, end = m.span()
        spans.append((start, _trim_url_end(text, start, end)))
    return tuple(spans)


def _trim_url_end(text: str, start: int, end: int) -> int:
    """Drop sentence punctuation and unbalanced closing brackets from the end of a link."""
    while end > start:
        last = text[end - 1]
        unbalanced = last == ")" and text.count("(", start, end) < text.count(")", start, end)
        if last not in _TRAILING_PUNCT and not unbalanced:
            break
        end -= 1
    return end


def find_mentions(text: str) -> list[tuple[int, int, str, str | None]]:
    """Return (start, end, user, domain) for each @mention; e-mail addresses are not mentions."""
    return [(m.start(), m.end(), m.group("user"), m.group("domain")) for m in _MENTION_RE.finditer(text)]


def find_hashtags(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) spans of hashtags, ignoring '#' inside links."""
    return list(_find_hashtags(text))


@lru_cache(maxsize=1024)
def _find_hashtags(text: str) -> tuple[tuple[int, int], ...]:
    if "#" not in text and "＃" not in text:
        return ()
    urls = _find_urls(text, False)
    return tuple(m.span() for m in _HASHTAG_RE.finditer(text) if not any(s <= m.start() < e for s, e in urls))


def limit_for(platform: str) -> int:
    """Return the default character limit for a platform."""
    return TABLE[_check_platform(platform)].limit


def count(text: str, platform: str, *, limit: int | None = None, rule: str | None = None) -> LengthResult:
    """Count the text as the platform does and list the platform rules it breaks.

    rule is a channel's server length rule (app.channels.capabilities): "raw" counts code
    points, "strict" the larger of raw and the platform's own count; None is the platform's.
    """
    return measure(text, platform, limit=limit, rule=rule)[0]


def measure(
    text: str, platform: str, *, limit: int | None = None, rule: str | None = None
) -> tuple[LengthResult, tuple[LengthProblem, ...]]:
    """Like count(), plus the span of each problem so the editor can highlight it."""
    return _measure(text, _check_platform(platform), limit, rule if rule in ("raw", "strict") else None)


@lru_cache(maxsize=512)
def _measure(
    text: str, platform: str, limit: int | None, rule: str | None = None
) -> tuple[LengthResult, tuple[LengthProblem, ...]]:
    max_len = TABLE[platform].limit if limit is None else limit
    segments = _segments_by_rule(text, platform, rule)
    total = sum(w for _s, _e, w in segments)
    problems: list[LengthProblem] = []
    if total > max_len:
        problems.append(_over_limit(text, platform, segments, total, max_len))
    if platform == "bluesky":
        problems.extend(_bluesky_bytes(text))
    problems.extend(_caps(text, platform))
    result = LengthResult(total, max_len, TABLE[platform].unit, tuple(problems))
    return result, tuple(problems)


def _segments_by_rule(text: str, platform: str, rule: str | None) -> list[tuple[int, int, int]]:
    """The platform's segments, or raw code points, or whichever of the two counts more."""
    own = _SEGMENTERS[TABLE[platform].length_rule](text)
    if rule is None:
        return own
    raw = [(i, i + 1, 1) for i in range(len(text))]
    if rule == "raw":
        return raw
    return raw if len(raw) > sum(w for _s, _e, w in own) else own


def _check_platform(platform: str) -> str:
    key = (platform or "").strip().lower()
    if key not in TABLE:
        raise ValueError(f"unknown platform {platform!r}; expected one of {', '.join(PLATFORMS)}")
    return key


def _over_limit(
    text: str,
    platform: str,
    segments: list[tuple[int, int, int]],
    total: int,
    max_len: int,
) -> LengthProblem:
    """Report the excess and highlight from the first character past the limit."""
    running = 0
    start = len(text)
    for seg_start, _seg_end, weight in segments:
        running += weight
        if running > max_len:
            start = seg_start
            break
    params = (("platform", platform), ("count", total), ("limit", max_len), ("excess", total - max_len))
    return LengthProblem("", params, start, len(text))


def _bluesky_bytes(text: str) -> list[LengthProblem]:
    size = len(text.encode("utf-8"))
    if size <= BLUESKY_MAX_BYTES:
        return []
    running = 0
    start = len(text)
    for i, ch in enumerate(text):
        running += len(ch.encode("utf-8"))
        if running > BLUESKY_MAX_BYTES:
            start = i
            break
    return [LengthProblem("bytes", (("size", size), ("limit", BLUESKY_MAX_BYTES)), start, len(text))]


def _caps(text: str, platform: str) -> list[LengthProblem]:
    problems: list[LengthProblem] = []
    cap = TABLE[platform].hashtag_cap
    if cap is not None:
        tags = find_hashtags(text)
        if len(tags) > cap:
            problem = LengthProblem(
                "hashtags",
                (("platform", platform), ("cap", cap), ("n", len(tags)), ("extra", len(tags) - cap)),
                tags[cap][0],
                tags[-1][1],
            )
            if platform == "threads":
                problem = LengthProblem("topic_tag", (("n", len(tags)),), tags[cap][0], tags[-1][1])
            problems.append(problem)
    link_cap = TABLE[platform].link_cap
    if link_cap is not None:
        links = find_urls(text)
        if len(links) > link_cap:
            params = (
                ("platform", platform),
                ("cap", link_cap),
                ("n", len(links)),
                ("extra", len(links) - link_cap),
            )
            problems.append(LengthProblem("links", params, links[link_cap][0], links[-1][1]))
    return problems


def _is_emoji(cluster: str) -> bool:
    """True for emoji presentation sequences (flags, keycaps, ZWJ, skin tones, VS16)."""
    # Any such grapheme weighs 2 on X, including sequences newer than the emoji data shipped in
    # twitter-text 3.1.0 (which splits e.g. the transgender flag into parts).
    return _EMOJI_MARK_RE.search(cluster) is not None


def _x_weight(cluster: str) -> int:
    if len(cluster) == 1 and ord(cluster) <= 0x10FF:
        return 1
    if _is_emoji(cluster):
        return 2
    weight = 0
    for ch in unicodedata.normalize("NFC", cluster):
        cp = ord(ch)
        weight += 1 if any(lo <= cp <= hi for lo, hi in _X_LIGHT_RANGES) else 2
    return weight


def _walk(
    text: str, entities: list[tuple[int, int, int]], weigh: Callable[[str], int]
) -> list[tuple[int, int, int]]:
    """Split text into (start, end, weight): entities keep their weight, clusters are weighed."""
    segments: list[tuple[int, int, int]] = []
    pos = 0
    for ent_start, ent_end, ent_weight in sorted(entities):
        if ent_start < pos:
            continue
        segments.extend(_clusters(text, pos, ent_start, weigh))
        segments.append((ent_start, ent_end, ent_weight))
        pos = ent_end
    segments.extend(_clusters(text, pos, len(text), weigh))
    return segments


def _clusters(text: str, start: int, end: int, weigh: Callable[[str], int]) -> list[tuple[int, int, int]]:
    if start >= end:
        return []
    if text.isascii() and "\r\n" not in text:
        return [(i, i + 1, 1) for i in range(start, end)]
    return [(m.start(), m.end(), weigh(m.group())) for m in _GRAPHEME_RE.finditer(text, start, end)]


def _x_segments(text: str) -> list[tuple[int, int, int]]:
    # twitter-text NFC-normalises first; weighing NFC(cluster) is equivalent because
    # canonical composition never crosses a grapheme-cluster boundary.
    entities = [(s, e, URL_WEIGHT) for s, e in find_urls(text)]
    return _walk(text, entities, _x_weight)


def _mastodon_segments(text: str) -> list[tuple[int, int, int]]:
    # Mastodon's StatusLengthValidator: URLs with a scheme count 23, @user@domain counts as @user.
    entities = [(s, e, URL_WEIGHT) for s, e in find_urls(text, with_scheme_only=True)]
    for start, end, user, domain in find_mentions(text):
        if domain is not None:
            entities.append((start, end, 1 + len(_GRAPHEME_RE.findall(user))))
    return _walk(text, entities, lambda _c: 1)


def _grapheme_segments(text: str) -> list[tuple[int, int, int]]:
    return _walk(text, [], lambda _c: 1)


def _threads_segments(text: str) -> list[tuple[int, int, int]]:
    # Threads counts an emoji as its UTF-8 byte length, other characters as one.
    return _walk(text, [], lambda c: len(c.encode("utf-8")) if _is_emoji(c) else 1)


def _utf16_segments(text: str) -> list[tuple[int, int, int]]:
    return _walk(text, [], lambda c: len(c.encode("utf-16-le")) // 2)


# One counting function per length rule of the platform table.
_SEGMENTERS: dict[str, Callable[[str], list[tuple[int, int, int]]]] = {
    "x": _x_segments,
    "mastodon": _mastodon_segments,
    "graphemes": _grapheme_segments,
    "threads": _threads_segments,
    "utf16": _utf16_segments,
}
