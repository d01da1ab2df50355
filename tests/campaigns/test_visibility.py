"""One visibility rule: owner and partners see a campaign and its messages; others see nothing."""

from __future__ import annotations

from app.campaigns.visibility import takes_part, visible_campaigns
from app.drafting.models import VersionSource
from app.drafting.services import visible_messages
from app.drafting.versions import create_message
from app.extensions import db
from tests.campaigns.factories import make_campaign


def test_owner_and_partners_see_the_campaign_and_its_messages_outsiders_do_not(make_org, make_user):
    owner, partner, outsider = make_org(), make_org(), make_org()
    author = make_user(org=owner)
    shared = make_campaign(owner, author, partners=[partner], title="Shared")
    private = make_campaign(owner, author, title="Private")
    db.session.flush()
    message = create_message(
        campaign=shared, trend=None, strategy="facts", language="en", text="Hello", source=VersionSource.HUMAN,
        author=author,
    )
    db.session.commit()

    def titles(org_id: int) -> set[str]:
        return {c.title for c in db.session.scalars(visible_campaigns(org_id))}

    assert titles(owner.id) == {"Shared", "Private"}
    assert titles(partner.id) == {"Shared"}
    assert titles(outsider.id) == set()
    assert [m.id for m in db.session.scalars(visible_messages(partner.id))] == [message.id]
    assert list(db.session.scalars(visible_messages(outsider.id))) == []
    assert takes_part(partner.id, shared) and not takes_part(partner.id, private)
    assert not takes_part(outsider.id, shared.id)
