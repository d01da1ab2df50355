"""Our Bluesky connector against a REAL PDS (@atproto/pds from npm) on loopback, with an in-memory PLC."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.channels.connectors import (
    AuthError,
    ChannelConfig,
    PublishRequest,
    RateLimited,
    UnknownOutcome,
    get_connector,
)
from tests.channels.conftest import loopback_config
from tests.fakes.pds import LossyProxy, PdsUnavailable, RealPds, ensure_installed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pds() -> Iterator[RealPds]:
    try:
        node = ensure_installed()
    except PdsUnavailable as reason:
        pytest.skip(f"real PDS not available: {reason}")
    with RealPds(node) as server:
        yield server


@pytest.fixture(scope="module")
def account(pds: RealPds) -> tuple[dict, str]:
    return pds.create_account("counterpoint.test")


@pytest.fixture
def proxy(pds: RealPds) -> Iterator[LossyProxy]:
    with LossyProxy(pds.url) as fake:
        yield fake


@pytest.fixture
def config(proxy: LossyProxy, account: tuple[dict, str]) -> ChannelConfig:
    session, app_password = account
    return replace(
        loopback_config(
            "bluesky", proxy.url, handle=session["handle"], credentials={"app_password": app_password}
        ),
        timeout=10.0,
    )


def _request(text: str, key: str) -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, language="fr", created_at=datetime.now(UTC))


def test_publish_with_facets_exact_on_french_text_with_emoji(pds, account, config):
    pds.create_account("alice.test")
    text = (
        "Merci 🙏🏽 à @alice.test : l'égalité se défend ensemble 💪 "
        "https://fr.wikipedia.org/wiki/Droits_de_l'homme. #Solidarité #️⃣ exemple.fr"
    )
    result = get_connector(config).publish(_request(text, "pds-facets"))

    [record] = [r for r in pds.records(account[0]["did"]) if r["uri"] == result.remote_id]
    raw = record["value"]["text"].encode("utf-8")
    spans = {
        raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"): f["features"][0]
        for f in record["value"]["facets"]
    }
    assert record["value"]["text"] == text
    assert set(spans) == {
        "@alice.test",
        "https://fr.wikipedia.org/wiki/Droits_de_l'homme",
        "#Solidarité",
        "exemple.fr",
    }
    assert spans["@alice.test"]["did"].startswith("did:plc:")
    assert spans["exemple.fr"]["uri"] == "https://exemple.fr"


def test_a_lost_answer_leaves_one_record(pds, account, config, proxy):
    connector = get_connector(config)
    request = _request("Une seule fois, même si la réponse se perd.", "pds-lost")
    connector.test_connection()
    proxy.script("lose_answer", target="com.atproto.repo.createRecord")
    with pytest.raises(UnknownOutcome):
        connector.publish(request)

    copies = connector.find_copies(request)
    again = connector.publish(request)

    mine = [r for r in pds.records(account[0]["did"]) if r["value"]["text"] == request.text]
    assert len(mine) == 1
    assert [c.remote_id for c in copies] == [mine[0]["uri"]] == [again.remote_id]


def test_a_wrong_app_password_is_auth_error_after_one_request(pds, account, config, proxy):
    wrong = replace(config, credentials={"app_password": "aaaa-bbbb-cccc-dddd"})
    with pytest.raises(AuthError):
        get_connector(wrong).publish(_request("Jamais publié.", "pds-wrong"))

    assert [r.path for r in proxy.requests] == ["/xrpc/com.atproto.server.createSession"]


def test_the_session_rate_limit_of_the_real_pds_gives_a_reset_time(pds):
    """createSession allows 30 per 5 minutes; the 31st says when to come back (RateLimit-Reset)."""
    session, app_password = pds.create_account("limited.test")
    url = f"{pds.url}/xrpc/com.atproto.server.createSession"
    answers = [
        httpx.post(url, json={"identifier": "limited.test", "password": app_password}, timeout=10).status_code
        for _ in range(30)
    ]
    config = replace(
        loopback_config(
            "bluesky", pds.url, handle="limited.test", credentials={"app_password": app_password}
        ),
        timeout=10.0,
    )
    with pytest.raises(RateLimited) as caught:
        get_connector(config).test_connection()

    assert set(answers) == {200}
    assert caught.value.retry_at is not None
    assert datetime.now(UTC) < caught.value.retry_at <= datetime.now(UTC) + timedelta(minutes=5, seconds=2)
