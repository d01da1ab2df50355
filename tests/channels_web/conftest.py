"""Channel pages against a loopback Mastodon."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.mastodon import FakeMastodon


@pytest.fixture
def app_config() -> dict:
    return {"COUNTERPOINT_CONNECTOR_TIMEOUT": 0.5}


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon(max_characters=11000) as fake:
        yield fake
