"""The Mastodon connector against a loopback Mastodon server."""

from __future__ import annotations

import socket
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.channels.connectors import (
    AuthError,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
    get_connector,
)
from tests.channels.conftest import loopback_config
from tests.fakes.mastodon import PROFILES, FakeMastodon


def test_publish_returns_the_status_id_and_url(mastodon, mastodon_config, make_request):
    result = get_connector(mastodon_config).publish(make_request())

    assert result.remote_id == mastodon.statuses[0]["id"]
    assert result.url == f"{mastodon.url}/@counterpoint/{result.remote_id}"
    assert result.raw["language"] == "en"
    sent = mastodon.requests_to("/api/v1/statuses", "POST")[0]
    assert sent.headers["idempotency-key"] == "post-42-channel-7"


def publish_looking_first(connector, request, *, may_have_landed: bool):
    """The publisher's contract (issue 10 item 1): after an attempt that may have landed, look first."""
    if may_have_landed and connector.supports_lookup:
        copies = connector.find_copies(request)
        if copies:
            return copies[0]
    return connector.publish(request)


def test_key_honouring_server_returns_the_same_status_for_the_same_key(make_request):
    with FakeMastodon(profile="mastodon") as fake:
        config = loopback_config(
            "mastodon", fake.url, credentials={"access_token": "test-token"}, server_software="mastodon"
        )
        connector = get_connector(config)
        first = connector.publish(make_request())
        second = connector.publish(make_request())

    assert connector.dedupe_window == timedelta(hours=1)
    assert first.remote_id == second.remote_id
    assert len(fake.statuses) == 1


@pytest.mark.parametrize("software", ["takahe", None, "gotosocial"])
def test_the_key_is_not_trusted_where_the_server_ignores_it_or_is_unknown(software):
    config = loopback_config(
        "mastodon", "http://127.0.0.1:9", credentials={"access_token": "t"}, server_software=software
    )
    assert get_connector(config).dedupe_window is None


@pytest.mark.parametrize("loss", ["timeout_after_store", "reset_after_store", "malformed"])
def test_a_lost_answer_leaves_exactly_one_status(mastodon, mastodon_config, make_request, loss):
    connector = get_connector(mastodon_config)
    request = make_request(created_at=datetime.now(UTC))
    mastodon.script(loss)
    with pytest.raises(UnknownOutcome):
        connector.publish(request)

    result = publish_looking_first(connector, request, may_have_landed=True)

    assert len(mastodon.statuses) == 1
    assert result.remote_id == mastodon.statuses[0]["id"]


def test_persistent_loss_never_makes_a_second_status(mastodon, mastodon_config, make_request):
    connector = get_connector(mastodon_config)
    request = make_request(created_at=datetime.now(UTC))
    for _ in range(6):
        mastodon.script("reset_after_store")
    landed = False
    for _ in range(6):
        try:
            publish_looking_first(connector, request, may_have_landed=landed)
        except UnknownOutcome:
            landed = True

    assert len(mastodon.statuses) == 1


def test_revoked_token_is_auth_error_after_one_request(mastodon, mastodon_config, make_request):
    """Each server's own answer to a bad token (401 JSON; Takahē 400 text/html) is credential trouble."""
    config = replace(mastodon_config, credentials={"access_token": "revoked"})
    with pytest.raises(AuthError) as caught:
        get_connector(config).publish(make_request())

    assert caught.value.status == mastodon.invalid_token_status
    assert len(mastodon.requests) == 1
    assert mastodon.statuses == []
    assert "revoked" not in str(caught.value)


def test_revoked_token_is_auth_error_and_not_retried(mastodon, mastodon_config, make_request):
    mastodon.script("401")
    with pytest.raises(AuthError) as caught:
        get_connector(mastodon_config).publish(make_request())

    assert caught.value.status == 401
    assert mastodon.create_calls == 1
    assert mastodon.statuses == []
    assert "test-token" not in str(caught.value)


def test_server_answering_400_for_a_bad_token_is_auth_error(mastodon, mastodon_config, make_request):
    mastodon.script("400_invalid_token")
    with pytest.raises(AuthError):
        get_connector(mastodon_config).publish(make_request())


def test_an_unclear_400_page_with_a_good_token_stays_a_rejection(mastodon, mastodon_config, make_request):
    mastodon.script("400_html")
    with pytest.raises(Rejected) as caught:
        get_connector(mastodon_config).publish(make_request())

    assert not isinstance(caught.value, AuthError)
    assert len(mastodon.requests_to("/api/v1/accounts/verify_credentials")) == 1


def test_an_unclear_400_page_is_auth_error_when_the_credentials_check_refuses(
    mastodon, mastodon_config, make_request
):
    mastodon.script("400_html")
    mastodon.accounts.clear()  # the token was revoked meanwhile
    with pytest.raises(AuthError):
        get_connector(mastodon_config).publish(make_request())
    assert len(mastodon.requests) == 2


def test_rate_limit_reports_reset_time_without_waiting(mastodon, mastodon_config, make_request):
    mastodon.script("429", reset_in=3)
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        get_connector(mastodon_config).publish(make_request())
    elapsed = time.monotonic() - started

    server_reset = mastodon.scripted_reset_at
    assert elapsed < 1.0, "Mastodon.py must throw, not sleep until the reset"
    assert mastodon.create_calls == 1
    assert server_reset <= caught.value.retry_at <= server_reset + timedelta(seconds=1.5)


def test_server_error_is_transient(mastodon, mastodon_config, make_request):
    mastodon.script("500")
    with pytest.raises(TransientError):
        get_connector(mastodon_config).publish(make_request())
    assert mastodon.statuses == []


def test_connection_reset_after_store_is_unknown_outcome(mastodon, mastodon_config, make_request):
    mastodon.script("reset_after_store")
    with pytest.raises(UnknownOutcome):
        get_connector(mastodon_config).publish(make_request())


def test_connection_refused_is_transient(make_request):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = loopback_config("mastodon", f"http://127.0.0.1:{port}", credentials={"access_token": "t"})
    with pytest.raises(TransientError):
        get_connector(config).publish(make_request())


def test_text_over_the_instance_limit_is_rejected_with_the_server_message(
    mastodon, mastodon_config, make_request
):
    with pytest.raises(Rejected) as caught:
        get_connector(mastodon_config).publish(make_request("a" * 501))
    assert "500" in caught.value.message or "too long" in caught.value.message
    assert not isinstance(caught.value, AuthError)


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_character_limit_is_read_from_the_instance(profile):
    with FakeMastodon(max_characters=1000, profile=profile) as fake:
        config = loopback_config("mastodon", fake.url, credentials={"access_token": "test-token"})
        assert get_connector(config).character_limit() == 1000


def test_test_connection_names_the_account_and_posts_nothing(mastodon, mastodon_config):
    assert get_connector(mastodon_config).test_connection() == "@counterpoint"
    assert mastodon.create_calls == 0


def test_test_connection_with_a_wrong_token_is_auth_error(mastodon, mastodon_config):
    config = replace(mastodon_config, credentials={"access_token": "wrong"})
    with pytest.raises(AuthError):
        get_connector(config).test_connection()


def test_private_server_address_is_refused_before_any_request(mastodon, mastodon_config, make_request):
    config = replace(mastodon_config, allow_private_urls=False, require_https=False)
    with pytest.raises(Rejected) as caught:
        get_connector(config).publish(make_request())
    assert "loopback" in caught.value.message
    assert mastodon.requests == []


def test_redirect_is_not_followed(mastodon, mastodon_config, make_request):
    mastodon.script("302")
    with pytest.raises(Rejected, match="redirect"):
        get_connector(mastodon_config).publish(make_request())
    assert len(mastodon.requests) == 1


def test_unresolvable_server_name_is_transient_not_a_rejection(make_request):
    config = replace(
        loopback_config("mastodon", "https://nothing.invalid", credentials={"access_token": "t"}),
        allow_private_urls=False,
        require_https=True,
    )
    with pytest.raises(TransientError, match="could not be found"):
        get_connector(config).publish(make_request())


def _post_directly(fake: FakeMastodon, config, texts: list[str]) -> None:
    """Other statuses of the account, posted by someone else meanwhile."""
    connector = get_connector(config)
    for i, text in enumerate(texts):
        connector.publish(make_plain_request(text, key=f"other-{i}"))


def make_plain_request(text: str, *, key: str, created_at: datetime | None = None):
    from app.channels.connectors import PublishRequest

    return PublishRequest(text=text, idempotency_key=key, created_at=created_at or datetime.now(UTC))


def test_find_copies_pages_beyond_the_latest_40(mastodon, mastodon_config, make_request):
    connector = get_connector(mastodon_config)
    request = make_request(
        "Les bibliothèques restent ouvertes à toutes et tous.", created_at=datetime.now(UTC)
    )
    mastodon.script("reset_after_store")
    with pytest.raises(UnknownOutcome):
        connector.publish(request)
    _post_directly(mastodon, mastodon_config, [f"Another message number {i}" for i in range(95)])

    copies = connector.find_copies(request)

    assert [c.remote_id for c in copies] == [mastodon.statuses[0]["id"]]
    pages = mastodon.requests_to("/statuses", "GET")
    assert len(pages) >= 3
    assert all(p.query.get("max_id") for p in pages[1:])


def test_find_copies_returns_every_copy_oldest_first(make_request):
    with FakeMastodon(profile="takahe") as fake:
        config = loopback_config(
            "mastodon", fake.url, credentials={"access_token": "test-token"}, server_software="takahe"
        )
        connector = get_connector(config)
        request = make_request("Facts, not fear: https://example.org/report", created_at=datetime.now(UTC))
        for _ in range(3):  # blind re-sends against a server that ignores the key
            connector.publish(request)
        _post_directly(fake, config, ["Unrelated"])

        copies = connector.find_copies(request)

    assert [c.remote_id for c in copies] == [s["id"] for s in fake.statuses[:3]]


def test_find_copies_ignores_the_same_text_posted_before_the_first_attempt(mastodon, mastodon_config):
    connector = get_connector(mastodon_config)
    connector.publish(make_plain_request("Same words", key="last-year"))
    later = make_plain_request(
        "Same words", key="this-post", created_at=datetime.now(UTC) + timedelta(hours=2)
    )

    assert connector.find_copies(later) == []
    assert connector.find_existing(later) is None


def test_find_copies_starts_from_the_first_attempt_when_given(mastodon, mastodon_config):
    connector = get_connector(mastodon_config)
    sent = connector.publish(make_plain_request("Scheduled long ago", key="p1"))
    request = replace(
        make_plain_request("Scheduled long ago", key="p1", created_at=datetime.now(UTC) - timedelta(days=3)),
        first_attempt_at=datetime.now(UTC),
    )
    assert [c.remote_id for c in connector.find_copies(request)] == [sent.remote_id]


def test_a_failed_lookup_raises_instead_of_saying_absent(mastodon, mastodon_config, make_request):
    mastodon.script("500", target="list")
    with pytest.raises(TransientError):
        get_connector(mastodon_config).find_copies(make_request())


def test_delete_removes_an_extra_copy(mastodon, mastodon_config, make_request):
    connector = get_connector(mastodon_config)
    kept = connector.publish(make_plain_request("Twice", key="a"))
    extra = connector.publish(make_plain_request("Twice", key="b"))

    connector.delete(extra.remote_id)
    connector.delete(extra.remote_id)  # already gone: not an error

    assert connector.supports_delete
    assert [s["id"] for s in mastodon.statuses] == [kept.remote_id]
    assert mastodon.requests_to(f"/api/v1/statuses/{extra.remote_id}", "DELETE")


def test_delete_with_a_revoked_token_is_auth_error(mastodon, mastodon_config):
    config = replace(mastodon_config, credentials={"access_token": "revoked"})
    with pytest.raises(AuthError):
        get_connector(config).delete("110000000000000001")


def test_server_info_names_the_software_version_and_limit(mastodon, mastodon_config):
    info = get_connector(mastodon_config).server_info()

    assert (info.software, info.version, info.char_limit) == (
        mastodon.profile.software,
        mastodon.profile.version,
        500,
    )


def test_server_info_without_nodeinfo_reads_the_instance_version():
    with FakeMastodon(profile="takahe", nodeinfo=False) as fake:
        config = loopback_config("mastodon", fake.url, credentials={"access_token": "test-token"})
        info = get_connector(config).server_info()
    assert (info.software, info.version) == ("takahe", "0.11.0")


def test_no_request_uses_a_trailing_slash(mastodon, mastodon_config, make_request):
    connector = get_connector(mastodon_config)
    connector.test_connection()
    connector.server_info()
    connector.find_copies(make_request(created_at=datetime.now(UTC)))
    connector.publish(make_request())

    assert all(not r.path.endswith("/") for r in mastodon.requests)


def test_a_resend_during_a_slow_answer_is_a_server_error_and_the_lookup_finds_one(make_request):
    with FakeMastodon(profile="mastodon", busy_key_answers=True) as fake:
        config = loopback_config(
            "mastodon", fake.url, credentials={"access_token": "test-token"}, server_software="mastodon"
        )
        connector = get_connector(config)
        request = make_request(created_at=datetime.now(UTC))
        fake.script("timeout_after_store")
        with pytest.raises(UnknownOutcome):
            connector.publish(request)
        with pytest.raises(TransientError):
            connector.publish(request)  # the first is still being processed: 500

        assert [c.remote_id for c in connector.find_copies(request)] == [fake.statuses[0]["id"]]
        assert len(fake.statuses) == 1
