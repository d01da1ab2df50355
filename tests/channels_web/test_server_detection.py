"""Channels know their server: software and version detected at test-connection and daily; one shared Bluesky session."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.channels import services
from app.channels.connectors import get_connector
from app.channels.models import Channel, ChannelSession
from app.common.time import utcnow
from app.extensions import db
from tests.fakes.bluesky import FakeBluesky
from tests.fakes.mastodon import PROFILES, FakeMastodon


@pytest.fixture
def app_config() -> dict:
    return {"COUNTERPOINT_CONNECTOR_TIMEOUT": 2.0, "COUNTERPOINT_ALLOW_PRIVATE_URLS": True}


def _mastodon_channel(org, lead, url: str) -> Channel:
    channel = services.create_channel(
        org,
        "mastodon",
        services.ChannelFields(display_name="Home", server_url=url),
        {"access_token": "test-token"},
        actor=lead,
    )
    db.session.commit()
    return channel


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_test_connection_stores_the_server_software_and_version(profile, org, lead):
    with FakeMastodon(profile=profile, max_characters=700) as fake:
        channel = _mastodon_channel(org, lead, fake.url)
        services.test_connection(channel, actor=lead)
        db.session.commit()

    assert (channel.server_software, channel.server_version) == (profile, PROFILES[profile].version)
    assert channel.detected_char_limit == 700
    assert channel.length_rule == (None if profile == "mastodon" else "raw")
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "channel.server_detected"))


def test_the_daily_recheck_notices_a_server_that_changed_software(org, lead):
    with FakeMastodon(profile="mastodon") as fake:
        channel = _mastodon_channel(org, lead, fake.url)
        services.test_connection(channel, actor=lead)
        channel.checked_at = utcnow() - timedelta(days=2)
        db.session.commit()
        fake.profile = PROFILES["takahe"]

        assert services.recheck_servers_tick() == 1
        assert services.recheck_servers_tick() == 0  # checked today

    db.session.expire_all()
    assert channel.server_software == "takahe"


def test_one_bluesky_session_is_shared_by_every_process(org, lead, app):
    with FakeBluesky() as fake:
        channel = services.create_channel(
            org,
            "bluesky",
            services.ChannelFields(display_name="Sky", server_url=fake.url, handle="counterpoint.test"),
            {"app_password": "app-pass-1234"},
            actor=lead,
        )
        db.session.commit()
        from app.channels.connectors.bluesky import clear_sessions

        for _ in range(3):  # three processes: no in-process cache survives between them
            clear_sessions()
            get_connector(services.channel_config(channel)).test_connection()

        stored = db.session.get(ChannelSession, channel.id)
        assert fake.sessions_created == 1
        assert stored is not None and "accessJwt" not in (stored.session_encrypted or "")
        assert stored.expires_at is not None and stored.expires_at > utcnow()


def test_a_stored_session_copied_to_another_channel_is_not_used(org, lead):
    with FakeBluesky() as fake:
        channels = [
            services.create_channel(
                org,
                "bluesky",
                services.ChannelFields(
                    display_name=f"Sky {i}", server_url=fake.url, handle="counterpoint.test"
                ),
                {"app_password": "app-pass-1234"},
                actor=lead,
            )
            for i in range(2)
        ]
        db.session.commit()
        from app.channels.connectors.bluesky import clear_sessions

        clear_sessions()
        get_connector(services.channel_config(channels[0])).test_connection()
        first = db.session.get(ChannelSession, channels[0].id)
        db.session.add(ChannelSession(channel_id=channels[1].id, session_encrypted=first.session_encrypted))
        db.session.commit()
        clear_sessions()
        get_connector(services.channel_config(channels[1])).test_connection()

        assert fake.sessions_created == 2


def test_the_channel_page_names_the_server_software(client, auth, org, lead):
    with FakeMastodon(profile="takahe") as fake:
        channel = _mastodon_channel(org, lead, fake.url)
        services.test_connection(channel, actor=lead)
        db.session.commit()
    auth.login(lead)
    page = client.get(f"/channels/{channel.id}").get_data(as_text=True)
    assert "takahe 0.11.0" in page and "counts every character" in page


def test_processes_racing_for_a_session_open_only_one(org, lead, app):
    """Four workers start at once with no stored session: the row lock lets one log in."""
    with FakeBluesky() as fake:
        channel = services.create_channel(
            org,
            "bluesky",
            services.ChannelFields(display_name="Sky", server_url=fake.url, handle="counterpoint.test"),
            {"app_password": "app-pass-1234"},
            actor=lead,
        )
        db.session.commit()
        config = services.channel_config(channel)
        from app.channels.connectors.bluesky import clear_sessions

        clear_sessions()
        fake.session_delay = 0.3
        errors: list[BaseException] = []
        start = threading.Barrier(4)

        def worker() -> None:
            start.wait()
            with app.app_context():
                try:
                    get_connector(config).test_connection()
                except BaseException as error:  # reported below
                    errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        assert errors == []
        assert fake.sessions_created == 1


def test_a_channel_never_detected_is_tried_again_within_the_hour(org, lead):
    with FakeMastodon(profile="takahe") as fake:
        channel = _mastodon_channel(org, lead, fake.url)
        channel.server_software, channel.checked_at = None, utcnow() - timedelta(hours=2)
        db.session.commit()

        assert services.recheck_servers_tick() == 1

    db.session.expire_all()
    assert channel.server_software == "takahe"
