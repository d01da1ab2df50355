"""Trend board, detail, create/edit, status, evidence and observations through the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.extensions import db
from app.trends.models import Evidence, Observation, Trend


def _actions() -> set[str]:
    return set(db.session.scalars(select(AuditEvent.action)))


def test_board_requires_sign_in(client):
    assert client.get("/trends/").status_code == 302


def test_empty_board_says_what_to_do(client, auth, staff):
    auth.login(staff)
    page = client.get("/trends/").get_data(as_text=True)
    assert "No trends yet" in page and "Import a file" in page


def test_board_filters_and_search(client, auth, staff, make_trend):
    make_trend(
        "Housing rumour",
        target_groups=["MIGRANTS"],
        platforms=["x"],
        languages=["en"],
        regions=["GB"],
        severity=2,
        keywords=["gloomtide"],
    )
    make_trend(
        "Welfare rumour",
        target_groups=["MUSLIMS"],
        platforms=["telegram"],
        languages=["fr"],
        regions=["FR"],
        severity=3,
        status="responding",
        keywords=["marées grises"],
    )
    auth.login(staff)

    def titles(query: str) -> set[str]:
        page = client.get(f"/trends/?{query}").get_data(as_text=True)
        return {t for t in ("Housing rumour", "Welfare rumour") if t in page}

    assert titles("") == {"Housing rumour", "Welfare rumour"}
    assert titles("status=responding") == {"Welfare rumour"}
    assert titles("severity=2") == {"Housing rumour"}
    assert titles("target_group=MUSLIMS") == {"Welfare rumour"}
    assert titles("platform=x") == {"Housing rumour"}
    assert titles("language=fr") == {"Welfare rumour"}
    assert titles("region=gb") == {"Housing rumour"}
    assert titles("q=gloomtide") == {"Housing rumour"}
    assert titles("q=marées") == {"Welfare rumour"}
    assert titles("q=welfare") == {"Welfare rumour"}
    assert "No trend matches" in client.get("/trends/?q=nothing-like-this").get_data(as_text=True)


def test_board_sorts(client, auth, staff, make_trend):
    make_trend("Steady", counts=[10] * 14, severity=1)
    make_trend("Rising", counts=[1] * 7 + [20] * 7, severity=2)
    make_trend("Severe", counts=[], severity=4)
    auth.login(staff)

    def order(sort: str) -> list[str]:
        page = client.get(f"/trends/?sort={sort}").get_data(as_text=True)
        return sorted(("Steady", "Rising", "Severe"), key=page.index)

    assert order("growing")[0] == "Rising"
    assert order("severe")[0] == "Severe"
    assert order("newest")[0] == "Severe"
    page = client.get("/trends/").get_data(as_text=True)
    assert "<polyline" in page and "▲" in page and "style=" not in page


def test_board_paginates(client, auth, staff, make_trend, app):
    for n in range(app.config["PAGE_SIZE"] + 2):
        make_trend(f"Trend number {n:03d}")
    auth.login(staff)
    page = client.get("/trends/").get_data(as_text=True)
    assert "Page 1 of 2" in page
    assert "Trend number 000" in client.get("/trends/?page=2").get_data(as_text=True)


def test_create_trend_with_every_field(client, auth, staff):
    auth.login(staff)
    response = client.post(
        "/trends/new",
        data={
            "title": "Gloomtide",
            "summary": "Neutral paraphrase.",
            "narrative_tags": "economics, housing",
            "target_groups": ["MIGRANTS", "ROMA"],
            "platforms": "x, telegram",
            "languages": "en",
            "regions": "GB",
            "keywords": "gloomtide",
            "hashtags": "GloomtideRising",
            "coded_terms": "gloomtide",
            "never_repeat_terms": "[SLUR]",
            "severity": "3",
            "hallmarks": ["dehumanisation"],
            "rabat_intent_score": "2",
            "rabat_intent_note": "Coordinated accounts",
            "trigger_event": "Report",
            "recommended_action": "alternative",
            "source": "manual",
            "owner_id": str(staff.id),
            "first_seen_on": "2024-03-01",
            "last_seen_on": "2024-03-05",
            "fact_checks": "Rents rose because of X | https://facts.example/rents",
        },
    )
    assert response.status_code == 302
    trend = db.session.scalar(select(Trend))
    assert trend.hashtags == ["#GloomtideRising"] and trend.target_groups == ["MIGRANTS", "ROMA"]
    assert trend.rabat["intent"] == {"score": 2, "note": "Coordinated accounts"}
    assert trend.fact_checks == [{"claim": "Rents rose because of X", "url": "https://facts.example/rents"}]
    assert trend.owner_id == staff.id and trend.severity == 3
    assert "trend.created" in _actions()


def test_create_form_keeps_input_and_names_errors(client, auth, staff):
    auth.login(staff)
    response = client.post(
        "/trends/new",
        data={
            "title": "Kept title",
            "languages": "english",
            "severity": "2",
            "recommended_action": "counter",
            "owner_id": "0",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Kept title" in page and "BCP-47" in page
    assert db.session.scalar(select(func.count(Trend.id))) == 0


def test_edit_by_reporting_org_and_audit(client, auth, staff, make_trend):
    trend = make_trend("Old title")
    auth.login(staff)
    form = client.get(f"/trends/{trend.id}/edit").get_data(as_text=True)
    assert "Old title" in form
    response = client.post(
        f"/trends/{trend.id}/edit",
        data={
            "title": "New title",
            "severity": "2",
            "recommended_action": "counter",
            "owner_id": "0",
            "source": "manual",
        },
    )
    assert response.status_code == 302
    db.session.refresh(trend)
    assert trend.title == "New title" and trend.severity == 2
    assert "trend.updated" in _actions()


def test_other_organisation_reads_but_cannot_edit(client, auth, make_user, other_org, make_trend):
    from app.accounts.models import Role

    trend = make_trend("Shared trend")
    outsider = make_user(Role.LEAD, org=other_org)
    auth.login(outsider)
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    assert "Shared trend" in page and "Only its people can change it" in page
    assert client.get(f"/trends/{trend.id}/edit").status_code == 403
    assert client.post(f"/trends/{trend.id}/edit", data={"title": "Hijack"}).status_code == 403
    assert client.post(f"/trends/{trend.id}/status", data={"status": "closed"}).status_code == 403
    assert client.post(f"/trends/{trend.id}/evidence", data={"excerpt": "x"}).status_code == 403
    assert (
        client.post(
            f"/trends/{trend.id}/observations", data={"observed_on": "2024-03-01", "count": "3"}
        ).status_code
        == 403
    )
    db.session.refresh(trend)
    assert trend.title == "Shared trend" and trend.status == "new"
    assert "authz.denied" in _actions()


def test_missing_trend_is_404(client, auth, staff):
    auth.login(staff)
    assert client.get("/trends/999").status_code == 404


def test_status_change_follows_transitions(client, auth, staff, make_trend):
    trend = make_trend(status="closed")
    open_trend = make_trend("Open")
    auth.login(staff)
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    assert "its status no longer changes" in page
    client.post(f"/trends/{trend.id}/status", data={"status": "monitoring"})
    db.session.refresh(trend)
    assert trend.status == "closed"
    client.post(f"/trends/{open_trend.id}/status", data={"status": "monitoring"})
    db.session.refresh(open_trend)
    assert open_trend.status == "monitoring"
    assert "trend.status_changed" in _actions()


def test_evidence_behind_content_warning_and_not_on_board(client, auth, staff, make_trend):
    trend = make_trend("With evidence")
    auth.login(staff)
    response = client.post(
        f"/trends/{trend.id}/evidence",
        data={
            "excerpt": "A mild synthetic excerpt",
            "url": "https://social.example/p/1",
            "platform": "X",
            "author_kind": "individual",
            "engagement": "12",
        },
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Evidence)).platform == "x"
    detail = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    warning = detail.index('<details class="content-warning">')
    assert warning < detail.index("A mild synthetic excerpt")
    assert "A mild synthetic excerpt" not in client.get("/trends/").get_data(as_text=True)
    assert "A mild synthetic excerpt" not in client.get("/trends/export.csv").get_data(as_text=True)
    client.post(
        f"/trends/{trend.id}/evidence",
        data={"excerpt": "Other", "url": "https://social.example/p/1", "author_kind": "unknown"},
    )
    assert db.session.scalar(select(func.count(Evidence.id))) == 1


def test_evidence_needs_sign_in(client, make_trend):
    trend = make_trend()
    assert client.get(f"/trends/{trend.id}").status_code == 302


def test_observation_form_and_chart(client, auth, staff, make_trend):
    trend = make_trend(severity=4)
    auth.login(staff)
    from app.common.time import utcnow

    today = utcnow().date().isoformat()
    client.post(
        f"/trends/{trend.id}/observations", data={"observed_on": today, "count": "9", "source": "manual"}
    )
    client.post(
        f"/trends/{trend.id}/observations", data={"observed_on": today, "count": "4", "source": "manual"}
    )
    assert [o.count for o in db.session.scalars(select(Observation))] == [4]
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    assert "<rect" in page and "Severity gate" in page and "style=" not in page


def test_linked_campaigns_only_those_my_org_takes_part_in(client, auth, staff, make_trend, other_org):
    from app.campaigns.models import Campaign

    trend = make_trend()
    mine = Campaign(organisation_id=staff.organisation_id, title="Our answer", trends=[trend])
    theirs = Campaign(organisation_id=other_org.id, title="Their private answer", trends=[trend])
    db.session.add_all([mine, theirs])
    db.session.commit()
    auth.login(staff)
    page = client.get(f"/trends/{trend.id}").get_data(as_text=True)
    assert "Our answer" in page and "Their private answer" not in page


def test_csv_export_neutralises_formulas(client, auth, staff, make_trend):
    make_trend('=HYPERLINK("http://evil.example")', summary="+cmd", keywords=["@SUM(1)"])
    auth.login(staff)
    response = client.get("/trends/export.csv")
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "'=HYPERLINK" in body and "'+cmd" in body and "'@SUM(1)" in body
    assert ',"=HYPERLINK' not in body and ",=HYPERLINK" not in body


def test_navigation_shows_trends(client, auth, staff):
    auth.login(staff)
    assert 'href="/trends/"' in client.get("/").get_data(as_text=True)


def test_the_growth_sort_follows_a_changed_count_and_a_new_day(client, auth, staff, make_trend):
    from datetime import timedelta

    from app.common.time import utcnow
    from app.extensions import db
    from app.trends import services
    from app.trends.queries import refresh_growth

    steady = make_trend("Steady", counts=[10] * 14)
    make_trend("Rising", counts=[1] * 7 + [20] * 7)
    auth.login(staff)

    def first() -> str:
        page = client.get("/trends/?sort=growing").get_data(as_text=True)
        return min(("Steady", "Rising"), key=page.index)

    assert first() == "Rising"
    services.set_observation(steady, utcnow().date(), 500, "test")  # a surge today
    db.session.commit()
    assert first() == "Steady"
    # A day later with no new counts, the kept figures move on: both drop to their new week,
    # and keeping them is not an edit of the trend.
    edited = db.session.get(type(steady), steady.id).updated_at
    assert refresh_growth(utcnow().date() + timedelta(days=1)) == 2
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(type(steady), steady.id).updated_at == edited
    assert refresh_growth(utcnow().date() + timedelta(days=1)) == 0


def test_the_dashboard_lists_rising_trends_with_their_two_weeks_and_follows_a_new_count(
    client, auth, staff, make_trend
):
    from app.common.time import utcnow
    from app.trends import services

    make_trend("Steady", counts=[10] * 14)
    make_trend("Slow riser", counts=[2] * 7 + [3] * 7)
    surging = make_trend("Surging", counts=[1] * 7 + [20] * 7)
    auth.login(staff)
    page = client.get("/").get_data(as_text=True)
    assert "Steady" not in page
    assert page.index("Surging") < page.index("Slow riser")
    assert "140 sightings in the last 7 days, 7 the week before" in page
    services.set_observation(surging, utcnow().date(), 0, "test")  # today's count corrected
    db.session.commit()
    assert "120 sightings in the last 7 days, 7 the week before" in client.get("/").get_data(as_text=True)
