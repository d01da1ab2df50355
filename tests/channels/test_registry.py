"""The registry hands out one connector per platform and describes the fields each needs."""

from __future__ import annotations

import pytest

from app.channels.connectors import (
    CONNECTOR_FIELDS,
    CONNECTOR_SPECS,
    PLATFORMS_WITH_CONNECTORS,
    ChannelConfig,
    ManualOnly,
    get_connector,
)
from app.channels.connectors.registry import ALL_PLATFORMS


@pytest.mark.parametrize("platform", ALL_PLATFORMS)
def test_every_platform_has_a_connector_and_a_form(platform):
    connector = get_connector(ChannelConfig(platform=platform, server_url=None, handle=None, credentials={}))
    assert connector.platform == platform
    assert set(CONNECTOR_FIELDS[platform]) == {"credentials", "settings"}


def test_credentials_are_marked_secret_for_every_automatic_platform():
    for platform in PLATFORMS_WITH_CONNECTORS:
        assert CONNECTOR_SPECS[platform].credentials
        assert all(field.secret for field in CONNECTOR_SPECS[platform].credentials)


def test_manual_channel_refuses_to_publish(make_request):
    connector = get_connector(ChannelConfig(platform="manual", server_url=None, handle=None, credentials={}))
    assert "manual" not in PLATFORMS_WITH_CONNECTORS
    with pytest.raises(ManualOnly, match="a person posts"):
        connector.publish(make_request())


def test_unknown_platform_is_refused():
    with pytest.raises(ValueError, match="No connector"):
        get_connector(ChannelConfig(platform="myspace", server_url=None, handle=None, credentials={}))


def test_credentials_are_hidden_from_the_config_repr():
    config = ChannelConfig(
        platform="mastodon", server_url=None, handle=None, credentials={"access_token": "s3cret"}
    )
    assert "s3cret" not in repr(config)
