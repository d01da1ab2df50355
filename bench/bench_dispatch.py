"""The publisher against its bound, and the cost of an idle tick over a large history (issue 15).

1. 2,000 posts on 50 webhook channels; a loopback platform (its own process, keep-alive, as platforms
   are) answers after 50 ms. The workers are the real thing (`flask --app wsgi worker`, ticking every
   COUNTERPOINT_TICK_SECONDS), started before the posts fall due and watched from outside (CPU and peak
   memory from /proc). Send slots = processes x COUNTERPOINT_DISPATCH_THREADS; the 16-slot figure is
   measured both as 1 x 16 and 2 x 8 (one Python process is held to one core by its GIL).
   - burst: every post due at the same instant. achieved ÷ ideal, where ideal = posts x 50 ms ÷ slots (one
     post per channel at a time) and achieved = from the due time to the last post's answer. Lateness (due
     time to the platform's receipt) then necessarily grows to about the ideal time.
   - spread: posts due one after the other over the run at 80% of what the slots can serve; lateness is
     then what a post waits for the worker (target p99 ≤ 2 ticks + 50 ms).
   Figures per post: worker CPU (all worker processes), platform CPU; duplicates must be 0.
2. A tick with nothing due over 100,000 posts on 200 channels: median time and queries per tick.

Run: `make bench` (or `PYTHONPATH=. .venv/bin/python bench/bench_dispatch.py`). SQLite files in a temporary
folder; also PostgreSQL when BENCH_DATABASE_URL is set (in its own schema of that database, `bench_dispatch`,
whose tables are dropped and rebuilt; the page bench's data set beside it is left alone).
The table goes to stdout and between the bench_dispatch markers of BENCHMARKS.md (BENCH_NO_WRITE=1: not).
Options: BENCH_DISPATCH_POSTS (2000), BENCH_DISPATCH_CHANNELS (50), BENCH_IDLE_POSTS (100000), BENCH_SQLITE=0,
BENCH_DISPATCH_RUNS (e.g. "burst:1x4,burst:2x8"; default: every run below).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform as host
import signal
import statistics
import subprocess  # nosec B404 -- the bench starts its own worker and platform processes
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, event, func, insert, select, text, update

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import Role
from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channels
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.publishing.models import Post, PostStatus, WorkerHeartbeat
from app.publishing.services import idempotency_key
from bench.report import write_section

ROOT = Path(__file__).resolve().parents[1]
POSTS = int(os.environ.get("BENCH_DISPATCH_POSTS", 2000))
CHANNELS = int(os.environ.get("BENCH_DISPATCH_CHANNELS", 50))
IDLE_POSTS = int(os.environ.get("BENCH_IDLE_POSTS", 100_000))
LATENCY = 0.050
TICK_SECONDS = 5.0
SPREAD_LOAD = 0.8  # spread runs: posts fall due at this share of what the slots can serve
KEY = Fernet.generate_key().decode()
DISPATCH_SCHEMA = "bench_dispatch"
MARK_BEGIN, MARK_END = "<!-- bench_dispatch:begin -->", "<!-- bench_dispatch:end -->"
# (kind, processes, threads per process)
RUNS = [("burst", 1, 4), ("burst", 1, 16), ("burst", 2, 8), ("spread", 1, 4), ("spread", 2, 8)]
# The platform process: a webhook receiver answering after 50 ms, keeping connections open; prints its
# address, then on a line from stdin prints when each post arrived and how many were created twice.
PLATFORM = """
import json, sys, time
from tests.fakes.http import Reply
from tests.fakes.webhook import FakeWebhookReceiver

class SlowPlatform(FakeWebhookReceiver):
    def __init__(self):
        super().__init__()
        self._loopback.keep_alive = True
        self.arrived = {}

    def handle(self, request):
        arrived = time.time()
        reply = super().handle(request)
        key = request.headers.get("webhook-id")
        if key:
            with self.lock:
                self.arrived.setdefault(key, arrived)
        return Reply(status=reply.status, body=reply.body, headers=reply.headers, hang=float(sys.argv[1]))

with SlowPlatform() as platform:
    print(json.dumps({"url": platform.hook_url, "secret": platform.secret}), flush=True)
    sys.stdin.readline()
    with platform.lock:
        duplicates = sum(n - 1 for n in platform.created_by_key.values() if n > 1)
        print(json.dumps({"arrived": platform.arrived, "delivered": len(platform.events),
                          "duplicates": duplicates}), flush=True)
"""


def _app(url: str, folder: Path, **config: Any):
    return create_app(
        {
            "INSTANCE_PATH": str(folder),
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "COUNTERPOINT_ENCRYPTION_KEYS": KEY,
            "COUNTERPOINT_ALLOW_PRIVATE_URLS": True,
            "PASSWORD_HASHER": "argon2id-fast-for-tests",
            **config,
        }
    )


def _own_schema(url: str) -> str:
    """`url` with a PostgreSQL schema of this bench's own (DISPATCH_SCHEMA): the page bench's data set in the
    same database survives, so `make bench` run again does not seed it again."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {DISPATCH_SCHEMA}"))
    engine.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{DISPATCH_SCHEMA}"


def _fresh_schema() -> None:
    db.drop_all()
    db.create_all()


def _people():
    org = accounts.create_organisation(name="Bench NGO", slug="bench-ngo", actor=None)
    author = accounts.create_user(
        email="a@bench.example", name="A", password="x" * 12, organisation=org, role=Role.STAFF, actor=None
    )
    lead = accounts.create_user(
        email="l@bench.example", name="L", password="x" * 12, organisation=org, role=Role.LEAD, actor=None
    )
    campaign = Campaign(
        organisation=org, title="Bench", status=CampaignStatus.ACTIVE, platforms=["webhook"], created_by=lead
    )
    db.session.add(campaign)
    db.session.flush()
    return org, author, lead, campaign


def _messages(campaign, author, lead, count: int) -> list[MessageVersion]:
    """Approved messages with one version each, added in bulk."""
    versions = []
    for number in range(count):
        text = f"Neighbours rebuilt the library together, story {number}. #BetterTogether"
        message = Message(
            campaign=campaign,
            strategy="alternative",
            language="en",
            created_by=author,
            status=MessageStatus.APPROVED,
        )
        version = MessageVersion(
            message=message,
            number=1,
            text=text,
            variants={},
            source=VersionSource.HUMAN,
            content_hash=content_hash(text, {}),
            author=author,
            findings={},
            has_errors=False,
        )
        db.session.add_all([message, version])
        versions.append(version)
    db.session.flush()
    for version in versions:
        version.message.current_version = version
        db.session.add(
            Approval(
                message=version.message,
                version=version,
                content_hash=version.content_hash,
                approver=lead,
                organisation=lead.organisation,
            )
        )
    db.session.flush()
    return versions


def _channels(org, url: str, count: int):
    return [
        channels.create_channel(
            org,
            "webhook",
            channels.ChannelFields(
                display_name=f"Hook {n}", handle=None, server_url=None, settings={"url": url}, time_zone="UTC"
            ),
            {"secret": SECRET[0]},
            actor=None,
        )
        for n in range(count)
    ]


SECRET: list[str] = [""]


def _post_rows(versions, hooks, *, status: PostStatus, when, count: int) -> list[dict[str, Any]]:
    rows = []
    for n in range(count):
        version = versions[n % len(versions)]
        channel = hooks[(n // len(versions)) % len(hooks)] if count > len(versions) else hooks[n % len(hooks)]
        rows.append(
            {
                "message_id": version.message_id,
                "version_id": version.id,
                "channel_id": channel.id,
                "content_hash": version.content_hash,
                "text": version.text,
                "scheduled_at": when - timedelta(minutes=n % 10_000),
                "status": status,
                "idempotency_key": idempotency_key(version.id, channel.id),
                "created_at": when - timedelta(days=1),
                "updated_at": when,
                "attempt_count": 0,
                "lateness_confirmed": False,
                "may_be_live": False,
            }
        )
    return rows


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _build(url: str, folder: Path, hook_url: str, secret: str) -> dict[int, str]:
    """Fresh schema, CHANNELS channels and POSTS queued posts due in a month; returns post id -> key."""
    SECRET[0] = secret
    app = _app(url, folder)
    with app.app_context():
        _fresh_schema()
        org, author, lead, campaign = _people()
        hooks = _channels(org, hook_url, CHANNELS)
        versions = _messages(campaign, author, lead, POSTS // CHANNELS)
        rows = _post_rows(
            versions, hooks, status=PostStatus.QUEUED, when=utcnow() + timedelta(days=30), count=POSTS
        )
        db.session.execute(insert(Post), rows)
        db.session.commit()
        db.session.execute(text("ANALYZE"))  # statistics as in service (see idle_tick)
        db.session.commit()
        keys = dict(db.session.execute(select(Post.id, Post.idempotency_key).order_by(Post.id)).all())
        db.engine.dispose()
    return keys


def _watch(url, folder, kind, slots, ids, workers, platform_pid) -> tuple[datetime, dict, dict]:
    """Make the posts due once every worker has ticked, wait until none is queued or sending."""
    processes = len(workers)
    app = _app(url, folder)
    with app.app_context():
        while db.session.scalar(select(func.count()).select_from(WorkerHeartbeat)) < processes:
            db.session.rollback()
            time.sleep(0.2)
        # Due after the workers' next tick, as a scheduled post is: each worker knows it is coming.
        first_due = utcnow() + timedelta(seconds=TICK_SECONDS + 1)
        step = 0.0 if kind == "burst" else LATENCY / slots / SPREAD_LOAD
        due = {post_id: first_due + timedelta(seconds=n * step) for n, post_id in enumerate(ids)}
        db.session.execute(update(Post), [{"id": i, "scheduled_at": at} for i, at in due.items()])
        db.session.commit()
        cpu_before = sum(_proc_cpu(w.pid) for w in workers)
        platform_cpu_before = _proc_cpu(platform_pid)
        load_before = os.getloadavg()[0]
        waiting = True
        while waiting:
            time.sleep(0.2)
            waiting = bool(
                db.session.scalar(select(func.count()).where(Post.status.in_(("queued", "sending"))))
            )
            db.session.rollback()
        figures = {
            "cpu": sum(_proc_cpu(w.pid) for w in workers) - cpu_before,
            "platform_cpu": _proc_cpu(platform_pid) - platform_cpu_before,
            "peak": max(_proc_peak_mb(w.pid) for w in workers),
            "statuses": dict(
                db.session.execute(select(Post.status, func.count()).group_by(Post.status)).all()
            ),
            "load": (load_before + os.getloadavg()[0]) / 2,
        }
        db.engine.dispose()
    return first_due, due, figures


def publish_run(url: str, folder: Path, kind: str, processes: int, threads: int) -> dict[str, Any]:
    """One run: the platform and `processes` workers with `threads` each; posts fall due once they are up."""
    slots = processes * threads
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    platform = subprocess.Popen(  # nosec B603 -- our own script
        [sys.executable, "-c", PLATFORM, str(LATENCY)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    address = json.loads(platform.stdout.readline())
    keys = _build(url, folder, address["url"], address["secret"])
    worker_env = {
        **env,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "COUNTERPOINT_ENCRYPTION_KEYS": KEY,
        "COUNTERPOINT_ALLOW_PRIVATE_URLS": "1",
        "COUNTERPOINT_DISPATCH_THREADS": str(threads),
        "COUNTERPOINT_TICK_SECONDS": str(TICK_SECONDS),
    }
    log = open(folder / "workers.log", "a")  # noqa: SIM115 -- kept open while the workers run
    workers = [
        subprocess.Popen(  # nosec B603 -- the worker as deployed
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=log,
        )
        for _ in range(processes)
    ]
    try:
        first_due, due, figures = _watch(url, folder, kind, slots, list(keys), workers, platform.pid)
    except BaseException:
        platform.kill()
        raise
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        for worker in workers:
            worker.wait(timeout=60)
        log.close()
    platform.stdin.write("report\n")
    platform.stdin.flush()
    seen = json.loads(platform.stdout.readline())
    platform.wait(timeout=30)
    by_key = {key: due[post_id].timestamp() for post_id, key in keys.items()}
    lateness = sorted(at - by_key[key] for key, at in seen["arrived"].items())
    ideal = POSTS * LATENCY / slots
    achieved = max(seen["arrived"].values()) + LATENCY - first_due.timestamp()
    return {
        "kind": kind,
        "slots": f"{processes} x {threads}",
        "achieved": achieved,
        "ideal": ideal,
        "ratio": ideal / achieved,
        "p50": statistics.median(lateness),
        "p99": lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))],
        "peak_mb": figures["peak"],
        "cpu_ms": figures["cpu"] * 1000 / POSTS,
        "platform_cpu_ms": figures["platform_cpu"] * 1000 / POSTS,
        "delivered": seen["delivered"],
        "duplicates": seen["duplicates"],
        "posted": figures["statuses"].get("posted", 0),
        "load": figures["load"],
    }


def idle_tick(url: str, folder: Path) -> dict[str, float]:
    """Median cost of a tick with nothing due over IDLE_POSTS past posts (and the approval expiry alone)."""
    from app.review.services import expire_approvals
    from app.worker import tick

    app = _app(url, folder)
    with app.app_context():
        _fresh_schema()
        org, author, lead, campaign = _people()
        SECRET[0] = "whsec_" + "QUFB" * 11
        hooks = _channels(org, "http://127.0.0.1:9/hook", 200)
        versions = _messages(campaign, author, lead, max(1, IDLE_POSTS // 200))
        rows = _post_rows(versions, hooks, status=PostStatus.POSTED, when=utcnow(), count=IDLE_POSTS)
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Post), rows[start : start + 5000])
        db.session.execute(
            update(Post)
            .where(Post.id % 100 == 0)
            .values(status=PostStatus.QUEUED, scheduled_at=utcnow() + timedelta(days=3))
        )
        db.session.commit()
        # Planner statistics as a database in service has them (autovacuum): right after a bulk insert a
        # planner that believes the tables empty picks plans no deployment would see.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        queries = [0]
        event.listen(
            db.engine, "before_cursor_execute", lambda *a, **k: queries.__setitem__(0, queries[0] + 1)
        )
        tick(app, "idle-worker")  # warm-up (and the once-a-minute approval expiry)
        times, counts = [], []
        for _ in range(15):
            queries[0] = 0
            started = time.perf_counter()
            tick(app, "idle-worker")
            times.append(time.perf_counter() - started)
            counts.append(queries[0])
        started = time.perf_counter()
        expire_approvals()
        db.session.rollback()
        expiry = time.perf_counter() - started
        total = db.session.scalar(select(Post.id).order_by(Post.id.desc()).limit(1))
        db.engine.dispose()
    return {
        "ms": statistics.median(times) * 1000,
        "queries": statistics.median(counts),
        "expiry_ms": expiry * 1000,
        "posts": total,
    }


def _machine() -> str:
    cpu = host.processor() or host.machine()
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((line.split(":", 1)[1].strip() for line in info if line.startswith("model name")), cpu)
    commit = subprocess.run(  # nosec B603 B607 -- fixed command, no input
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False, cwd=ROOT
    ).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {host.python_version()}, {host.system()}; "
        f"commit {commit or '?'}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def _publish_line(label: str, r: dict[str, Any]) -> str:
    ratio = f"{r['ratio']:.2f}" + ("" if r["ratio"] >= 0.9 else " ⚠") if r["kind"] == "burst" else "–"
    target = 2 * TICK_SECONDS + LATENCY
    p99 = f"{r['p99']:.2f} s" + ("" if r["p99"] <= target else " ⚠")
    return (
        f"| {label} | {r['kind']} | {r['slots']} | {r['achieved']:.1f} s | {r['ideal']:.1f} s | {ratio} | "
        f"{r['p50']:.2f} s | {p99} | {r['cpu_ms']:.1f} ms | {r['platform_cpu_ms']:.1f} ms | "
        f"{r['peak_mb']:.0f} MB | {r['duplicates']} ({r['posted']} posted) | {r['load']:.1f} |"
    )


def _runs() -> list[tuple[str, int, int]]:
    chosen = os.environ.get("BENCH_DISPATCH_RUNS")
    if not chosen:
        return RUNS
    runs = []
    for item in chosen.split(","):
        kind, shape = item.strip().split(":")
        processes, threads = shape.split("x")
        runs.append((kind, int(processes), int(threads)))
    return runs


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    targets = (
        []
        if os.environ.get("BENCH_SQLITE") == "0"
        else [("SQLite", lambda name: f"sqlite:///{folder / name}")]
    )
    if os.environ.get("BENCH_DATABASE_URL"):
        url = _own_schema(os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
        targets.append(("PostgreSQL", lambda name: url))
    lines = [
        MARK_BEGIN,
        "## Publisher against its bound (`bench/bench_dispatch.py`)",
        "",
        f"Machine: {_machine()}. {POSTS:,} posts on {CHANNELS} webhook channels; the platform (its own "
        f"process, keep-alive) answers after {LATENCY * 1000:.0f} ms; workers are `flask --app wsgi worker` "
        f"processes ticking every {TICK_SECONDS:g} s, slots = processes x COUNTERPOINT_DISPATCH_THREADS. "
        "burst: every post due at once, achieved = due time to the last answer, ideal = posts x 50 ms ÷ slots "
        f"(target ≥ 0.9). spread: posts due one after another at {SPREAD_LOAD:.0%} of what the slots serve. "
        "Lateness = due time to the platform's receipt (target p99 ≤ 2 ticks + 50 ms = "
        f"{2 * TICK_SECONDS + LATENCY:.2f} s). CPU per post: all worker processes / the platform process, "
        "from /proc (wall times depend on the load average shown, CPU much less: re-run on a quiet machine "
        "to judge the ratios). ⚠ marks a miss.",
        "",
        "| database | run | slots | achieved | ideal | ideal ÷ achieved | lateness p50 | p99 | worker CPU "
        "per post | platform CPU per post | worker peak | duplicates | load avg |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines[1:]), flush=True)
    for label, url_for in targets:
        for kind, processes, threads in _runs():
            r = publish_run(
                url_for(f"publish-{kind}-{processes}x{threads}.db"), folder, kind, processes, threads
            )
            lines.append(_publish_line(label, r))
            print(lines[-1], flush=True)
    idle = [
        "",
        f"Idle tick: nothing due over {IDLE_POSTS:,} posts on 200 channels (median of 15 ticks).",
        "",
        "| database | tick | queries | approval expiry (once a minute) | load avg |",
        "|---|---|---|---|---|",
    ]
    print("\n".join(idle), flush=True)
    lines += idle
    for label, url_for in targets:
        r = idle_tick(url_for("idle.db"), folder)
        lines.append(
            f"| {label} | {r['ms']:.1f} ms | {r['queries']:.0f} | {r['expiry_ms']:.0f} ms | {os.getloadavg()[0]:.1f} |"
        )
        print(lines[-1], flush=True)
    lines.append(MARK_END)
    if os.environ.get("BENCH_NO_WRITE") != "1":
        write_section("\n".join(lines), MARK_BEGIN, MARK_END)
        print("written to BENCHMARKS.md")


if __name__ == "__main__":
    main()
