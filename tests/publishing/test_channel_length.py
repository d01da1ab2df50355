"""Scheduling counts each channel by its own server's rule, so the server never refuses for length."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.checks.lengths import count
from app.extensions import db
from app.publishing.models import Post
from app.publishing.services import PublishingError
from tests.fakes.mastodon import PROFILES, FakeMastodon

URLS = " ".join(f"https://example.org/a-rather-long-report-page/{i}" for i in range(8))


def _text_of(mastodon_count: int) -> str:
    """A text near the limit whose URLs Mastodon counts as 23 and a raw counter in full."""
    base = URLS + " "
    filler = mastodon_count - count(base, "mastodon").count
    return base + "x" * filler


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_schedule_counts_by_the_channel_server_rule(profile, platform_channel, make_message, schedule, now):
    channel, fake = platform_channel("mastodon")
    fake.profile = PROFILES[profile]
    channel.server_software = profile
    text = _text_of(496)  # shown as 496/500 by Mastodon's rule
    server_accepts = fake.length_of(text) <= fake.max_characters

    if server_accepts:
        assert schedule(make_message(text), [channel], now=now)
    else:
        with pytest.raises(PublishingError, match="500"):
            schedule(make_message(text), [channel], now=now)
    assert server_accepts == (profile == "mastodon")


def test_unknown_software_counts_by_the_stricter_rule(platform_channel, make_message, schedule, now):
    channel, _fake = platform_channel("mastodon")
    channel.server_software = None
    with pytest.raises(PublishingError):
        schedule(make_message(_text_of(496)), [channel], now=now)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_count_matches_what_the_server_accepts(profile):
    """Texts around the limit: our count for the channel agrees with the server's verdict."""
    from app.channels.capabilities import capabilities_for

    rule = capabilities_for(profile).length_rule
    with FakeMastodon(profile=profile, max_characters=500) as fake:
        for text in [
            _text_of(500),
            _text_of(501),
            "é" * 500,
            "🏳️‍🌈" * 100 + "a" * 100,
            "@someone@example.social " * 20,
        ]:
            ours = count(text, "mastodon", limit=500, rule=None if rule == "mastodon" else rule)
            assert (ours.count <= 500) == (fake.length_of(text) <= 500), (profile, text[:40])


def test_bluesky_bytes_are_checked_when_scheduling(platform_channel, make_message, schedule, now):
    channel, _fake = platform_channel("bluesky")
    text = "Familles " + "👨‍👩‍👧‍👦" * 130  # 139 graphemes, over 3,000 bytes
    assert len(text.encode()) > 3000
    with pytest.raises(PublishingError, match="bytes"):
        schedule(make_message(text), [channel], now=now)


def _takahe_channel(platform_channel):
    channel, fake = platform_channel("mastodon", name="Takahē home")
    channel.server_software = "takahe"
    fake.profile = PROFILES["takahe"]
    db.session.commit()
    return channel


def test_the_schedule_page_flags_a_channel_whose_server_would_refuse(
    client, auth, lead, platform_channel, make_message
):
    channel = _takahe_channel(platform_channel)
    message = make_message(_text_of(496))
    auth.login(lead)

    page = client.get(f"/publishing/schedule/{message.id}").get_data(as_text=True)

    assert "this server would refuse it" in page
    assert f'data-count="{len(message.text)}" data-limit="500"' in page
    response = client.post(
        f"/publishing/schedule/{message.id}", data={"channel_ids": [channel.id], "mode": "next"}
    )
    assert response.status_code == 200 and db.session.scalar(select(Post)) is None


def test_the_editor_counts_the_text_by_each_channel_server(
    client, auth, lead, platform_channel, make_message
):
    _takahe_channel(platform_channel)
    message = make_message(_text_of(496))
    auth.login(lead)

    page = client.get(f"/messages/{message.id}").get_data(as_text=True)

    assert "Per channel: each server counts in its own way" in page
    assert "Takahē home" in page and "this server would refuse it" in page
    assert 'data-count="496" data-limit="500"' in page  # the platform's own count, unchanged


def test_the_editor_leaves_out_channels_of_organisations_outside_the_campaign(
    client, auth, lead, make_org, make_channel, make_message, mastodon
):
    outsider = make_org("outside", name="Outside")
    channel = make_channel(
        outsider, "mastodon", server_url=mastodon.url, credentials={"access_token": "t"}, name="Not ours"
    )
    channel.server_software = "takahe"
    db.session.commit()
    message = make_message(_text_of(496))
    auth.login(lead)

    page = client.get(f"/messages/{message.id}").get_data(as_text=True)

    assert "Not ours" not in page
