"""Stored findings and offline explanations become codes + parameters, rendered when read.

Revision ID: findings01
Revises: dispatch01
Create Date: 2026-11-29 15:00:00

Before this revision each finding in message_versions.findings carried its English `message` text
(numbers already formatted in), and an offline draft's provenance carried an English `rationale`.
This revision recovers the parameters by matching each old text against the English templates as
they were (frozen below: the migration imports no app code), in batches by id. A text that matches
no template keeps its `message`; the app shows that through gettext.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "findings01"
down_revision = "dispatch01"
branch_labels = None
depends_on = None

BATCH = 2000

# (code, variant, English template) as app.checks wrote them before this revision.
OLD_TEMPLATES: tuple[tuple[str, str, str], ...] = (
    ("length.over_limit", "", "Too long for {platform}: {count} of {limit} {unit}. Cut at least {excess} to fit."),
    (
        "length.over_limit",
        "bytes",
        "Too long for Bluesky: {size} of {limit} bytes (UTF-8). Shorten the text, especially non-Latin "
        "characters and emoji, which take several bytes each.",
    ),
    ("length.over_limit", "hashtags", "{platform} allows at most {cap} hashtags; this text has {n}. Remove {extra}."),
    (
        "length.over_limit",
        "topic_tag",
        "Threads allows only one topic tag per post; this text has {n} hashtags. Keep one.",
    ),
    ("length.over_limit", "links", "{platform} allows at most {cap} links; this text has {n}. Remove {extra}."),
    (
        "amplification.lexicon_term",
        "",
        "This repeats a term from the trend's never-repeat list (a slur, keyword or coded word). Repeating "
        "it spreads the campaign's language: remove it or describe the idea in neutral words.",
    ),
    (
        "amplification.hashtag",
        "",
        "This is the hate campaign's own hashtag or keyword used as a hashtag: it would add your post to "
        "their feed and boost it. Remove it and use only your coalition's supportive hashtags.",
    ),
    (
        "amplification.evidence_overlap",
        "",
        "These {n} words repeat an evidence post word for word. Never quote the hateful post: say what is "
        "true in your own words, or leave it out.",
    ),
    (
        "amplification.evidence_link",
        "",
        "This links to or names a post or account from the trend's evidence. Linking or tagging the source "
        "sends it attention and can expose you to its followers: remove it.",
    ),
    (
        "mention.handle",
        "",
        "This tags an account ({handle}). Tagging people can start a pile-on or alert the authors of the "
        "hate; remove the mention unless the account's owner agreed to it.",
    ),
    (
        "tone.hostile",
        "",
        "Hostile wording: insults, labels for people or dehumanising words make readers defensive and can "
        "escalate the exchange. Criticise the statement, not the person, in calm words.",
    ),
    (
        "tone.hostile",
        "exclusion",
        "This calls for people to be thrown out, sent away or shamed. Even in reply to hate, it turns the "
        "message against people: speak about the rumour or the behaviour, never about removing people.",
    ),
    (
        "claim.unsourced",
        "",
        "This figure or study claim has no source. Add a link to the source (from the campaign's vetted "
        "knowledge list), or remove the claim.",
    ),
    (
        "claim.unsourced",
        "cited",
        "This number is not in the fact the draft cites. Use the figure from the cited fact, or remove it.",
    ),
    (
        "stereotype.negated_generalisation",
        "",
        "Denying a stereotype this way ('not all of them are…') repeats the link between the group and the "
        "accusation. Say what is true of the people instead, without the label.",
    ),
    (
        "authenticity.identity_claim",
        "",
        "First-person identity claim. Keep it only if it is true of the partner account that will post it; "
        "otherwise rewrite it without claiming an identity or a personal story.",
    ),
    (
        "placeholder.unfilled",
        "",
        "Unfilled placeholder ({token}). Replace it with the real content, or delete it, before submitting.",
    ),
    (
        "readability.hard",
        "sentence",
        "This sentence has {n} words. Split it: on a phone, sentences under 20 words are much easier to "
        "follow.",
    ),
    (
        "readability.hard",
        "text",
        "Hard to read: reading ease {score:.0f} (aim for 60 or more, about grade 8). Use shorter sentences "
        "and everyday words.",
    ),
)
# How those templates named each platform, and in which unit they counted it.
OLD_PLATFORMS: dict[str, tuple[str, str]] = {
    "X": ("x", "weighted characters"),
    "Mastodon": ("mastodon", "characters"),
    "Bluesky": ("bluesky", "graphemes"),
    "Threads": ("threads", "characters"),
    "Telegram": ("telegram", "UTF-16 code units"),
    "Facebook": ("facebook", "UTF-16 code units"),
    "LinkedIn": ("linkedin", "UTF-16 code units"),
    "Instagram": ("instagram", "UTF-16 code units"),
    "the webhook": ("webhook", "characters"),
    "this channel": ("manual", "characters"),
}
TEXT_FIELDS = {"handle", "token", "platform", "unit"}
FIELD = re.compile(r"\{(\w+)(?::[^}]*)?\}")

# The offline drafter's explanation lines as it stored them in provenance["rationale"].
OLD_TEMPLATE_PREFIX = "Offline template. "
OLD_EXPLANATIONS: tuple[tuple[str, str], ...] = (
    (
        "offline.translate_needs_model",
        "Translation needs a language model, so the text is unchanged. Translate it by hand, or ask an "
        "admin to connect a model.",
    ),
    ("offline.already_fits", "The text already fits in {limit} characters."),
    (
        "offline.shortened",
        "Shortened offline to {limit} characters by dropping whole sentences; check that it still reads well.",
    ),
    (
        "offline.only_shortens",
        "Offline mode can only shorten text, so it is unchanged. Edit it by hand, or ask an admin to connect "
        "a model for this kind of revision.",
    ),
)


def _pattern(template: str) -> re.Pattern[str]:
    parts, last = [], 0
    for m in FIELD.finditer(template):
        parts.append(re.escape(template[last : m.start()]))
        name = m.group(1)
        parts.append(f"(?P<{name}>.+?)" if name in TEXT_FIELDS else rf"(?P<{name}>-?\d+)")
        last = m.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts) + r"\Z", re.S)


MATCHERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _code, _variant, _template in OLD_TEMPLATES:
    MATCHERS.setdefault(_code, []).append((_variant, _pattern(_template)))
EXPLANATION_MATCHERS = [(code, _pattern(template)) for code, template in OLD_EXPLANATIONS]


def _params(match: re.Match[str]) -> dict[str, Any] | None:
    params: dict[str, Any] = {}
    for name, value in match.groupdict().items():
        if name == "unit":
            continue  # the platform's unit, derived from the platform when shown
        if name == "platform":
            if value not in OLD_PLATFORMS:
                return None
            params[name] = OLD_PLATFORMS[value][0]
        elif name in TEXT_FIELDS:
            params[name] = value
        else:
            params[name] = int(value)
    return params


def new_finding(old: dict[str, Any]) -> dict[str, Any]:
    """One old finding in the code + params shape; unchanged when its text matches no template."""
    message = old.get("message")
    if not isinstance(message, str):
        return old
    for variant, pattern in MATCHERS.get(str(old.get("code")), ()):
        match = pattern.match(message)
        params = _params(match) if match else None
        if params is None:
            continue
        new = {k: v for k, v in old.items() if k != "message"}
        if variant:
            new["variant"] = variant
        if params:
            new["params"] = params
        return new
    return old


def new_findings(findings: Any) -> Any:
    """A version's findings ({platform: {"length", "findings"}}) with every finding converted."""
    if not isinstance(findings, dict):
        return findings
    out = {}
    for platform, report in findings.items():
        if isinstance(report, dict) and isinstance(report.get("findings"), list):
            report = {**report, "findings": [new_finding(f) if isinstance(f, dict) else f for f in report["findings"]]}
        out[platform] = report
    return out


def new_provenance(provenance: Any, strategy: str) -> Any:
    """An offline draft's English rationale as an explanation code + params."""
    if not isinstance(provenance, dict) or provenance.get("provider") != "offline":
        return provenance
    rationale = provenance.get("rationale")
    if not isinstance(rationale, str) or not rationale:
        return provenance
    explanation = None
    if rationale.startswith(OLD_TEMPLATE_PREFIX):
        explanation = {"code": "offline.template", "params": {"strategy": strategy}}
    for code, pattern in EXPLANATION_MATCHERS:
        match = pattern.match(rationale)
        if match:
            params = {name: int(value) for name, value in match.groupdict().items()}
            explanation = {"code": code, "params": params} if params else {"code": code}
    if explanation is None:
        return provenance
    return {**{k: v for k, v in provenance.items() if k != "rationale"}, "explanation": explanation}


def _versions() -> sa.Table:
    return sa.table(
        "message_versions",
        sa.column("id", sa.Integer),
        sa.column("message_id", sa.Integer),
        sa.column("findings", sa.JSON),
        sa.column("provenance", sa.JSON),
    )


def _batches(connection: sa.Connection) -> Iterator[list[sa.Row]]:
    versions = _versions()
    messages = sa.table("messages", sa.column("id", sa.Integer), sa.column("strategy", sa.String))
    last = 0
    while True:
        rows = connection.execute(
            sa.select(versions.c.id, versions.c.findings, versions.c.provenance, messages.c.strategy)
            .join(messages, messages.c.id == versions.c.message_id)
            .where(versions.c.id > last)
            .order_by(versions.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _convert(convert_findings, convert_provenance) -> None:
    connection = op.get_bind()
    versions = _versions()
    update = (
        sa.update(versions)
        .where(versions.c.id == sa.bindparam("version_id"))
        .values(findings=sa.bindparam("new_findings"), provenance=sa.bindparam("new_provenance"))
    )
    for rows in _batches(connection):
        changed = []
        for row in rows:
            findings = convert_findings(row.findings)
            provenance = convert_provenance(row.provenance, row.strategy)
            if findings != row.findings or provenance != row.provenance:
                changed.append({"version_id": row.id, "new_findings": findings, "new_provenance": provenance})
        if changed:
            connection.execute(update, changed)


def upgrade():
    _convert(new_findings, new_provenance)


# ---------------------------------------------------------------- downgrade: the English text again

ENGLISH = {(code, variant): template for code, variant, template in OLD_TEMPLATES}
PLATFORM_WORDS = {key: (words, unit) for words, (key, unit) in OLD_PLATFORMS.items()}


def old_finding(new: dict[str, Any]) -> dict[str, Any]:
    if "message" in new or not isinstance(new, dict):
        return new
    template = ENGLISH.get((str(new.get("code")), str(new.get("variant", ""))))
    if template is None:
        return new
    values = dict(new.get("params") or {})
    if "platform" in values:
        values["platform"], values["unit"] = PLATFORM_WORDS.get(values["platform"], (values["platform"], ""))
    try:
        message = template.format(**values)
    except (KeyError, ValueError):
        return new
    old = {k: v for k, v in new.items() if k not in ("variant", "params")}
    return {**old, "message": message}


def old_findings(findings: Any) -> Any:
    if not isinstance(findings, dict):
        return findings
    return {
        platform: {**report, "findings": [old_finding(f) for f in report.get("findings", [])]}
        if isinstance(report, dict)
        else report
        for platform, report in findings.items()
    }


def old_provenance(provenance: Any, strategy: str) -> Any:
    if not isinstance(provenance, dict) or not isinstance(provenance.get("explanation"), dict):
        return provenance
    explanation = provenance["explanation"]
    rest = {k: v for k, v in provenance.items() if k != "explanation"}
    if explanation.get("code") == "offline.template":
        return {**rest, "rationale": OLD_TEMPLATE_PREFIX.strip()}
    template = dict(OLD_EXPLANATIONS).get(explanation.get("code"))
    if template is None:
        return provenance
    return {**rest, "rationale": template.format(**(explanation.get("params") or {}))}


def downgrade():
    _convert(old_findings, old_provenance)
