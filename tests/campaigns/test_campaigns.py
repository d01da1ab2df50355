"""Campaign pages: create, edit, list, overview, status, knowledge list, partners and permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.campaigns.models import CAMPAIGN_TRANSITIONS, Campaign, CampaignStatus, KnowledgeItem
from app.extensions import db
from tests.campaigns.factories import make_campaign, make_trend


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture
def partner_org(make_org):
    return make_org("partner-ngo", name="Partner NGO")


@pytest.fixture
def outsider(make_user, make_org):
    return make_user(
        Role.STAFF, org=make_org("outsider", name="Outsider NGO"), email="staff@outsider.example"
    )


@pytest.fixture
def partner_staff(make_user, partner_org):
    return make_user(Role.STAFF, org=partner_org, email="staff@partner.example")


def test_create_campaign_through_the_form(client, auth, staff, org, partner_org):
    trend = make_trend(org)
    auth.login(staff)
    response = client.post(
        "/campaigns/new",
        data={
            "title": "Neighbours first",
            "goal": "Show newcomers as neighbours.",
            "mode": "broadcast",
            "strategies": ["facts", "alternative"],
            "languages": ["en"],
            "platforms": ["mastodon", "bluesky"],
            "hashtags": "NeighboursFirst #BetterTogether",
            "trend_ids": [str(trend.id)],
            "partner_ids": [str(partner_org.id)],
            "starts_on": "2025-03-01",
            "ends_on": "2025-04-01",
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign))
    assert campaign.organisation_id == org.id and campaign.status == CampaignStatus.PLANNING
    assert campaign.hashtags == ["#NeighboursFirst", "#BetterTogether"]
    assert [t.id for t in campaign.trends] == [trend.id]
    assert [p.slug for p in campaign.partners] == ["partner-ngo"]
    assert campaign.audience.startswith("The movable middle")
    assert "campaign.created" in actions()
    page = client.get(f"/campaigns/{campaign.id}")
    assert (
        b"Neighbours first" in page.data and b"Partner NGO" in page.data and trend.title.encode() in page.data
    )


def test_a_form_with_errors_keeps_what_was_typed(client, auth, staff):
    auth.login(staff)
    response = client.post(
        "/campaigns/new",
        data={
            "title": "Kept title",
            "goal": "Kept goal",
            "mode": "broadcast",
            "languages": ["en"],
            "platforms": ["mastodon"],
            "starts_on": "2025-04-02",
            "ends_on": "2025-04-01",
        },
    )
    assert response.status_code == 200
    assert b"The end date must be on or after the start date." in response.data
    assert b'value="Kept title"' in response.data and b"Kept goal" in response.data
    assert db.session.scalar(select(Campaign)) is None


def test_edit_changes_fields_and_is_audited(client, auth, staff, org):
    campaign = make_campaign(org, staff)
    auth.login(staff)
    page = client.get(f"/campaigns/{campaign.id}/edit")
    assert b"#NeighboursFirst" in page.data
    response = client.post(
        f"/campaigns/{campaign.id}/edit",
        data={
            "title": "Renamed",
            "mode": "reply",
            "languages": ["fr"],
            "platforms": ["x"],
            "hashtags": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Renamed" and campaign.mode == "reply" and campaign.platforms == ["x"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "campaign.updated"))
    assert "title" in event.details["changed"] and "mode" in event.details["changed"]


def test_list_filters_by_status_and_search_and_paginates(client, auth, staff, org, app):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        make_campaign(org, staff, title=f"Plan {number}")
    make_campaign(org, staff, title="Running one", status=CampaignStatus.ACTIVE)
    auth.login(staff)
    active = client.get("/campaigns/?status=active")
    assert b"Running one" in active.data and b"Plan 0" not in active.data
    found = client.get("/campaigns/?q=Plan 1")
    assert b"Plan 1" in found.data and b"Plan 2" not in found.data
    first = client.get("/campaigns/")
    assert b"Page 1 of 2" in first.data
    assert client.get("/campaigns/?q=nothing-like-this").data.count(b"No campaign matches") == 1


def test_empty_list_says_what_to_do(client, auth, staff):
    auth.login(staff)
    assert b"No campaigns yet" in client.get("/campaigns/").data


def test_another_organisation_gets_404_everywhere(client, auth, staff, org, outsider):
    campaign = make_campaign(org, staff, trends=[make_trend(org)])
    auth.login(outsider)
    for url in (
        f"/campaigns/{campaign.id}",
        f"/campaigns/{campaign.id}/edit",
        f"/campaigns/{campaign.id}/knowledge",
        f"/campaigns/{campaign.id}/draft",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/campaigns/{campaign.id}/edit", data={"title": "Hijacked"}).status_code == 404
    assert client.post(f"/campaigns/{campaign.id}/status", data={"status": "active"}).status_code == 404
    assert b"Neighbours first" not in client.get("/campaigns/").data
    db.session.refresh(campaign)
    assert campaign.title == "Neighbours first" and campaign.status == CampaignStatus.PLANNING


def test_a_partner_taking_part_can_view_and_draft_but_not_edit(
    client, auth, staff, org, partner_org, partner_staff
):
    campaign = make_campaign(org, staff, trends=[make_trend(org)], partners=[partner_org])
    auth.login(partner_staff)
    assert b"Neighbours first" in client.get("/campaigns/").data
    detail = client.get(f"/campaigns/{campaign.id}")
    assert detail.status_code == 200 and b"Draft messages" in detail.data
    assert f"/campaigns/{campaign.id}/edit".encode() not in detail.data
    assert client.get(f"/campaigns/{campaign.id}/draft").status_code == 200
    assert client.get(f"/campaigns/{campaign.id}/edit").status_code == 403
    assert (
        client.post(
            f"/campaigns/{campaign.id}/knowledge", data={"text": "x", "source_url": "https://a.example"}
        ).status_code
        == 403
    )
    assert "authz.denied" in actions()


@pytest.mark.parametrize("current", list(CampaignStatus))
def test_status_changes_follow_the_transition_table(client, auth, staff, org, current):
    campaign = make_campaign(org, staff, status=current)
    auth.login(staff)
    for target in CampaignStatus:
        campaign.status = current
        db.session.commit()
        client.post(f"/campaigns/{campaign.id}/status", data={"status": target.value})
        db.session.refresh(campaign)
        expected = target if target in CAMPAIGN_TRANSITIONS[current] else current
        assert campaign.status == expected, (current, target)


def test_status_change_is_audited_and_a_refusal_explained(client, auth, staff, org):
    campaign = make_campaign(org, staff)
    auth.login(staff)
    client.post(f"/campaigns/{campaign.id}/status", data={"status": "active"})
    assert "campaign.status_changed" in actions()
    response = client.post(
        f"/campaigns/{campaign.id}/status", data={"status": "planning"}, follow_redirects=True
    )
    assert "A campaign that is active cannot become planning." in response.get_data(as_text=True)


def test_status_change_is_not_possible_with_get(client, auth, staff, org):
    campaign = make_campaign(org, staff)
    auth.login(staff)
    assert client.get(f"/campaigns/{campaign.id}/status?status=active").status_code == 405


def test_knowledge_list_add_validate_reorder_remove(client, auth, staff, org):
    campaign = make_campaign(org, staff, knowledge=())
    auth.login(staff)
    url = f"/campaigns/{campaign.id}/knowledge"
    assert b"No facts yet" in client.get(url).data
    bad = client.post(
        url, data={"text": "A fact kept here", "source_url": "ftp://files.example/x", "language": "en"}
    )
    assert bad.status_code == 200 and b"starting with http:// or https://" in bad.data
    assert b"A fact kept here" in bad.data
    for number in range(3):
        assert (
            client.post(
                url,
                data={
                    "text": f"Fact {number}",
                    "source_url": f"https://src.example/{number}",
                    "language": "en",
                },
            ).status_code
            == 302
        )

    def items() -> list[str]:
        query = select(KnowledgeItem.text).where(KnowledgeItem.campaign_id == campaign.id)
        return list(db.session.scalars(query.order_by(KnowledgeItem.position)))

    assert items() == ["Fact 0", "Fact 1", "Fact 2"]
    last = db.session.scalar(select(KnowledgeItem).where(KnowledgeItem.text == "Fact 2"))
    client.post(f"{url}/{last.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert items() == ["Fact 0", "Fact 2", "Fact 1"]
    first = db.session.scalar(select(KnowledgeItem).where(KnowledgeItem.text == "Fact 0"))
    page = client.get(url)
    assert b'data-confirm="Remove this fact from the knowledge list?"' in page.data
    client.post(f"{url}/{first.id}/remove")
    db.session.expire_all()
    assert items() == ["Fact 2", "Fact 1"]
    assert {"campaign.knowledge_added", "campaign.knowledge_moved", "campaign.knowledge_removed"} <= set(
        actions()
    )


def test_overview_groups_messages_by_status(client, auth, staff, org):
    from app.drafting.models import MessageStatus, VersionSource
    from app.drafting.versions import create_message

    trend = make_trend(org)
    campaign = make_campaign(org, staff, trends=[trend])
    first = create_message(
        campaign=campaign,
        trend=trend,
        strategy="alternative",
        language="en",
        text="Neighbours help each other every day.",
        source=VersionSource.HUMAN,
        author=staff,
    )
    create_message(
        campaign=campaign,
        trend=trend,
        strategy="alternative",
        language="en",
        text="Our street shares its gardens.",
        source=VersionSource.HUMAN,
        author=staff,
    )
    first.status = MessageStatus.APPROVED
    db.session.commit()
    auth.login(staff)
    text = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert text.index("Approved") < text.index("Neighbours help each other")
    assert text.index("Draft <small>") < text.index("Our street shares")


def test_navigation_has_a_campaigns_entry(client, auth, staff):
    auth.login(staff)
    assert b'href="/campaigns/"' in client.get("/").data


def test_demo_seeder_is_idempotent(app, runner):
    from app.demo import seed_demo

    seed_demo(password="demo password long enough")
    seed_demo(password="demo password long enough")
    campaigns = db.session.scalars(select(Campaign)).all()
    assert len(campaigns) == 1
    campaign = campaigns[0]
    assert campaign.organisation.slug == "demo-ngo"
    assert [p.slug for p in campaign.partners] == ["partner-ngo"]
    assert len(campaign.knowledge) == 3 and all(
        k.source_url.startswith("https://") for k in campaign.knowledge
    )
    from app.drafting.models import Message
    from app.trends.demo import DEMO_TRENDS

    assert {t.title for t in campaign.trends} == {spec["title"] for spec in DEMO_TRENDS}
    messages = db.session.scalars(select(Message).where(Message.campaign_id == campaign.id)).all()
    sources = sorted((m.current_version.source, m.status) for m in messages)
    # two offline drafts, and the human-written message the review demo approves for the publisher
    assert sources == [("human", "approved"), ("offline", "draft"), ("offline", "draft")]
