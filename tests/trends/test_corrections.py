"""The reporting organisation corrects or deletes evidence and daily counts; others are refused."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEvent
from app.extensions import db
from app.trends import services
from app.trends.models import Evidence, Observation, Trend
from tests.conftest import PASSWORD

EXCERPT = "A mild synthetic excerpt"


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _evidence(
    trend: Trend, excerpt: str = EXCERPT, url: str | None = "https://social.example/p/1"
) -> Evidence:
    evidence = services.add_evidence(
        trend, services.EvidenceInput(excerpt=excerpt, url=url, platform="x", language="en"), actor=None
    )
    db.session.commit()
    return evidence


def _observation(trend: Trend, count: int = 40, day: date = date(2024, 3, 1)) -> Observation:
    observation = services.set_observation(trend, day, count, "manual")
    db.session.commit()
    return observation


@pytest.fixture
def trend(make_trend) -> Trend:
    return make_trend("Correctable trend")


def test_detail_page_offers_edit_and_confirmed_delete_behind_the_warning(client, auth, staff, trend):
    evidence, observation = _evidence(trend), _observation(trend)
    auth.login(staff)
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    warning = page.index('<details class="content-warning">')
    edit_link = page.index(f"/trends/{trend.id}/evidence/{evidence.id}/edit")
    assert warning < edit_link < page.index("</details>", warning)
    assert f'action="/trends/{trend.id}/evidence/{evidence.id}/delete"' in page
    assert 'data-confirm="Delete this evidence post?' in page
    assert f"/trends/{trend.id}/observations/{observation.id}/edit" in page
    assert 'data-confirm="Delete the count of 2024-03-01 (manual)?"' in page
    assert "style=" not in page and "<script>" not in page


def test_edit_evidence_behind_the_warning_and_audited(client, auth, staff, trend):
    evidence = _evidence(trend)
    auth.login(staff)
    form = client.get(f"/trends/{trend.id}/evidence/{evidence.id}/edit").get_data(as_text=True)
    assert form.index('<details class="content-warning">') < form.index(EXCERPT)
    response = client.post(
        f"/trends/{trend.id}/evidence/{evidence.id}/edit",
        data={
            "excerpt": "A corrected synthetic excerpt",
            "url": "https://social.example/p/2",
            "platform": "Mastodon",
            "captured_on": "2024-03-02",
            "author_kind": "bot",
            "engagement": "7",
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#evidence")
    db.session.expire_all()
    evidence = db.session.get(Evidence, evidence.id)
    assert evidence.excerpt == "A corrected synthetic excerpt" and evidence.platform == "mastodon"
    assert evidence.url == "https://social.example/p/2" and evidence.engagement == 7
    assert evidence.language == "en"  # not on the form: kept
    assert evidence.dedupe_key == services.evidence_key("https://social.example/p/2", "")
    [event] = _events("trend.evidence_edited")
    assert event.actor_id == staff.id and "excerpt" in event.details["fields"]
    assert "synthetic" not in str(event.details)  # the hateful text never reaches the audit trail
    # Re-importing the corrected link is still recognised as the same post.
    _, created = services.upsert_evidence(
        trend, services.EvidenceInput(excerpt="whatever", url="https://social.example/p/2")
    )
    assert created is False


def test_edit_evidence_errors_keep_what_was_typed(client, auth, staff, trend):
    evidence = _evidence(trend)
    _evidence(trend, "Another excerpt", url="https://social.example/p/9")
    auth.login(staff)
    bad_link = client.post(
        f"/trends/{trend.id}/evidence/{evidence.id}/edit",
        data={"excerpt": "Typed and kept", "url": "ftp://nope", "author_kind": "unknown"},
    )
    page = bad_link.get_data(as_text=True)
    assert bad_link.status_code == 400 and "Typed and kept" in page and "http:// or https://" in page
    assert '<details class="content-warning" open>' in page
    clash = client.post(
        f"/trends/{trend.id}/evidence/{evidence.id}/edit",
        data={"excerpt": "Typed again", "url": "https://social.example/p/9", "author_kind": "unknown"},
    )
    page = clash.get_data(as_text=True)
    assert clash.status_code == 400 and "Typed again" in page and "already has this link" in page
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).excerpt == EXCERPT
    assert _events("trend.evidence_edited") == []


def test_delete_evidence_is_audited(client, auth, staff, trend):
    evidence = _evidence(trend)
    auth.login(staff)
    response = client.post(f"/trends/{trend.id}/evidence/{evidence.id}/delete", follow_redirects=True)
    assert "Evidence deleted." in response.get_data(as_text=True)
    assert db.session.scalars(select(Evidence)).all() == []
    [event] = _events("trend.evidence_deleted")
    assert event.actor_id == staff.id and event.details["evidence_id"] == evidence.id


def test_correct_a_daily_count_and_keep_typed_errors(client, auth, staff, trend):
    observation = _observation(trend, 40)
    url = f"/trends/{trend.id}/observations/{observation.id}/edit"
    auth.login(staff)
    assert 'value="40"' in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"count": "-3"})
    assert refused.status_code == 400 and 'value="-3"' in refused.get_data(as_text=True)
    response = client.post(url, data={"count": "4"}, follow_redirects=True)
    assert "Count corrected for 2024-03-01." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).count == 4
    [event] = _events("trend.observation_edited")
    assert {k: event.details[k] for k in ("day", "from", "to")} == {"day": "2024-03-01", "from": 40, "to": 4}


def test_delete_a_daily_count_is_audited(client, auth, staff, trend):
    observation = _observation(trend, 12)
    auth.login(staff)
    response = client.post(f"/trends/{trend.id}/observations/{observation.id}/delete", follow_redirects=True)
    assert "The count for 2024-03-01 is deleted." in response.get_data(as_text=True)
    assert db.session.scalars(select(Observation)).all() == []
    [event] = _events("trend.observation_deleted")
    assert event.details["count"] == 12 and event.details["day"] == "2024-03-01"


def test_other_organisations_are_refused(client, auth, make_user, other_org, trend):
    evidence, observation = _evidence(trend), _observation(trend, 40)
    auth.login(make_user(Role.LEAD, org=other_org))
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    assert "/evidence/" not in page and "/observations/" not in page
    base = f"/trends/{trend.id}"
    assert client.get(f"{base}/evidence/{evidence.id}/edit").status_code == 403
    assert client.post(f"{base}/evidence/{evidence.id}/edit", data={"excerpt": "x"}).status_code == 403
    assert client.post(f"{base}/evidence/{evidence.id}/delete").status_code == 403
    assert client.get(f"{base}/observations/{observation.id}/edit").status_code == 403
    assert client.post(f"{base}/observations/{observation.id}/edit", data={"count": "1"}).status_code == 403
    assert client.post(f"{base}/observations/{observation.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Evidence, evidence.id).excerpt == EXCERPT
    assert db.session.get(Observation, observation.id).count == 40
    assert len(_events("authz.denied")) == 6


def test_items_of_another_trend_are_404(client, auth, staff, make_trend, trend):
    other = make_trend("Other trend")
    evidence, observation = _evidence(other), _observation(other)
    auth.login(staff)
    assert client.get(f"/trends/{trend.id}/evidence/{evidence.id}/edit").status_code == 404
    assert client.post(f"/trends/{trend.id}/evidence/{evidence.id}/delete").status_code == 404
    assert client.post(f"/trends/{trend.id}/observations/{observation.id}/delete").status_code == 404
    assert db.session.scalar(select(Evidence.id)) == evidence.id


class TestCsrf:
    @pytest.fixture
    def app_config(self, tmp_path) -> dict:
        return {"WTF_CSRF_ENABLED": True, "COUNTERPOINT_IMPORT_FOLDER": str(tmp_path / "imports")}

    def test_delete_needs_the_token_its_form_carries(self, client, staff, trend):
        evidence = _evidence(trend)
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": staff.email, "password": PASSWORD, "csrf_token": token})
        delete_url = f"/trends/{trend.id}/evidence/{evidence.id}/delete"
        assert client.post(delete_url).status_code == 400
        assert db.session.scalar(select(Evidence.id)) == evidence.id
        detail = client.get(f"/trends/{trend.id}").get_data(as_text=True)
        form = detail[detail.index(f'action="{delete_url}"') :]
        token = form.split('name="csrf_token" value="')[1].split('"')[0]
        assert client.post(delete_url, data={"csrf_token": token}).status_code == 302
        assert db.session.scalar(select(Evidence.id)) is None
