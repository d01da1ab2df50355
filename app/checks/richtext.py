"""What Bluesky makes clickable in a text: links, mentions and hashtags, as character spans.

One home for the rule: the connector turns these spans into facets (UTF-8 byte offsets) and the
editor's preview marks the same spans. Patterns follow the Bluesky "Links, mentions and rich text"
guide and the official detector: a link starts the text or follows a space or "("; a bare domain on
a known top-level domain is a link; trailing punctuation and closing quotes are not part of a link.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from app.checks.lengths import is_known_tld

# (Wikipedia: Droits_de_l'homme); closing punctuation and quotes after it do not.
_LINK = regex.compile(
    r"(?:^|(?<=[\s(]))(?:https?://\S+|(?P<domain>[a-z][a-z0-9]*(?:\.[a-z0-9]+)+)(?:/\S*)?)",
    regex.I | regex.M,
)
_MENTION = regex.compile(
    r"(?<![\w@.])@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
# Invisible characters end a tag; "#" followed by U+FE0F is the keycap emoji #️⃣, not a tag.
_INVISIBLE = "\u00ad\u2060\u200a\u200b\u200c\u200d\u20e2\u20e3"
_HASHTAG = regex.compile(
    rf"(?:^|(?<=\s))[#＃](?!\ufe0f)([^\s#＃{_INVISIBLE}]*[^\d\s\p{{P}}#＃{_INVISIBLE}\ufe0f][^\s#＃{_INVISIBLE}]*)"
)
_TRAILING_PUNCT = regex.compile(r"\p{P}+$")
_LINK_TRAILING = ".,;:!?\"'”’»›"
_MAX_TAG = 64


@dataclass(frozen=True)
class RichSpan:
    """A clickable run: kind link (value: the URI), mention (the handle) or tag (the tag)."""

    start: int
    end: int
    kind: str
    value: str


def bluesky_spans(text: str) -> list[RichSpan]:
    """Links, then mentions and tags that do not fall inside a link, in text order."""
    spans: list[RichSpan] = []
    for match in _LINK.finditer(text):
        domain = match.group("domain")
        if domain and not is_known_tld(domain.rsplit(".", 1)[-1]):
            continue
        url = _trim_link(match.group(0))
        uri = f"https://{url}" if domain else url
        spans.append(RichSpan(match.start(), match.start() + len(url), "link", uri))
    links = [(span.start, span.end) for span in spans]
    for match in _MENTION.finditer(text):
        if not _overlaps(match.start(), match.end(), links):
            spans.append(RichSpan(match.start(), match.end(), "mention", match.group(1)))
    for match in _HASHTAG.finditer(text):
        tag = _TRAILING_PUNCT.sub("", match.group(1))
        start, end = match.start(1) - 1, match.start(1) + len(tag)
        if tag and len(tag) <= _MAX_TAG and not _overlaps(start, end, links):
            spans.append(RichSpan(start, end, "tag", tag))
    return sorted(spans, key=lambda span: span.start)


def _trim_link(url: str) -> str:
    """Drop sentence punctuation, closing quotes and an unbalanced ")" from the end of a link."""
    while url:
        if url[-1] in _LINK_TRAILING or url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
