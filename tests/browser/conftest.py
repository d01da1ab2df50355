"""Browser fixtures: the app served on 127.0.0.1 in a thread, driven by Debian's headless Chromium."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    here = str(config.rootpath / "tests" / "browser")
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_config() -> dict:
    """The demo's webhook channel posts to the development sink, as under `make run`."""
    return {"COUNTERPOINT_DEV_WEBHOOK_SINK": True}


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """Serve the test app on a free loopback port for the duration of one test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")


AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
_SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => ["serious", "critical"].includes(v.impact))
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")}`);
}"""


@cache
def _axe_source() -> str:
    return AXE.read_text()


def serious_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now.

    axe is evaluated by the test, not served by the app, so the CSP stays strict.
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(_axe_source() + ";0")
    return page.evaluate(_SERIOUS)
