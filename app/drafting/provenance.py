"""Where a message's text comes from, in one place: the drafter's record and the people who edited it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from app.accounts.models import User
from app.drafting.explanations import rationale_text
from app.drafting.models import Message, MessageVersion, VersionSource


@dataclass(frozen=True)
class Provenance:
    """The editor shows `original`, `data` and `editors` in detail; review cards show `label`."""

    original: MessageVersion | None  # the first version written by the drafter (AI or offline)
    data: dict[str, Any] = field(default_factory=dict)  # the drafter's record: model, prompt, hash…
    editors: list[str] = field(default_factory=list)  # people who wrote a version, in order
    label: str = ""  # "AI draft (model), edited by …", "Offline draft", "Written by …"
    rationale: str = (
        ""  # the drafter's line: the model's words, or the offline explanation in the reader's language
    )


def provenance(message: Message) -> Provenance:
    """The provenance of a message's text."""
    versions = list(message.versions)
    original = next((v for v in versions if v.source != VersionSource.HUMAN), None)
    editors: list[str] = []
    for version in versions:
        if version.source == VersionSource.HUMAN and version.author and version.author.name not in editors:
            editors.append(version.author.name)
    data = (original.provenance or {}) if original else {}
    return Provenance(
        original=original,
        data=data,
        editors=editors,
        label=_label(versions),
        rationale=rationale_text(data, message.strategy),
    )


def _label(versions: list[MessageVersion]) -> str:
    if not versions:
        return ""
    first = versions[0]
    if first.source == VersionSource.AI:
        model = (first.provenance or {}).get("model")
        origin = _("AI draft (%(model)s)", model=model) if model else _("AI draft")
    elif first.source == VersionSource.OFFLINE:
        origin = _("Offline draft")
    else:
        origin = _("Written by %(name)s", name=_name(first.author))
    later: list[str] = []
    for version in versions[1:]:
        name = _name(version.author)
        if version.source == VersionSource.HUMAN and name not in later:
            later.append(name)
    if not later:
        return origin
    return _("%(origin)s, edited by %(names)s", origin=origin, names=", ".join(later))


def _name(user: User | None) -> str:
    return user.name if user is not None else _("someone")
