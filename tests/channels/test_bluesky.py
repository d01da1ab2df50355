"""The Bluesky connector against a loopback PDS: sessions, TID record keys, facets, reconciliation."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.channels.connectors import (
    AuthError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    get_connector,
)
from app.channels.connectors.bluesky import TID_ALPHABET, build_facets, is_valid_tid, jwt_expiry, tid_for
from tests.channels.conftest import loopback_config
from tests.fakes.bluesky import FakeBluesky


def test_publish_creates_the_record_under_the_derived_rkey(bluesky, bluesky_config, make_request):
    request = make_request()
    result = get_connector(bluesky_config).publish(request)

    rkey = tid_for(request.idempotency_key, request.created_at)
    assert result.remote_id == f"at://did:plc:counterpoint000000000/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/counterpoint.test/post/{rkey}"
    [post] = bluesky.posts()
    assert post["text"] == request.text
    assert post["langs"] == ["en"]
    assert post["createdAt"].endswith("Z")


def test_session_is_reused_across_publishes(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    connector.publish(make_request("First post", idempotency_key="a"))
    get_connector(bluesky_config).publish(make_request("Second post", idempotency_key="b"))

    assert bluesky.sessions_created == 1
    assert len(bluesky.posts()) == 2


def test_expiring_access_token_is_refreshed_not_recreated(make_request):
    with FakeBluesky(access_ttl=30) as fake:
        config = loopback_config(
            "bluesky", fake.url, handle="counterpoint.test", credentials={"app_password": "app-pass-1234"}
        )
        get_connector(config).publish(make_request("One", idempotency_key="a"))
        get_connector(config).publish(make_request("Two", idempotency_key="b"))

        assert fake.sessions_created == 1
        assert fake.sessions_refreshed == 1


def test_token_expired_on_the_server_opens_a_new_session_once(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    connector.publish(make_request("One", idempotency_key="a"))
    bluesky.script("expired")

    connector.publish(make_request("Two", idempotency_key="b"))

    assert bluesky.sessions_created == 2
    assert len(bluesky.posts()) == 2


def test_wrong_app_password_is_auth_error_and_posts_nothing(bluesky, bluesky_config, make_request):
    config = replace(bluesky_config, credentials={"app_password": "wrong-password"})
    with pytest.raises(AuthError):
        get_connector(config).publish(make_request())
    assert bluesky.create_calls == 0


def test_401_on_create_with_a_fresh_session_is_not_retried(bluesky, bluesky_config, make_request):
    bluesky.script("401")
    with pytest.raises(AuthError):
        get_connector(bluesky_config).publish(make_request())
    assert bluesky.create_calls == 1


def test_session_rate_limit_reports_the_reset(bluesky, bluesky_config, make_request):
    bluesky.script("429", target="createSession", reset_in=60)
    with pytest.raises(RateLimited) as caught:
        get_connector(bluesky_config).publish(make_request())

    expected = datetime.now(UTC) + timedelta(seconds=60)
    assert abs(caught.value.retry_at - expected) < timedelta(seconds=3)
    assert bluesky.create_calls == 0


def test_server_error_is_transient(bluesky, bluesky_config, make_request):
    bluesky.script("500")
    with pytest.raises(TransientError):
        get_connector(bluesky_config).publish(make_request())
    assert bluesky.posts() == []


def test_timeout_after_store_then_retry_returns_the_same_post(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    bluesky.script("timeout_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    retried = connector.publish(make_request())

    assert bluesky.create_calls == 2
    assert len(bluesky.posts()) == 1
    assert retried.remote_id == next(iter(bluesky.records.values()))["uri"]


def test_malformed_reply_is_unknown_and_retry_keeps_one_post(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    bluesky.script("malformed")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())
    connector.publish(make_request())
    assert len(bluesky.posts()) == 1


def test_find_existing_reads_the_record_by_rkey(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    assert connector.find_existing(make_request()) is None
    bluesky.script("timeout_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    found = connector.find_existing(make_request())

    assert found is not None and found.remote_id.startswith("at://did:plc:counterpoint")


def test_test_connection_names_the_handle_and_posts_nothing(bluesky, bluesky_config):
    assert get_connector(bluesky_config).test_connection() == "@counterpoint.test"
    assert bluesky.create_calls == 0


def test_facets_use_utf8_byte_offsets_after_accents_and_emoji(bluesky, bluesky_config, make_request):
    bluesky.handles["friend.test"] = "did:plc:friend"
    text = (
        "Café ☕ 👩🏽‍💻 read https://example.org/guide. Thanks @friend.test and @nobody.test #BetterTogether!"
    )
    get_connector(bluesky_config).publish(make_request(text))

    [post] = bluesky.posts()
    encoded = post["text"].encode("utf-8")
    spans = {
        encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(): f["features"][0]
        for f in post["facets"]
    }
    assert spans["https://example.org/guide"]["uri"] == "https://example.org/guide"
    assert spans["@friend.test"]["did"] == "did:plc:friend"
    assert spans["#BetterTogether"]["tag"] == "BetterTogether"
    assert "@nobody.test" not in spans


def test_link_at_the_start_and_a_handle_inside_a_url_are_handled():
    facets = build_facets(
        "https://example.org/@someone.test/x then (see https://example.org/a_(b))", lambda h: "did:x"
    )
    kinds = [f["features"][0]["$type"].rsplit("#", 1)[1] for f in facets]
    uris = [f["features"][0].get("uri") for f in facets]
    assert kinds == ["link", "link"]
    assert uris == ["https://example.org/@someone.test/x", "https://example.org/a_(b)"]


def test_tid_is_valid_and_deterministic():
    created = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    first = tid_for("post-1", created)
    assert first == tid_for("post-1", created)
    assert len(first) == 13 and is_valid_tid(first)
    assert tid_for("post-1", created + timedelta(microseconds=1)) > first


@given(
    key=st.text(min_size=1, max_size=40),
    created=st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
)
def test_tid_encodes_the_microsecond_timestamp(key, created):
    tid = tid_for(key, created)
    value = 0
    for char in tid:
        value = value * 32 + TID_ALPHABET.index(char)
    micros = (created - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert is_valid_tid(tid)
    assert value >> 10 == micros


def test_tid_needs_a_creation_time():
    with pytest.raises(ValueError):
        tid_for("post-1", None)


def test_jwt_expiry_is_read_from_the_token(bluesky, bluesky_config):
    get_connector(bluesky_config).test_connection()
    token = bluesky.requests_to("getSession")[0].bearer()
    expiry = jwt_expiry(token)
    assert expiry is not None
    assert abs(expiry - (datetime.now(UTC) + timedelta(hours=2))) < timedelta(seconds=5)
    assert jwt_expiry("not-a-jwt") is None


def _facet_texts(text: str) -> list[tuple[str, dict]]:
    raw = text.encode("utf-8")
    return [
        (raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode("utf-8"), f["features"][0])
        for f in build_facets(text, lambda handle: None)
    ]


def test_a_link_keeps_its_apostrophe():
    text = "Lire https://fr.wikipedia.org/wiki/Déclaration_des_droits_de_l'homme_et_du_citoyen, merci."
    [(span, feature)] = _facet_texts(text)
    assert span == "https://fr.wikipedia.org/wiki/Déclaration_des_droits_de_l'homme_et_du_citoyen"
    assert feature["uri"] == span


@pytest.mark.parametrize("closing", ['"', "”", "»", "’", "'", ")"])
def test_closing_quotes_after_a_link_are_not_part_of_it(closing):
    opening = {"”": "“", "»": "« ", "’": "‘", ")": "("}.get(closing, closing)
    text = f"Il a dit {opening}voir https://example.org/rapport{closing} hier."
    assert [span for span, _ in _facet_texts(text)] == ["https://example.org/rapport"]


def test_the_keycap_emoji_is_not_a_tag():
    text = "Numéro #️⃣ puis #Solidarité"
    assert [(span, f["tag"]) for span, f in _facet_texts(text)] == [("#Solidarité", "Solidarité")]


def test_a_url_without_a_scheme_is_linked_like_the_official_detector():
    text = "Voir exemple.fr/page et (bsky.app) mais pas fichier.notatld ni a.b@mail.org"
    found = [(span, f["uri"]) for span, f in _facet_texts(text)]
    assert found == [("exemple.fr/page", "https://exemple.fr/page"), ("bsky.app", "https://bsky.app")]


def test_a_dropped_answer_then_lookup_finds_the_one_record(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    bluesky.script("reset_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(make_request())

    copies = connector.find_copies(make_request())

    assert connector.supports_lookup
    assert [c.remote_id for c in copies] == [r["uri"] for r in bluesky.records.values()]
    assert connector.find_copies(make_request(idempotency_key="never-sent")) == []


def test_delete_removes_the_record(bluesky, bluesky_config, make_request):
    connector = get_connector(bluesky_config)
    result = connector.publish(make_request())

    connector.delete(result.remote_id)

    assert bluesky.records == {}
    with pytest.raises(Rejected):
        connector.delete("at://did:plc:someoneelse/app.bsky.feed.post/3jzfcijpj2z2a")
