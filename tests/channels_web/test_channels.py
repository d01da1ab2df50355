"""Channel pages and encrypted credentials: roles, organisations, re-authentication, rotation."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.channels import services
from app.channels.models import Channel
from app.common.crypto import CredentialError, decrypt_credentials
from app.extensions import db
from tests.conftest import TEST_ENCRYPTION_KEY, make_test_app

TOKEN = "test-token"


def _new_mastodon(client, mastodon, **extra):
    data = {
        "platform": "mastodon",
        "display_name": "Home on Mastodon",
        "server_url": mastodon.url,
        "secret": TOKEN,
        "time_zone": "Europe/Paris",
        "posting_windows": "mon-fri 09:00-18:00",
        "min_spacing_minutes": "30",
        **extra,
    }
    return client.post("/channels/new", data=data)


def _raw_column(channel_id: int) -> str:
    return db.session.execute(
        text("SELECT credentials_encrypted FROM channels WHERE id = :id"), {"id": channel_id}
    ).scalar_one()


def test_lead_adds_a_channel_credentials_encrypted_and_never_shown(client, auth, lead, mastodon):
    auth.login(lead)
    response = _new_mastodon(client, mastodon)
    assert response.status_code == 302
    channel = db.session.scalar(select(Channel))
    raw = _raw_column(channel.id)
    assert raw and TOKEN not in raw
    assert decrypt_credentials(channel) == {"access_token": TOKEN}
    assert channel.detected_char_limit == 11000  # read from the instance on save
    assert channel.posting_windows["mon"] == [["09:00", "18:00"]]
    page = client.get(f"/channels/{channel.id}").get_data(as_text=True)
    assert "Home on Mastodon" in page and TOKEN not in page and "11000" in page
    assert TOKEN not in client.get(f"/channels/{channel.id}/edit").get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "channel.created"))
    assert event.details["credentials_set"] is True and TOKEN not in str(event.details)


def test_form_keeps_what_was_typed_on_errors(client, auth, lead, mastodon):
    auth.login(lead)
    response = _new_mastodon(client, mastodon, posting_windows="someday 9-5", display_name="Kept name")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kept name" in page and "Start each line with days" in page
    assert db.session.scalar(select(Channel)) is None


def test_unsafe_urls_are_refused_unless_private_addresses_are_allowed(app, org, lead):
    app.config["COUNTERPOINT_ALLOW_PRIVATE_URLS"] = False
    fields = services.ChannelFields(display_name="Hook", settings={"url": "http://169.254.169.254/latest"})
    with pytest.raises(services.ChannelError):
        services.create_channel(org, "webhook", fields, {}, actor=lead)
    app.config["COUNTERPOINT_ENV"] = "production"
    fields = services.ChannelFields(display_name="Hook", settings={"url": "http://example.org/hook"})
    with pytest.raises(services.ChannelError, match="https"):
        services.create_channel(org, "webhook", fields, {}, actor=lead)


def test_staff_see_channels_but_cannot_change_them(client, auth, org, staff, lead):
    channel = services.create_channel(
        org, "manual", services.ChannelFields(display_name="By hand"), {}, actor=lead
    )
    db.session.commit()
    auth.login(staff)
    assert "By hand" in client.get("/channels/").get_data(as_text=True)
    assert client.get(f"/channels/{channel.id}").status_code == 200
    assert client.get("/channels/new").status_code == 403
    assert client.post(f"/channels/{channel.id}/pause", data={"paused": "1"}).status_code == 403
    assert db.session.get(Channel, channel.id).is_paused is False


def test_another_organisations_channel_is_a_404(client, auth, make_org, make_user, lead):
    other = make_org("other", name="Other")
    channel = services.create_channel(
        other, "manual", services.ChannelFields(display_name="Theirs"), {}, actor=None
    )
    db.session.commit()
    auth.login(lead)
    for url in (f"/channels/{channel.id}", f"/channels/{channel.id}/edit"):
        assert client.get(url).status_code == 404
    for url in ("pause", "archive", "test", "credentials"):
        assert client.post(f"/channels/{channel.id}/{url}").status_code == 404


def test_replacing_credentials_needs_the_password(client, auth, lead, mastodon):
    auth.login(lead)
    _new_mastodon(client, mastodon)
    channel = db.session.scalar(select(Channel))
    channel.needs_reauth = True
    db.session.commit()
    before = _raw_column(channel.id)

    response = client.post(
        f"/channels/{channel.id}/credentials", data={"secret": "new-token", "password": "nope"}
    )
    assert response.status_code == 400 and "password was not right" in response.get_data(as_text=True)
    assert _raw_column(channel.id) == before
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "channel.credentials_reauth_failed")
    )

    from tests.conftest import PASSWORD

    response = client.post(
        f"/channels/{channel.id}/credentials", data={"secret": "new-token", "password": PASSWORD}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert decrypt_credentials(channel) == {"access_token": "new-token"} and channel.needs_reauth is False
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "channel.credentials_replaced"))


def test_test_connection_posts_nothing(client, auth, lead, mastodon):
    auth.login(lead)
    _new_mastodon(client, mastodon)
    channel = db.session.scalar(select(Channel))
    response = client.post(f"/channels/{channel.id}/test", follow_redirects=True)
    assert "Connected as @counterpoint" in response.get_data(as_text=True)
    assert mastodon.create_calls == 0


def test_credentials_are_bound_to_their_row(org, lead):
    first = services.create_channel(
        org,
        "webhook",
        services.ChannelFields(display_name="A", settings={"url": "https://a.example/hook"}),
        {"secret": ""},
        actor=lead,
    )
    second = services.create_channel(
        org,
        "webhook",
        services.ChannelFields(display_name="B", settings={"url": "https://b.example/hook"}),
        {"secret": ""},
        actor=lead,
    )
    second.credentials_encrypted = first.credentials_encrypted  # copied from another row
    with pytest.raises(CredentialError, match="another channel"):
        decrypt_credentials(second)


def test_rotate_keys_re_encrypts_under_the_newest_key(app, org, lead, database_url):
    channel = services.create_channel(
        org,
        "telegram",
        services.ChannelFields(display_name="TG", settings={"chat_id": "@news"}),
        {"bot_token": "123:secret"},
        actor=lead,
    )
    db.session.commit()
    old_value = _raw_column(channel.id)
    new_key = Fernet.generate_key().decode()
    rotated_app = make_test_app(database_url, COUNTERPOINT_ENCRYPTION_KEYS=f"{new_key},{TEST_ENCRYPTION_KEY}")
    with rotated_app.app_context():  # with_appcontext would otherwise reuse the test's app
        result = rotated_app.test_cli_runner().invoke(args=["rotate-keys"])
        db.session.remove()
    assert result.exit_code == 0 and "1 channel" in result.output
    new_only = make_test_app(database_url, COUNTERPOINT_ENCRYPTION_KEYS=new_key)
    with new_only.app_context():
        fresh = db.session.get(Channel, channel.id)
        assert fresh.credentials_encrypted != old_value
        assert decrypt_credentials(fresh) == {"bot_token": "123:secret"}
        db.session.remove()


@pytest.mark.parametrize("role", [Role.LEAD, Role.ADMIN])
def test_leads_and_admins_manage(role, client, auth, make_user, org):
    person = make_user(role, org=org)
    auth.login(person)
    response = client.post(
        "/channels/new", data={"platform": "manual", "display_name": "By hand", "time_zone": "UTC"}
    )
    assert response.status_code == 302
