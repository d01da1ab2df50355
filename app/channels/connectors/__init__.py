"""Platform connectors: one module per platform behind the Connector interface."""

from __future__ import annotations

from app.channels.connectors.base import (
    AuthError,
    ChannelConfig,
    Connector,
    ConnectorError,
    PublishRequest,
    PublishResult,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from app.channels.connectors.manual import ManualOnly
from app.channels.connectors.registry import (
    CONNECTOR_FIELDS,
    CONNECTOR_SPECS,
    PLATFORMS_WITH_CONNECTORS,
    get_connector,
)

__all__ = [
    "CONNECTOR_FIELDS",
    "CONNECTOR_SPECS",
    "PLATFORMS_WITH_CONNECTORS",
    "AuthError",
    "ChannelConfig",
    "Connector",
    "ConnectorError",
    "ManualOnly",
    "PublishRequest",
    "PublishResult",
    "RateLimited",
    "Rejected",
    "TransientError",
    "UnknownOutcome",
    "get_connector",
]
