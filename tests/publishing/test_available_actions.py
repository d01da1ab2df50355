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


def _post(status: PostStatus) -> Post:
    message = Message(status=MessageStatus.APPROVED, campaign=Campaign(organisation_id=CAMPAIGN_ORG))
    return Post(status=status, channel=Channel(organisation_id=CHANNEL_ORG), message=message)


def _person(role: Role, organisation_id: int) -> User:
    return User(role=role, organisation_id=organisation_id)


EXPECTED_FOR_A_CHANNEL_LEAD = {
    PostStatus.AWAITING_PARTNER: {"cancel", "answer_partner"},
    PostStatus.QUEUED: {"cancel", "mark_posted"},
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
def test_staff_may_only_record_a_hand_made_post_and_outsiders_nothing(app, status):
    staff = post_actions(_post(status), _person(Role.STAFF, CAMPAIGN_ORG))
    assert staff == EXPECTED_FOR_A_CHANNEL_LEAD[status] & {"mark_posted"}
    assert post_actions(_post(status), _person(Role.LEAD, OTHER_ORG)) == set()


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
