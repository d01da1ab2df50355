"""Trend pickers offer the chosen and newest trends and find the others by search, never every trend."""

from __future__ import annotations

from app.trends.queries import PICKER_SIZE


def test_the_new_campaign_form_lists_a_bounded_set_and_search_finds_an_old_trend(
    client, auth, staff, make_trend, other_org
):
    oldest = make_trend("Zephyr rumour about the old mill")
    for number in range(PICKER_SIZE + 5):
        make_trend(f"Narrative {number:02d}")
    make_trend("Zephyr claim of the other organisation", organisation=other_org)
    auth.login(staff)

    form = client.get("/campaigns/new").get_data(as_text=True)
    assert form.count('name="trend_ids"') == PICKER_SIZE
    assert "Zephyr rumour" not in form  # older than the newest twenty

    found = client.get("/trends/picker", query_string={"q": "zephyr", "name": "trend_ids"}).get_data(
        as_text=True
    )
    assert "Zephyr rumour about the old mill" in found
    assert "other organisation" not in found

    chosen = client.get("/campaigns/new", query_string={"trend_id": oldest.id}).get_data(as_text=True)
    assert "Zephyr rumour about the old mill" in chosen  # a chosen trend is always offered


def test_the_checks_page_finds_a_trend_by_search_as_select_options(client, auth, staff, make_trend):
    make_trend("Quasar slur wave")
    auth.login(staff)
    options = client.get(
        "/trends/picker", query_string={"q": "quasar", "name": "trend_id", "kind": "option"}
    ).get_data(as_text=True)
    assert "<option" in options and "Quasar slur wave" in options
    assert client.get("/trends/picker", query_string={"name": "password"}).status_code == 400
