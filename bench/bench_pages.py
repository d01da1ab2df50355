"""Every main page and API list at coalition scale: server time (median, p95), SQL queries, bytes.

Run: `make bench` (or `PYTHONPATH=. .venv/bin/python bench/bench_pages.py`). Seeds the data set of
issue 15 (bench/scale.py) into a SQLite file under instance/bench/ (cached between runs; about a
minute to build) and, when BENCH_DATABASE_URL is set, into that PostgreSQL database too (its public
schema is replaced). Requests go through the app in-process, signed in as a lead of the organisation
holding half the trends and the largest campaign. The table goes to stdout and to BENCHMARKS.md.

Settings: BENCH_REPEAT (requests per page, default 30), BENCH_SCALE (1 = the issue's data set),
BENCH_DIR (where the SQLite file lives), BENCH_DATABASE_URL (PostgreSQL), BENCH_NO_WRITE=1 (print only).
"""

from __future__ import annotations

import contextlib
import gc
import os
import platform
import statistics
import subprocess  # nosec B404 -- reads the CPU model for the report
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import event, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from app.accounts.models import Organisation  # noqa: E402
from app.api import tokens  # noqa: E402
from app.api.models import ApiToken  # noqa: E402
from app.extensions import db  # noqa: E402
from bench import scale  # noqa: E402
from bench.report import write_section  # noqa: E402

TARGET_MS, TARGET_BYTES = 50, 200 * 1024
MARK_BEGIN, MARK_END = "<!-- bench_pages:begin -->", "<!-- bench_pages:end -->"


def pages(facts: dict) -> list[tuple[str, str, str]]:
    """(label, who, path): who is "lead", "admin", "partner" (lead of org 50), "api" or "anon"."""
    big, token = facts["big_campaign_id"], facts["ics_token"]
    return [
        ("dashboard", "lead", "/"),
        ("trends board (default)", "lead", "/trends/"),
        ("trends board sorted by growth", "lead", "/trends/?sort=growing"),
        ("trend detail", "lead", f"/trends/{facts['trend_id']}"),
        ("campaigns", "lead", "/campaigns/"),
        ("new campaign form", "lead", "/campaigns/new"),
        (f"campaign detail ({facts['big_messages']:,} messages)", "lead", f"/campaigns/{big}"),
        ("message editor", "lead", f"/messages/{facts['message_id']}"),
        ("checks page", "lead", "/checks"),
        ("review queue", "lead", "/review"),
        ("my messages", "lead", "/review/mine"),
        ("notifications", "lead", "/notifications"),
        ("posts", "lead", "/publishing/posts"),
        ("calendar, week", "lead", "/publishing/calendar"),
        ("calendar, month", "lead", "/publishing/calendar?view=month"),
        ("ICS feed", "anon", f"/publishing/calendar/{token}.ics"),
        ("ready to schedule", "lead", "/publishing/ready"),
        ("ready to schedule (partner org)", "partner", "/publishing/ready"),
        ("by hand", "lead", "/publishing/manual"),
        ("partner requests", "lead", "/publishing/partner-requests"),
        ("channels", "lead", "/channels/"),
        ("audit", "admin", "/admin/audit/"),
        ("healthz", "anon", "/healthz"),
        ("API /trends", "api", "/api/v1/trends"),
        ("API /campaigns", "api", "/api/v1/campaigns"),
        ("API /posts", "api", "/api/v1/posts"),
    ]


def _app(url: str):
    """The app as `wsgi.py` serves it: created, then what start-up loaded frozen out of the collector."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "COUNTERPOINT_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "COUNTERPOINT_ALLOW_PRIVATE_URLS": True,
            "OPENAI_API_KEY": None,
            "OPENAI_BASE_URL": None,
        }
    )
    gc.freeze()
    return app


def _api_token() -> str:
    org = db.session.get(Organisation, 1)
    for old in db.session.scalars(select(ApiToken).where(ApiToken.name == "bench")):
        db.session.delete(old)
    _token, clear = tokens.create_token(org, "bench", actor=None)
    db.session.commit()
    return clear


def _clients(app):
    clients = {}
    for who, email in (
        ("lead", scale.BENCH_LEAD),
        ("admin", "admin@org-01.bench.example"),
        ("partner", scale.PARTNER_LEAD),
    ):
        client = app.test_client()
        response = client.post("/login", data={"email": email, "password": scale.PASSWORD})
        if response.status_code != 302:
            raise SystemExit(f"could not sign in as {email}: {response.status_code}")
        clients[who] = client
    clients["anon"] = app.test_client()
    clients["api"] = app.test_client()
    return clients


def measure(url: str, facts: dict, repeat: int) -> list[dict]:
    """Time every page `repeat` times after one warm-up request."""
    app = _app(url)
    rows = []
    queries = [0]
    with app.app_context():
        engine = db.engine
        headers = {"api": {"Authorization": f"Bearer {_api_token()}"}}
        db.session.remove()

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args, **_kwargs):
        queries[0] += 1

    clients = _clients(app)
    # One warm-up request per page first: the first dashboard brings every trend's kept 7-day growth
    # up to today (10,000 rows changed). Then fresh planner statistics, as autovacuum would gather
    # after such a change on a live PostgreSQL (a test server may run with autovacuum off).
    warm = {label: clients[who].get(path, headers=headers.get(who)).status_code for label, who, path in pages(facts)}
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    for label, who, path in pages(facts):
        client = clients[who]
        if warm[label] != 200:
            rows.append({"page": label, "error": warm[label]})
            print(_line(rows[-1]), flush=True)
            continue
        times, cpu, counts = [], [], []
        for _ in range(repeat):
            queries[0] = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers.get(who))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            counts.append(queries[0])
        times.sort()
        rows.append(
            {
                "page": label,
                "median": statistics.median(times),
                "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
                "cpu": statistics.median(cpu),
                "queries": max(counts),
                "bytes": len(response.data),
                "shows": _shows(label, response.data),
            }
        )
        print(_line(rows[-1]), flush=True)
    engine.dispose()
    return rows


def _shows(label: str, body: bytes) -> str:
    """A sanity note: the partner's ready list must not be empty at scale."""
    if label.startswith("ready to schedule (partner"):
        return "lists messages" if b"/publishing/schedule/" in body else "EMPTY"
    return ""


def _line(row: dict) -> str:
    if "error" in row:
        return f"| {row['page']} | HTTP {row['error']} | | | | |"
    flag = " ⚠" if row["p95"] > TARGET_MS or row["bytes"] > TARGET_BYTES else ""
    note = f" ({row['shows']})" if row.get("shows") else ""
    return (
        f"| {row['page']}{note} | {row['median']:.1f} ms | {row['p95']:.1f} ms{flag} | {row['cpu']:.1f} ms | "
        f"{row['queries']} | {row['bytes'] / 1024:.0f} KB |"
    )


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    version = ""
    with contextlib.suppress(OSError):
        version = subprocess.run(  # nosec B603 B607 -- fixed command, no input
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} when the report was written, "
        f"Python {platform.python_version()}, {platform.system()}; "
        f"commit {version or '?'}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def report(results: dict[str, tuple[dict, list[dict]]], repeat: int, scale_factor: float) -> str:
    lines = [
        MARK_BEGIN,
        "## Pages at coalition scale (`bench/bench_pages.py`)",
        "",
        f"Machine: {_machine()}. Data set: bench/scale.py at scale {scale_factor:g} (50 organisations, "
        "10,000 trends x 30 daily counts and 5 evidence posts, 100 campaigns, 50,000 messages x 2 versions, "
        "100,000 posts on 200 channels, 458,000 audit events). Server time in-process over "
        f"{repeat} requests after a warm-up; CPU = this process's CPU time per request (with SQLite it "
        "includes the database work; on a busy machine it shows what a page costs, as wall times then "
        "include waiting for a core); queries = SQL statements per request. Target: p95 under "
        f"{TARGET_MS} ms and HTML under 200 KB (⚠ marks a miss).",
        "",
    ]
    for name, (facts, rows) in results.items():
        lines += [
            f"### {name} (seeding took {facts.get('seed_seconds') or '?'} s when the data set was built)",
            "",
            "| page | median | p95 | CPU (median) | queries | bytes |",
            "|---|---|---|---|---|---|",
            *(_line(row) for row in rows),
            "",
        ]
    lines.append(MARK_END)
    return "\n".join(lines)


def main() -> None:
    repeat = int(os.environ.get("BENCH_REPEAT", "30"))
    factor = float(os.environ.get("BENCH_SCALE", "1"))
    targets = []
    sqlite_path = scale.default_sqlite_path()
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    targets.append(("SQLite", f"sqlite:///{sqlite_path}"))
    if os.environ.get("BENCH_DATABASE_URL"):
        url = os.environ["BENCH_DATABASE_URL"]
        targets.append(("PostgreSQL", url.replace("postgresql://", "postgresql+psycopg://", 1)))
    results = {}
    with _app("sqlite://").app_context():  # metadata of every model, for the seeder
        pass
    for name, url in targets:
        print(f"== {name}: data set", flush=True)
        facts = scale.ensure(url, scale=factor)
        print(f"== {name}: {repeat} requests per page", flush=True)
        print(
            "| page | median | p95 | CPU (median) | queries | bytes |\n|---|---|---|---|---|---|", flush=True
        )
        results[name] = (facts, measure(url, facts, repeat))
    section = report(results, repeat, factor)
    if os.environ.get("BENCH_NO_WRITE") != "1":
        write_section(section, MARK_BEGIN, MARK_END)
        print("written to BENCHMARKS.md")


if __name__ == "__main__":
    main()
