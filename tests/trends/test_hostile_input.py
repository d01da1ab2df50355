"""Web forms under hostile input: a taken (source, external_id), NUL bytes, broken characters, huge fields."""

from __future__ import annotations

from app.extensions import db
from app.trends.models import Trend

FORM = {"severity": "2", "recommended_action": "counter", "owner_id": "0"}


def test_editing_a_trend_onto_a_taken_source_and_external_id_is_a_form_error(client, auth, staff, make_trend):
    make_trend("From the feed", source="feed", external_id="42")
    other = make_trend("By hand", external_id="42")
    auth.login(staff)
    response = client.post(f"/trends/{other.id}/edit", data={**FORM, "title": "By hand", "source": "feed"})
    assert response.status_code == 400
    assert "already has this source and external id" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Trend, other.id).source == "manual"


def post_raw(client, trend, title: str):
    body = "severity=2&recommended_action=counter&owner_id=0&source=manual&title=" + title
    return client.post(
        f"/trends/{trend.id}/edit", data=body, content_type="application/x-www-form-urlencoded"
    )


def test_a_surrogate_sent_as_bytes_never_reaches_storage(client, auth, staff, make_trend):
    trend = make_trend("Clean title")
    auth.login(staff)
    assert post_raw(client, trend, "broken+%ED%A0%80+surrogate").status_code in (302, 400)
    db.session.expire_all()
    db.session.get(Trend, trend.id).title.encode("utf-8")  # nothing unencodable was stored


def test_nul_bytes_are_refused_clearly(client, auth, staff, make_trend):
    trend = make_trend("Clean title")
    auth.login(staff)
    response = post_raw(client, trend, "Nul%00byte")
    assert response.status_code == 400
    assert "cannot be stored" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Trend, trend.id).title == "Clean title"


def test_a_huge_field_is_refused_before_any_work(client, auth, staff, make_trend):
    trend = make_trend("Clean title")
    auth.login(staff)
    response = client.post(
        f"/trends/{trend.id}/edit", data={**FORM, "title": "x" * 100_000, "source": "manual"}
    )
    assert response.status_code == 413
    assert "longer than 20000 characters" in response.get_data(as_text=True)


def test_dates_out_of_range_are_form_errors(client, auth, staff, make_trend):
    trend = make_trend("Clean title")
    auth.login(staff)
    data = {
        **FORM,
        "title": "Clean title",
        "source": "manual",
        "first_seen_on": "0001-01-01",
        "last_seen_on": "9999-12-31",
    }
    response = client.post(f"/trends/{trend.id}/edit", data=data)
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("between 1900 and 2200") == 2
