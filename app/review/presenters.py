"""What a review card shows: the diff since last seen, findings, trend context and provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import select

from app.accounts.models import User
from app.drafting.diff import DiffPart, word_diff
from app.drafting.models import Approval, Message, MessageComment, MessageVersion
from app.drafting.provenance import provenance
from app.extensions import db
from app.review import services
from app.review.forms import ApproveForm, ChangesForm, CommentForm, RejectForm
from app.review.models import ReviewSeen


def editor_url(message: Message) -> str:
    """The link to the message's page in the drafting editor."""
    return url_for("drafting.editor", message_id=message.id)


@dataclass
class ReviewCard:
    """Everything a reviewer needs about one message, in one place."""

    message: Message
    version: MessageVersion
    seen_version: MessageVersion | None
    diff: list[DiffPart]
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


def build_cards(messages: list[Message], viewer: User) -> list[ReviewCard]:
    """Cards for a page of messages, reading what they need in one query per kind of data, not per card."""
    loaded = services.preload(messages, viewer)
    seen = _seen_versions(messages, viewer)
    return [_card(message, viewer, loaded, seen.get(message.id), comment_form=False) for message in messages]


def build_card(message: Message, viewer: User, forms: dict[str, Any] | None = None) -> ReviewCard:
    """Assemble a card for one viewer; forms given (with errors) replace the blank ones."""
    card = _card(
        message,
        viewer,
        services.preload([message], viewer),
        _seen_versions([message], viewer).get(message.id),
        comment_form=True,
    )
    card.forms |= forms or {}
    return card


def _card(
    message: Message, viewer: User, loaded: services.Preloaded, seen_id: int | None, *, comment_form: bool
) -> ReviewCard:
    version = message.current_version
    if version is None:  # only messages with a version reach the review pages
        raise ValueError(f"message {message.id} has no version")
    seen = db.session.get(MessageVersion, seen_id) if seen_id else None
    diff = word_diff(seen.text, version.text) if seen is not None and seen.id != version.id else []
    problem = services.approval_problems(
        message, viewer, override_reason="-", humor_acknowledged=True, loaded=loaded
    )
    card = ReviewCard(
        message=message,
        version=version,
        seen_version=seen,
        diff=diff,
        findings=services.findings_of(version),
        provenance=provenance(message).label,
        quorum=services.quorum(message, version, loaded),
        approvals=services.valid_approvals(version, loaded),
        comments=list(message.comments),
        state=services.review_state(message),
        can_decide=viewer.is_lead and str(message.status) == "in_review",
        approve_problem=str(problem) if problem else None,
        editor_url=editor_url(message),
    )
    # Only the forms the page shows: decisions for a lead who can decide, the comment form on the message page.
    card.forms = blank_forms(message, decision=card.can_decide, comment=comment_form)
    return card


def blank_forms(message: Message, *, decision: bool = True, comment: bool = True) -> dict[str, Any]:
    """Fresh decision forms naming the current version, and the comment form, each with a per-message prefix."""
    version_id = message.current_version_id
    forms: dict[str, Any] = {}
    if decision:
        forms |= _decision_forms(message, version_id)
    if comment:
        forms["comment"] = CommentForm(prefix=f"comment-{message.id}", formdata=None)
    return forms


def _decision_forms(message: Message, version_id: int | None) -> dict[str, Any]:
    return {
        "approve": ApproveForm(
            prefix=f"approve-{message.id}", formdata=None, data={"version_id": version_id}
        ),
        "changes": ChangesForm(
            prefix=f"changes-{message.id}", formdata=None, data={"version_id": version_id}
        ),
        "reject": RejectForm(prefix=f"reject-{message.id}", formdata=None, data={"version_id": version_id}),
    }


def _seen_versions(messages: list[Message], viewer: User) -> dict[int, int]:
    """The version each message had when this viewer last marked it seen, by message id."""
    if not messages:
        return {}
    query = select(ReviewSeen.message_id, ReviewSeen.version_id).where(
        ReviewSeen.user_id == viewer.id, ReviewSeen.message_id.in_([message.id for message in messages])
    )
    return {message_id: version_id for message_id, version_id in db.session.execute(query)}
