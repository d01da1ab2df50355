"""The app as the README deploys it: production settings, gunicorn (2 workers), 2 worker processes,
PostgreSQL, Redis for rate limits, a TLS-terminating proxy in front (simulated by its headers).

It signs in over HTTP, reads the cookie flags and HSTS, switches to French, and watches one post go out
exactly once to a loopback https webhook receiver. Runs in CI (.ci/run provides PostgreSQL and Redis);
elsewhere it skips and says what it needs.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
from cryptography.fernet import Fernet

from tests.fakes.tls import loopback_certificate
from tests.fakes.webhook import FakeWebhookReceiver

pytestmark = [pytest.mark.production, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = "counterpoint_deployed"  # a schema of its own inside the test database
PASSWORD = "a long deployment test password"
# What a TLS-terminating proxy adds in front of gunicorn (README, "Deployment").
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.23"}

SEED = """
import sys
from app import create_app
from app.accounts.models import Role
from app.accounts.services import create_organisation, create_user
from app.campaigns.models import Campaign, CampaignStatus
from app.channels.services import ChannelFields, create_channel
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.publishing.services import schedule_message

hook_url, secret, password = sys.argv[1:4]
app = create_app()
with app.app_context():
    org = create_organisation(name="Deployed NGO", slug="deployed", actor=None)
    staff = create_user(email="staff@deployed.example", name="Staff", password=password,
                        organisation=org, role=Role.STAFF, actor=None)
    lead = create_user(email="lead@deployed.example", name="Lead", password=password,
                       organisation=org, role=Role.LEAD, actor=None)
    campaign = Campaign(organisation=org, title="Libraries for all", status=CampaignStatus.ACTIVE,
                        platforms=["webhook"], created_by=lead)
    text = "Neighbours rebuilt the library together. #BetterTogether"
    message = Message(campaign=campaign, strategy="alternative", language="en", created_by=staff,
                      status=MessageStatus.APPROVED)
    db.session.add_all([campaign, message])
    db.session.flush()
    version = MessageVersion(message=message, number=1, text=text, variants={},
                             content_hash=content_hash(text, {}), source=VersionSource.HUMAN,
                             author=staff, findings={}, has_errors=False)
    db.session.add(version)
    db.session.flush()
    message.current_version = version
    db.session.add(Approval(message=message, version=version, content_hash=version.content_hash,
                            approver=lead, organisation=org))
    channel = create_channel(org, "webhook", ChannelFields(display_name="Partner hook",
                             settings={"url": hook_url}), {"secret": secret}, actor=None)
    [post] = schedule_message(message, [channel], actor=lead, at=utcnow())
    db.session.commit()
    print(post.id)
"""


def _postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith(("postgresql://", "postgres://")):
        pytest.skip("runs the app as deployed: needs PostgreSQL (set TEST_DATABASE_URL, as .ci/run does)")
    return url


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1).close()
    except OSError:
        pytest.skip(f"runs the app as deployed: needs Redis at {url} (set TEST_REDIS_URL; .ci/run starts it)")
    return url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _with_search_path(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


@pytest.fixture
def deployed_database() -> Iterator[str]:
    url = _postgres_url()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        connection.execute(f"CREATE SCHEMA {SCHEMA}")
    yield _with_search_path(url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


@pytest.fixture
def redis_url() -> str:
    import redis

    url = _redis_url()
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.fixture
def https_receiver(tmp_path) -> Iterator[tuple[FakeWebhookReceiver, Path]]:
    cert_path, context = loopback_certificate(tmp_path)
    with FakeWebhookReceiver().serve_tls(context) as receiver:
        yield receiver, cert_path


class Browser:
    """Just enough of a browser over plain HTTP: keeps cookies by hand, so Secure ones are kept too
    (the proxy's TLS is simulated), and shows every Set-Cookie header for inspection."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers=PROXY_HEADERS, timeout=30)
        # The browser sees https://<host>/...: Flask-WTF checks the Referer on https requests.
        self.public_url = "https://" + base_url.split("://", 1)[1]
        self.cookies: dict[str, str] = {}
        self.set_cookie_headers: list[str] = []

    def request(self, method: str, path: str, **kwargs) -> httpx.Response:
        headers = {"Referer": self.public_url + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = self.http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            self.set_cookie_headers.append(header)
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value.strip()
        return response

    def csrf(self, path: str) -> str:
        page = self.request("GET", path).text
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        assert found, f"no CSRF token on {path}"
        return found.group(1)


def _run(command: list[str], env: dict[str, str]) -> str:
    """Run a deployment step; on failure show what it printed."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{' '.join(command[:2])} ... failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def _wait_until_up(base_url: str, processes: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), "a process of the deployment exited"
        try:
            if httpx.get(base_url + "/login", headers=PROXY_HEADERS, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError("gunicorn did not answer within 60 s")


def _post_status(database: str, post_id: int) -> str:
    with psycopg.connect(database) as connection:
        return connection.execute("SELECT status FROM posts WHERE id = %s", (post_id,)).fetchone()[0]


def test_the_app_as_deployed(deployed_database, redis_url, https_receiver, tmp_path):
    receiver, cert_path = https_receiver
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TEST_", "OPENAI_", "SMTP_", "COUNTERPOINT_"))
    }
    env.update(
        COUNTERPOINT_ENV="production",
        DATABASE_URL=deployed_database,
        SECRET_KEY=secrets.token_urlsafe(48),
        COUNTERPOINT_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        RATELIMIT_STORAGE_URI=redis_url,
        COUNTERPOINT_TICK_SECONDS="0.5",
        # The receiver is on this machine (loopback), over https with a certificate made for the test.
        COUNTERPOINT_ALLOW_PRIVATE_URLS="1",
        SSL_CERT_FILE=str(cert_path),
    )
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    _run([*flask, "db", "upgrade"], env)
    seeded = _run([sys.executable, "-c", SEED, receiver.hook_url, receiver.secret, PASSWORD], env)
    post_id = int(seeded.strip().splitlines()[-1])

    port = _free_port()
    logs = [open(tmp_path / f"{name}.log", "w") for name in ("gunicorn", "worker-1", "worker-2")]  # noqa: SIM115
    access_log = tmp_path / "access.log"
    gunicorn = [
        *(sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"),
        *("--access-logfile", str(access_log), "wsgi:app"),
    ]
    commands = [gunicorn, [*flask, "worker"], [*flask, "worker"]]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        for command, log in zip(commands, logs, strict=True)
    ]
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_up(base_url, processes)
        _sign_in_and_read_french(Browser(base_url), redis_url)
        _feed_tokens_stay_out_of_the_access_log(base_url, access_log)
        _published_exactly_once(receiver, deployed_database, post_id)
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in logs:
            log.close()
    for name in ("gunicorn", "worker-1", "worker-2"):
        assert "Traceback" not in (tmp_path / f"{name}.log").read_text(), name


def _sign_in_and_read_french(browser: Browser, redis_url: str) -> None:
    import redis

    login_page = browser.request("GET", "/login")
    assert login_page.headers["Strict-Transport-Security"].startswith("max-age=")
    token = browser.csrf("/login")

    wrong = browser.request(
        "POST", "/login", data={"email": "staff@deployed.example", "password": "wrong", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert redis.Redis.from_url(redis_url).keys("*"), "the failed sign-in was not counted in Redis"

    browser.set_cookie_headers.clear()
    signed_in = browser.request(
        "POST", "/login", data={"email": "staff@deployed.example", "password": PASSWORD, "csrf_token": token}
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    session_cookies = [h for h in browser.set_cookie_headers if h.startswith("session=")]
    assert session_cookies, "no session cookie after signing in"
    for header in session_cookies:
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, header

    dashboard = browser.request("GET", "/")
    assert dashboard.status_code == 200 and "Where to start" in dashboard.text
    assert dashboard.headers["Strict-Transport-Security"].startswith("max-age=")

    token = browser.csrf("/")
    chosen = browser.request("POST", "/language", data={"language": "fr", "next": "/", "csrf_token": token})
    assert chosen.status_code == 302
    french = browser.request("GET", "/").text
    assert '<html lang="fr"' in french and "Par où commencer" in french


def _feed_tokens_stay_out_of_the_access_log(base_url: str, access_log: Path) -> None:
    secret = "feed-token-" + secrets.token_urlsafe(12)
    httpx.get(f"{base_url}/publishing/calendar/{secret}.ics", headers=PROXY_HEADERS, timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/publishing/calendar/" not in access_log.read_text():
        time.sleep(0.2)
    logged = access_log.read_text()
    assert "/publishing/calendar/[redacted].ics" in logged and secret not in logged


def _published_exactly_once(receiver: FakeWebhookReceiver, database: str, post_id: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and _post_status(database, post_id) != "posted":
        time.sleep(0.5)
    assert _post_status(database, post_id) == "posted"
    time.sleep(3)  # several more ticks of both workers: nothing goes out again
    assert sum(receiver.created_by_key.values()) == 1
    assert receiver.duplicates() == {}
