"""The buttons a person sees come from available_actions, one per kind of object."""

from __future__ import annotations

import pytest

from app.accounts.models import Role, User
from app.campaigns.models import Campaign
from app.channels.models import Channel
from app.drafting.models import Message, MessageStatus
from app.drafting.services import available_actions as message_actions
from app.publishing.models import Post, PostStatus
from app.publishing.services import available_actions as post_actions

CHANNEL_ORG, CAMPAIGN_ORG, OTHER_ORG = 1, 2, 3


def _post(status: PostStatus, platform: str = "mastodon", *, may_be_live: bool = False) -> Post:
    message = Message(status=MessageStatus.APPROVED, campaign=Campaign(organisation_id=CAMPAIGN_ORG))
    channel = Channel(organisation_id=CHANNEL_ORG, platform=platform)
    return Post(status=status, channel=channel, message=message, may_be_live=may_be_live)


def _person(role: Role, organisation_id: int) -> User:
    return User(role=role, organisation_id=organisation_id)


# An automatic channel: a queued post is the worker's to send, so it is not marked by hand.
EXPECTED_FOR_A_CHANNEL_LEAD = {
    PostStatus.AWAITING_PARTNER: {"cancel", "answer_partner"},
    PostStatus.QUEUED: {"cancel"},
    PostStatus.SENDING: set(),
    PostStatus.POSTED: set(),
    PostStatus.UNKNOWN_OUTCOME: {"check_again", "not_posted", "mark_posted"},
    PostStatus.FAILED: {"cancel", "retry", "mark_posted"},
    PostStatus.MISSED: {"cancel", "reconfirm", "mark_posted"},
    PostStatus.HELD: {"cancel", "resume", "mark_posted"},
    PostStatus.CANCELLED: set(),
}


@pytest.mark.parametrize("status", list(PostStatus))
def test_a_lead_of_the_channels_organisation(app, status):
    assert post_actions(_post(status), _person(Role.LEAD, CHANNEL_ORG)) == EXPECTED_FOR_A_CHANNEL_LEAD[status]


@pytest.mark.parametrize("status", list(PostStatus))
def test_staff_and_outsiders_get_no_post_actions(app, status):
    assert post_actions(_post(status), _person(Role.STAFF, CAMPAIGN_ORG)) == set()
    assert post_actions(_post(status), _person(Role.LEAD, OTHER_ORG)) == set()


def test_a_queued_post_of_a_manual_channel_is_marked_by_hand(app):
    assert "mark_posted" in post_actions(_post(PostStatus.QUEUED, "manual"), _person(Role.LEAD, CHANNEL_ORG))


def test_a_post_that_may_be_live_cannot_be_cancelled(app):
    actions = post_actions(_post(PostStatus.FAILED, may_be_live=True), _person(Role.LEAD, CHANNEL_ORG))
    assert "cancel" not in actions and "retry" in actions


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (MessageStatus.DRAFT, {"edit", "submit", "archive"}),
        (MessageStatus.IN_REVIEW, {"edit", "archive"}),
        (MessageStatus.CHANGES_REQUESTED, {"edit", "submit", "archive"}),
        (MessageStatus.APPROVED, {"edit", "archive"}),
        (MessageStatus.REJECTED, {"archive"}),
        (MessageStatus.ARCHIVED, set()),
    ],
)
def test_message_actions_follow_the_status(app, status, expected):
    assert message_actions(Message(status=status)) == expected
