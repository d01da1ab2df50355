"""A new admin signs in through a real browser, sees the admin pages, and switches to French."""

from __future__ import annotations

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_admin_signs_in_sees_admin_pages_and_switches_language(page, admin, staff):
    sign_in(page, admin.email, PASSWORD)
    assert page.locator("h1").first.inner_text().startswith("Welcome")
    page.click("summary:has-text('Admin')")
    page.click("a:has-text('Users')")
    assert page.locator("td", has_text=staff.email).count() == 1
    page.click("button:has-text('Français')")
    assert page.locator("h1").first.inner_text() == "Utilisateurs"


def test_wrong_password_keeps_the_email_and_explains(page, staff):
    sign_in(page, staff.email, "not the password")
    assert page.locator(".flash-error").inner_text().startswith("That e-mail and password")
    assert page.input_value("input[name=email]") == staff.email
