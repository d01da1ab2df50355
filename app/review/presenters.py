"""What a review card shows: the diff since last seen, findings, trend context and provenance."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.accounts.models import User
from app.drafting.models import Approval, Message, MessageComment, MessageVersion, VersionSource
from app.extensions import db
from app.review import services
from app.review.forms import ApproveForm, ChangesForm, CommentForm, RejectForm
from app.review.models import ReviewSeen

_WORDS = re.compile(r"\S+\s*|\s+")  # each word with the space after it


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences as (kind, text) pairs: kind is same, removed or added; the template escapes."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    segments: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            segments.append(("same", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("removed", "".join(before[i1:i2])))
        if j2 > j1:
            segments.append(("added", "".join(after[j1:j2])))
    return segments


def provenance(message: Message) -> str:
    """Where the text comes from: "AI draft, edited by …", "Offline draft", "Written by …"."""
    versions = message.versions
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
    editors: list[str] = []
    for version in versions[1:]:
        name = _name(version.author)
        if version.source == VersionSource.HUMAN and name not in editors:
            editors.append(name)
    if not editors:
        return origin
    return _("%(origin)s, edited by %(names)s", origin=origin, names=", ".join(editors))


def editor_url(message: Message) -> str:
    """The link to the message's page in the drafting editor."""
    return url_for("drafting.editor", message_id=message.id)


@dataclass
class ReviewCard:
    """Everything a reviewer needs about one message, in one place."""

    message: Message
    version: MessageVersion
    seen_version: MessageVersion | None
    diff: list[tuple[str, str]]
    findings: list[dict[str, Any]]
    provenance: str
    quorum: services.Quorum
    approvals: list[Approval]
    comments: list[MessageComment]
    state: str
    can_decide: bool
    approve_problem: str | None
    editor_url: str
    forms: dict[str, Any] = field(default_factory=dict)

    @property
    def has_warnings(self) -> bool:
        return any(item.get("severity") == "warning" for item in self.findings)

    @property
    def needs_humor(self) -> bool:
        return services.needs_humor_acknowledgement(self.message)


def build_card(message: Message, viewer: User, forms: dict[str, Any] | None = None) -> ReviewCard:
    """Assemble a card for one viewer; forms given (with errors) replace the blank ones."""
    version = message.current_version
    seen = _seen_version(message, viewer)
    diff = word_diff(seen.text, version.text) if seen is not None and seen.id != version.id else []
    problem = services.approval_problems(message, viewer, override_reason="-", humor_acknowledged=True)
    card = ReviewCard(
        message=message,
        version=version,
        seen_version=seen,
        diff=diff,
        findings=services.findings_of(version),
        provenance=provenance(message),
        quorum=services.quorum(message, version),
        approvals=services.valid_approvals(version),
        comments=list(message.comments),
        state=services.review_state(message),
        can_decide=viewer.is_lead and str(message.status) == "in_review",
        approve_problem=str(problem) if problem else None,
        editor_url=editor_url(message),
    )
    card.forms = blank_forms(message) | (forms or {})
    return card


def blank_forms(message: Message) -> dict[str, Any]:
    """Fresh decision forms naming the current version, each with a per-message prefix."""
    version_id = message.current_version_id
    return {
        "approve": ApproveForm(
            prefix=f"approve-{message.id}", formdata=None, data={"version_id": version_id}
        ),
        "changes": ChangesForm(
            prefix=f"changes-{message.id}", formdata=None, data={"version_id": version_id}
        ),
        "reject": RejectForm(prefix=f"reject-{message.id}", formdata=None, data={"version_id": version_id}),
        "comment": CommentForm(prefix=f"comment-{message.id}", formdata=None),
    }


def _seen_version(message: Message, viewer: User) -> MessageVersion | None:
    version_id = db.session.scalar(
        select(ReviewSeen.version_id).where(
            ReviewSeen.user_id == viewer.id, ReviewSeen.message_id == message.id
        )
    )
    return db.session.get(MessageVersion, version_id) if version_id else None


def _name(user: User | None) -> str:
    return user.name if user is not None else _("someone")
