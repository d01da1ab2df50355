"""What a notification is about, and how it reads: rendered from kind + params in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from flask_babel import gettext, lazy_gettext


class NotificationKind(StrEnum):
    REVIEW_REQUESTED = "review_requested"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    COMMENT = "comment"
    PARTNER_REQUEST = "partner_request"
    POST_PARTNER_ANSWER = "post_partner_answer"
    CHANNEL_NEEDS_REAUTH = "channel_needs_reauth"
    POST_UNKNOWN_OUTCOME = "post_unknown_outcome"
    REVIEW_WITHDRAWN = "review_withdrawn"
    POST_FAILED = "post_failed"
    POST_DUPLICATES = "post_duplicates"
    POST_HELD_CAMPAIGN = "post_held_campaign"


# The words people read for a message's review state (review.services.status_label reads these).
MESSAGE_STATE_LABELS: dict[str, Any] = {
    "draft": lazy_gettext("draft"),
    "in_review": lazy_gettext("in review"),
    "changes_requested": lazy_gettext("changes requested"),
    "approved": lazy_gettext("approved"),
    "rejected": lazy_gettext("rejected"),
    "archived": lazy_gettext("archived"),
    "expired": lazy_gettext("approval expired"),
}


def state_label(state: str) -> str:
    """A review state in the current language."""
    label = MESSAGE_STATE_LABELS.get(state)
    return str(label) if label is not None else state


def _p(params: dict[str, Any], key: str) -> str:
    return str(params.get(key) or "")


def _review_requested(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext("Review requested: %(title)s", title=_p(params, "title")),
        gettext(
            "%(name)s asks you to review a message for the campaign %(campaign)s.",
            name=_p(params, "actor"),
            campaign=_p(params, "campaign"),
        ),
    )


def _decision(subject: Callable[..., str]) -> Callable[[dict[str, Any]], tuple[str, str]]:
    def render(params: dict[str, Any]) -> tuple[str, str]:
        body = gettext(
            "%(name)s decided: %(state)s.", name=_p(params, "actor"), state=state_label(_p(params, "state"))
        )
        comment = _p(params, "comment")
        return subject(_p(params, "title")), body + ("\n\n" + comment if comment else "")

    return render


def _comment(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext("New comment: %(title)s", title=_p(params, "title")),
        gettext("%(name)s wrote:", name=_p(params, "actor")) + "\n\n" + _p(params, "comment"),
    )


def _partner_request(params: dict[str, Any]) -> tuple[str, str]:
    return gettext("A partner asks to post on %(name)s", name=_p(params, "channel")), ""


def _partner_answer(params: dict[str, Any]) -> tuple[str, str]:
    org, channel = _p(params, "organisation"), _p(params, "channel")
    if params.get("answer") == "declined":
        subject = gettext("%(org)s declined a post on %(name)s", org=org, name=channel)
    else:
        subject = gettext("%(org)s accepted a post on %(name)s", org=org, name=channel)
    return subject, _p(params, "reason")


def _needs_reauth(params: dict[str, Any]) -> tuple[str, str]:
    return gettext("%(name)s needs new credentials", name=_p(params, "channel")), _p(params, "error")


def _unknown_outcome(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext("Check whether a post went out on %(name)s", name=_p(params, "channel")),
        _p(params, "error"),
    )


def _review_withdrawn(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext("Back to draft: %(title)s", title=_p(params, "title")),
        gettext(
            "%(name)s edited this message while it waited for review, so it left the review queue. "
            "It comes back when it is submitted again.",
            name=_p(params, "actor"),
        ),
    )


def _post_failed(params: dict[str, Any]) -> tuple[str, str]:
    return gettext("A post failed on %(name)s", name=_p(params, "channel")), _p(params, "error")


def _duplicates(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext(
            "%(count)d extra copies of a post are on %(name)s",
            count=int(params.get("count") or 0),
            name=_p(params, "channel"),
        ),
        gettext(
            "The platform did not recognise a repeated request. Open the post to remove the extra copies."
        ),
    )


def _held_campaign(params: dict[str, Any]) -> tuple[str, str]:
    return (
        gettext("Posts of %(title)s are held: the campaign is not active", title=_p(params, "campaign")),
        gettext("They go out when the campaign is active again, if still within the lateness limit."),
    )


RENDERERS: dict[NotificationKind, Callable[[dict[str, Any]], tuple[str, str]]] = {
    NotificationKind.REVIEW_REQUESTED: _review_requested,
    NotificationKind.APPROVED: _decision(lambda title: gettext("Approved: %(title)s", title=title)),
    NotificationKind.CHANGES_REQUESTED: _decision(
        lambda title: gettext("Changes requested: %(title)s", title=title)
    ),
    NotificationKind.REJECTED: _decision(lambda title: gettext("Rejected: %(title)s", title=title)),
    NotificationKind.COMMENT: _comment,
    NotificationKind.PARTNER_REQUEST: _partner_request,
    NotificationKind.POST_PARTNER_ANSWER: _partner_answer,
    NotificationKind.CHANNEL_NEEDS_REAUTH: _needs_reauth,
    NotificationKind.POST_UNKNOWN_OUTCOME: _unknown_outcome,
    NotificationKind.REVIEW_WITHDRAWN: _review_withdrawn,
    NotificationKind.POST_FAILED: _post_failed,
    NotificationKind.POST_DUPLICATES: _duplicates,
    NotificationKind.POST_HELD_CAMPAIGN: _held_campaign,
}


def render(kind: str, params: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a notification in the current language."""
    return RENDERERS[NotificationKind(kind)](params)
