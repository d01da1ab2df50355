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


def build_card(message: Message, viewer: User, forms: dict[str, Any] | None = None) -> ReviewCard:
    """Assemble a card for one viewer; forms given (with errors) replace the blank ones."""
    version = message.current_version
    if version is None:  # only messages with a version reach the review pages
        raise ValueError(f"message {message.id} has no version")
    seen = _seen_version(message, viewer)
    diff = word_diff(seen.text, version.text) if seen is not None and seen.id != version.id else []
    problem = services.approval_problems(message, viewer, override_reason="-", humor_acknowledged=True)
    card = ReviewCard(
        message=message,
        version=version,
        seen_version=seen,
        diff=diff,
        findings=services.findings_of(version),
        provenance=provenance(message).label,
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
