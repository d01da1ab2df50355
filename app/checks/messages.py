"""What each check finding says: one catalogue of message keys, rendered in the reader's language.

A finding is stored as its code, severity, span and parameters; its words are looked up here by
message key (the code, or "code:variant" where one code says several things) and formatted at
display time, so a French reader sees French even for a finding saved in an English session.
Findings saved before this catalogue carry an English `message`: they are shown through gettext.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext

from app.platforms import TABLE

__all__ = ["MESSAGES", "finding_text", "message_key", "render"]


def _(s: str) -> str:
    """Mark a msgid for Babel; it is translated when rendered."""
    return s


# message key -> English msgid with str.format fields. The msgids are the ones findings used to
# store as text, so the French catalogue (and the data migration findings01) match them.
MESSAGES: dict[str, str] = {
    "length.over_limit": _(
        "Too long for {platform}: {count} of {limit} {unit}. Cut at least {excess} to fit."
    ),
    "length.over_limit:bytes": _(
        "Too long for Bluesky: {size} of {limit} bytes (UTF-8). Shorten the text, "
        "especially non-Latin characters and emoji, which take several bytes each."
    ),
    "length.over_limit:hashtags": _(
        "{platform} allows at most {cap} hashtags; this text has {n}. Remove {extra}."
    ),
    "length.over_limit:topic_tag": _(
        "Threads allows only one topic tag per post; this text has {n} hashtags. Keep one."
    ),
    "length.over_limit:links": _("{platform} allows at most {cap} links; this text has {n}. Remove {extra}."),
    "amplification.lexicon_term": _(
        "This repeats a term from the trend's never-repeat list (a slur, keyword or coded word). "
        "Repeating it spreads the campaign's language: remove it or describe the idea in "
        "neutral words."
    ),
    "amplification.hashtag": _(
        "This is the hate campaign's own hashtag or keyword used as a hashtag: it would add your "
        "post to their feed and boost it. Remove it and use only your coalition's supportive "
        "hashtags."
    ),
    "amplification.evidence_overlap": _(
        "These {n} words repeat an evidence post word for word. Never quote the hateful "
        "post: say what is true in your own words, or leave it out."
    ),
    "amplification.evidence_link": _(
        "This links to or names a post or account from the trend's evidence. Linking or tagging "
        "the source sends it attention and can expose you to its followers: remove it."
    ),
    "mention.handle": _(
        "This tags an account ({handle}). Tagging people can start a pile-on or alert the "
        "authors of the hate; remove the mention unless the account's owner agreed to it."
    ),
    "tone.hostile": _(
        "Hostile wording: insults, labels for people or dehumanising words make readers "
        "defensive and can escalate the exchange. Criticise the statement, not the person, "
        "in calm words."
    ),
    # The exclusion, shaming and "go back" patterns of data/patterns.tsv.
    "tone.hostile:exclusion": _(
        "This calls for people to be thrown out, sent away or shamed. Even in reply to hate, it turns "
        "the message against people: speak about the rumour or the behaviour, never about removing people."
    ),
    "claim.unsourced": _(
        "This figure or study claim has no source. Add a link to the source (from the campaign's "
        "vetted knowledge list), or remove the claim."
    ),
    "claim.unsourced:cited": _(
        "This number is not in the fact the draft cites. Use the figure from the cited fact, or remove it."
    ),
    "stereotype.negated_generalisation": _(
        "Denying a stereotype this way ('not all of them are…') repeats the link between the "
        "group and the accusation. Say what is true of the people instead, without the label."
    ),
    "authenticity.identity_claim": _(
        "First-person identity claim. Keep it only if it is true of the partner account that "
        "will post it; otherwise rewrite it without claiming an identity or a personal story."
    ),
    "placeholder.unfilled": _(
        "Unfilled placeholder ({token}). Replace it with the real content, or delete it, before submitting."
    ),
    "readability.hard:sentence": _(
        "This sentence has {n} words. Split it: on a phone, sentences under 20 words are "
        "much easier to follow."
    ),
    "readability.hard:text": _(
        "Hard to read: reading ease {score:.0f} (aim for 60 or more, about grade 8). Use "
        "shorter sentences and everyday words."
    ),
}

# How a finding names a platform and its counting unit, where that is not a brand name.
PLACE_NAMES: dict[str, str] = {"webhook": _("the webhook"), "manual": _("this channel")}
UNITS: dict[str, str] = {
    "characters": _("characters"),
    "weighted characters": _("weighted characters"),
    "graphemes": _("graphemes"),
    "UTF-16 code units": _("UTF-16 code units"),
}
UNKNOWN = _("A do-no-harm check flagged this part of the text.")


def message_key(finding: Mapping[str, Any]) -> str:
    """The catalogue key of a stored finding: its code, or "code:variant"."""
    code, variant = str(finding.get("code", "")), finding.get("variant")
    return f"{code}:{variant}" if variant else code


def render(key: str, params: Mapping[str, Any] | None = None) -> str:
    """A message key and its parameters as words in the current language (English outside a request)."""
    template = MESSAGES.get(key)
    if template is None:
        return gettext(UNKNOWN)
    values = _display_values(params or {})
    try:
        return gettext(template).format(**values)
    except (KeyError, IndexError, ValueError):  # a translation that lost a field: the English words
        return _format(template, values)


def finding_text(finding: Mapping[str, Any]) -> str:
    """The words of a stored finding; one saved as English text (before codes) goes through gettext."""
    if "message" in finding and isinstance(finding["message"], str):
        return gettext(finding["message"]) if finding["message"] else gettext(UNKNOWN)
    return render(message_key(finding), finding.get("params"))


def unit_label(unit: str) -> str:
    """A platform's counting unit in the reader's language."""
    return gettext(UNITS[unit]) if unit in UNITS else unit


def platform_in_sentence(platform: str) -> str:
    """How a sentence names a platform: its brand, or words in the reader's language."""
    if platform in PLACE_NAMES:
        return gettext(PLACE_NAMES[platform])
    row = TABLE.get(platform)
    return row.in_sentence if row else platform


def _display_values(params: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(params)
    platform = values.get("platform")
    if isinstance(platform, str):
        values["platform"] = platform_in_sentence(platform)
        row = TABLE.get(platform)
        values.setdefault("unit", unit_label(row.unit) if row else "")
    return values


def _format(template: str, values: Mapping[str, Any]) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template
