"""Platforms without an API: a person posts the text by hand."""

from __future__ import annotations

from app.channels.connectors.base import Connector, ConnectorError, PublishRequest, PublishResult


class ManualOnly(ConnectorError):
    """A manual channel cannot publish automatically."""


class ManualConnector(Connector):
    """Completes the registry; the worker never calls publish for a manual channel."""

    platform = "manual"
    dedupe_window = None

    def publish(self, req: PublishRequest) -> PublishResult:
        """Refuse: a person copies the approved text and posts it."""
        raise ManualOnly("This is a manual channel: a person posts the approved text and records the link.")

    def test_connection(self) -> str:
        """Nothing to check for a manual channel."""
        return "manual channel (posted by a person)"
