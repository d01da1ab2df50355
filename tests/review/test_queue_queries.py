"""The review queue reads what its cards show once per page: a longer queue costs no more queries."""

from __future__ import annotations

from app.extensions import db
from app.review import services
from tests.queries import queries_for
from tests.review.conftest import CLEAN_TEXTS


def _waiting_with_history(make_message, campaign, staff, lead, lead2, text: str) -> None:
    """A message in review with an approval still short of the partner's, a comment and a seen version."""
    message = make_message(text)
    services.submit(message, staff)
    services.approve(message, lead2)
    services.add_comment(message, lead, f"Checked: {text[:20]}")
    services.mark_seen(message, lead)
    db.session.commit()


def test_a_longer_queue_costs_no_more_queries(app, client, auth, make_message, campaign, staff, lead, lead2):
    campaign.requires_partner_approval = True  # cards name the partner still to approve
    db.session.commit()
    _waiting_with_history(make_message, campaign, staff, lead, lead2, CLEAN_TEXTS[0])
    auth.login(lead)
    one, page = queries_for(client, "/review")
    assert page.count('class="review-card"') == 1

    for text in CLEAN_TEXTS[1:]:
        _waiting_with_history(make_message, campaign, staff, lead, lead2, text)
    four, page = queries_for(client, "/review")

    assert page.count('class="review-card"') == 4
    assert page.count("Second Lead") == 4  # each card names its approver
    assert page.count("Still needed from: Partner NGO.") == 4
    assert page.count("No change since you last saw it.") == 4
    assert four == one, f"1 card: {one} queries, 4 cards: {four}"
