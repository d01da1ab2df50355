"""Queries per page must not grow with rows: every list page, at two sizes of the same data set."""

from __future__ import annotations

import pytest

from app.accounts.models import Organisation
from app.api import tokens
from app.extensions import db
from bench import scale
from bench.bench_pages import pages
from tests.conftest import _empty_all_tables
from tests.queries import counting_queries

SMALL, LARGE = 0.002, 0.02  # the larger holds ten times the trends, messages, posts and audit events
# Pages that read what their rows show in one query per kind of data, a fixed number of queries that an
# empty page skips (the small data set's review queue is empty): the queue's cards read versions,
# comments, partners, approvals, visible campaigns and what the lead last saw, 6 queries for any page.
WHEN_NOT_EMPTY = {"review queue": 6}


def _clients(app) -> dict:
    clients = {"anon": app.test_client(), "api": app.test_client()}
    for who, email in (
        ("lead", scale.BENCH_LEAD),
        ("admin", "admin@org-01.bench.example"),
        ("partner", scale.PARTNER_LEAD),
    ):
        client = app.test_client()
        assert client.post("/login", data={"email": email, "password": scale.PASSWORD}).status_code == 302
        clients[who] = client
    return clients


def _queries_per_page(app, size: float) -> dict[str, int]:
    _empty_all_tables()
    scale.seed(db.engine, scale=size, log=lambda *_: None)
    facts = scale.facts_of(db.engine)
    _token, clear = tokens.create_token(db.session.get(Organisation, 1), "budget", actor=None)
    db.session.commit()
    headers = {"api": {"Authorization": f"Bearer {clear}"}}
    clients = _clients(app)
    found = {}
    with counting_queries() as counted:
        for label, who, path in pages(facts):
            label = label.split(" (")[0] + (" (partner)" if who == "partner" else "")
            db.session.remove()  # nothing cached from an earlier request, as in production
            counted[0] = 0
            response = clients[who].get(path, headers=headers.get(who))
            assert response.status_code == 200, (label, response.status_code)
            found[label] = counted[0]
    return found


@pytest.mark.slow
def test_queries_per_page_do_not_grow_with_rows(app):
    small = _queries_per_page(app, SMALL)
    large = _queries_per_page(app, LARGE)
    grew = {
        page: (small[page], large[page])
        for page in small
        if large[page] > small[page] + WHEN_NOT_EMPTY.get(page, 0)
    }
    assert not grew, f"queries grew with rows (small, large): {grew}"


def test_the_partner_sees_its_approved_messages_when_others_have_newer_ones(app, client):
    scale.seed(db.engine, scale=SMALL, log=lambda *_: None)
    client.post("/login", data={"email": scale.PARTNER_LEAD, "password": scale.PASSWORD})
    page = client.get("/publishing/ready").get_data(as_text=True)
    assert "/publishing/schedule/" in page
