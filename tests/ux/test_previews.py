"""Post previews mark what each platform will make clickable, as its publisher does."""

from __future__ import annotations

from app.channels.connectors.bluesky import build_facets
from app.drafting.previews import preview

TEXT = (
    "Read https://stats.example.org/employment-2024/full-report and www.example.org, "
    "ask @someone@social.example or @alex.bsky.social or @alex_tg. #NeighboursFirst"
)


def _marked(platform: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"link": [], "mention": [], "tag": []}
    for piece in preview(TEXT, platform):
        if piece.kind != "text":
            found[piece.kind].append(piece.text)
    return found


def test_mastodon_links_only_full_addresses_shortened_and_marks_fediverse_mentions():
    marked = _marked("mastodon")
    assert marked["link"] == ["stats.example.org/employment-…"]
    assert "@someone@social.example" in marked["mention"] and marked["tag"] == ["#NeighboursFirst"]


def test_bluesky_marks_what_its_facets_mark():
    marked = _marked("bluesky")
    facets = build_facets(TEXT, lambda handle: "did:plc:x")
    kinds = sorted(f["features"][0]["$type"].rsplit("#", 1)[1] for f in facets)
    assert kinds == sorted(["link"] * len(marked["link"]) + ["mention"] * len(marked["mention"]) + ["tag"])
    assert marked["mention"] == ["@alex.bsky.social"]


def test_telegram_links_bare_domains_and_plain_usernames():
    marked = _marked("telegram")
    assert "www.example.org" in marked["link"] and marked["mention"] == ["@alex_tg"]
    assert "".join(piece.text for piece in preview(TEXT, "telegram")) == TEXT  # nothing shortened


def test_the_editor_and_the_schedule_page_show_the_previews(client):
    from sqlalchemy import select

    from app.channels.models import Channel
    from app.demo import seed_demo
    from app.drafting.models import Message, MessageStatus
    from app.extensions import db

    seed_demo("demo password for previews")
    client.post("/login", data={"email": "lead@demo.example", "password": "demo password for previews"})
    draft = db.session.scalar(select(Message).where(Message.status == MessageStatus.DRAFT))
    approved = db.session.scalar(select(Message).where(Message.status == MessageStatus.APPROVED))
    assert "As each platform will show it" in client.get(f"/messages/{draft.id}").get_data(as_text=True)
    page = client.get(f"/publishing/schedule/{approved.id}").get_data(as_text=True)
    assert "As each platform will show it" not in page  # the demo's channels are a webhook and by hand
    org = approved.campaign.organisation
    db.session.add(
        Channel(organisation=org, platform="mastodon", display_name="Demo on Mastodon", settings={},
                time_zone=org.time_zone, posting_windows={}, min_spacing_minutes=0)
    )  # fmt: skip
    db.session.commit()
    page = client.get(f"/publishing/schedule/{approved.id}").get_data(as_text=True)
    assert "As each platform will show it" in page and "post-preview-mastodon" in page


def test_the_provenance_line_has_no_space_before_its_full_stop(client):
    from sqlalchemy import select

    from app.demo import seed_demo
    from app.drafting.models import Message, MessageVersion, VersionSource
    from app.extensions import db

    seed_demo("demo password for previews")
    client.post("/login", data={"email": "staff@demo.example", "password": "demo password for previews"})
    offline = db.session.scalar(
        select(Message).join(MessageVersion, MessageVersion.message_id == Message.id)
        .where(MessageVersion.source == VersionSource.OFFLINE)
    )  # fmt: skip
    page = client.get(f"/messages/{offline.id}").get_data(as_text=True)
    assert "requested by Sam Staff." in page and "Sam Staff ." not in page
