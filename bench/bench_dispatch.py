"""The publisher against its bound, and the cost of an idle tick over a large history (issue 15).

1. 2,000 posts due at once on 50 webhook channels; a loopback platform that answers after 50 ms. One
   worker process (measured from outside: its peak memory is its own) serves them at the default thread
   count and at 16. Reports achieved ÷ ideal (ideal = posts × 50 ms ÷ threads, one post per channel at a
   time), lateness p50/p99 from the due time to the platform's receipt, the worker's peak memory, and
   duplicates (must be 0).
2. A tick with nothing due over 100,000 posts on 200 channels: median time and queries per tick.

Run: `make bench` (or `PYTHONPATH=. .venv/bin/python bench/bench_dispatch.py`). SQLite files in a temporary
folder; also PostgreSQL when BENCH_DATABASE_URL is set (that database's tables are dropped and rebuilt).
Options: BENCH_DISPATCH_POSTS (2000), BENCH_DISPATCH_CHANNELS (50), BENCH_IDLE_POSTS (100000), BENCH_SQLITE=0.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import event, insert, select, update

from app import create_app
from app.accounts import services as accounts
from app.accounts.models import Role
from app.campaigns.models import Campaign, CampaignStatus
from app.channels import services as channels
from app.common.time import utcnow
from app.drafting.models import Approval, Message, MessageStatus, MessageVersion, VersionSource, content_hash
from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.publishing.services import idempotency_key
from tests.fakes.http import Reply
from tests.fakes.webhook import FakeWebhookReceiver

ROOT = Path(__file__).resolve().parents[1]
POSTS = int(os.environ.get("BENCH_DISPATCH_POSTS", 2000))
CHANNELS = int(os.environ.get("BENCH_DISPATCH_CHANNELS", 50))
IDLE_POSTS = int(os.environ.get("BENCH_IDLE_POSTS", 100_000))
LATENCY = 0.050
TICK_SECONDS = 5.0
KEY = Fernet.generate_key().decode()
# The worker process: makes every post due now, then ticks until nothing is queued; prints its figures.
WORKER = """
import json, resource, sys, time
from sqlalchemy import func, select, update
from app import create_app
from app.common.time import utcnow
from app.extensions import db
from app.publishing.models import Post, PostStatus
from app.worker import tick
app = create_app()
with app.app_context():
    due = utcnow()
    db.session.execute(update(Post).values(scheduled_at=due))
    db.session.commit()
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    while db.session.scalar(select(func.count()).where(Post.status.in_(("queued", "sending")))):
        db.session.remove()
        tick(app, "bench-worker")
    elapsed = time.monotonic() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"due": due.timestamp(), "elapsed": elapsed, "peak_mb": usage.ru_maxrss / 1024,
                      "cpu": usage.ru_utime + usage.ru_stime - cpu_before}))
"""


class SlowPlatform(FakeWebhookReceiver):
    """Answers after 50 ms and remembers when each post arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, float] = {}

    def handle(self, request):
        arrived = time.time()
        reply = super().handle(request)
        key = request.headers.get("webhook-id")
        if key:
            with self.lock:
                self.arrived.setdefault(key, arrived)
        return Reply(status=reply.status, body=reply.body, headers=reply.headers, hang=LATENCY)


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


def throughput(url: str, folder: Path, threads: int) -> dict[str, float]:
    """Publish POSTS due posts on CHANNELS channels through one worker process with `threads` threads."""
    with SlowPlatform() as platform:
        SECRET[0] = platform.secret
        app = _app(url, folder)
        with app.app_context():
            _fresh_schema()
            org, author, lead, campaign = _people()
            hooks = _channels(org, platform.hook_url, CHANNELS)
            versions = _messages(campaign, author, lead, POSTS // CHANNELS)
            db.session.execute(
                insert(Post),
                _post_rows(versions, hooks, status=PostStatus.QUEUED, when=utcnow(), count=POSTS),
            )
            db.session.commit()
            db.engine.dispose()
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "COUNTERPOINT_ENCRYPTION_KEYS": KEY,
            "COUNTERPOINT_ALLOW_PRIVATE_URLS": "1",
            "COUNTERPOINT_DISPATCH_THREADS": str(threads),
            "PYTHONPATH": str(ROOT),
        }
        done = subprocess.run(
            [sys.executable, "-c", WORKER], cwd=folder, env=env, capture_output=True, text=True, check=True
        )
        if os.environ.get("BENCH_SHOW_WORKER_LOG"):
            print(done.stderr[-3000:])
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        lateness = sorted(arrived - figures["due"] for arrived in platform.arrived.values())
        ideal = POSTS * LATENCY / threads
        return {
            "threads": threads,
            "elapsed": figures["elapsed"],
            "ideal": ideal,
            "ratio": ideal / figures["elapsed"],
            "p50": statistics.median(lateness),
            "p99": lateness[min(len(lateness) - 1, int(len(lateness) * 0.99))],
            "peak_mb": figures["peak_mb"],
            "cpu_ms": figures["cpu"] * 1000 / POSTS,
            "delivered": len(platform.events),
            "duplicates": sum(n - 1 for n in platform.created_by_key.values() if n > 1),
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


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    targets = (
        []
        if os.environ.get("BENCH_SQLITE") == "0"
        else [("SQLite", lambda name: f"sqlite:///{folder / name}")]
    )
    if os.environ.get("BENCH_DATABASE_URL"):
        url = os.environ["BENCH_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
        targets.append(("PostgreSQL", lambda name: url))
    default_threads = int(_app("sqlite://", folder).config["COUNTERPOINT_DISPATCH_THREADS"])
    print(
        f"publisher: {POSTS} posts due at once on {CHANNELS} webhook channels, platform answers after 50 ms"
    )
    print(
        "| database | threads | time | ideal | ideal ÷ time | lateness p50 | p99 | worker peak "
        "| worker CPU per post | duplicates |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, url_for in targets:
        for threads in sorted({default_threads, 16}):
            r = throughput(url_for(f"publish-{threads}.db"), folder, threads)
            print(
                f"| {label} | {threads} | {r['elapsed']:.1f} s | {r['ideal']:.1f} s | {r['ratio']:.2f} | "
                f"{r['p50']:.1f} s | {r['p99']:.1f} s | {r['peak_mb']:.0f} MB | {r['cpu_ms']:.0f} ms | "
                f"{r['duplicates']} "
                f"({r['delivered']} delivered) |"
            )
    print(f"\nidle tick: nothing due over {IDLE_POSTS:,} posts on 200 channels (median of 15 ticks)")
    print("| database | tick | queries | approval expiry (once a minute) |")
    print("|---|---|---|---|")
    for label, url_for in targets:
        r = idle_tick(url_for("idle.db"), folder)
        print(f"| {label} | {r['ms']:.1f} ms | {r['queries']:.0f} | {r['expiry_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
