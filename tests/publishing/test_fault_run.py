"""The exactly-once fault run (R1, R2, R6): worker processes on PostgreSQL against a Mastodon-API server
that loses answers, fails, rate-limits; a worker is killed, every worker connection is cut, and people
cancel and mark by hand while the workers run. Both server profiles: honours Idempotency-Key, ignores it.

Prints its figures: statuses per post, posts per state, lookups, the longest time each channel stood still.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.publishing import services
from app.publishing.models import DispatchLock, Post, PostStatus
from tests.conftest import TEST_ENCRYPTION_KEY
from tests.fakes.http import Reply
from tests.fakes.mastodon import FakeMastodon, _Account

ROOT = Path(__file__).resolve().parents[2]
CHANNELS, POSTS_PER_CHANNEL, WORKERS = 10, 20, 4
# Long enough that a channel waiting for a lease stands out from a slow, shared CI machine.
LEASE_SECONDS = 15
WORKER = """
import sys, time
from app import create_app
from app.worker import tick
app = create_app()
while True:
    try:
        tick(app, worker_id=sys.argv[1])
    except Exception:  # as APScheduler does: a failed tick never stops the worker
        pass
    time.sleep(0.1)
"""
FINAL = {PostStatus.POSTED, PostStatus.CANCELLED, PostStatus.UNKNOWN_OUTCOME, PostStatus.FAILED}


class FaultyMastodon(FakeMastodon):
    """One account per channel; 10% 5xx before storing, 5% answers lost after storing, a 429 every 50 creates."""

    def __init__(self, *, honour_idempotency: bool, seed: int = 7) -> None:
        super().__init__(honour_idempotency=honour_idempotency)
        self.accounts = {f"token-{n}": _Account(id=str(200 + n), username=f"ch{n}") for n in range(CHANNELS)}
        self.random = random.Random(seed)
        self.creates_seen = 0
        self.stored_at: dict[str, list[float]] = {}
        self.lookups = 0

    def handle(self, request):
        if request.method == "GET" and request.path.rstrip("/").endswith("/statuses"):
            with self.lock:
                self.lookups += 1
        return super().handle(request)

    def _post_status(self, request, account):
        with self.lock:
            self.creates_seen += 1
            rate_limited = self.creates_seen % 50 == 0
            draw = self.random.random()
        if rate_limited:
            reset = datetime.now(UTC) + timedelta(seconds=1)
            return self._reply(429, {"error": "Too many requests"}, remaining=0, reset=reset)
        if account is not None and draw < 0.10:
            return self._reply(503, {"error": "We're sorry, but something went wrong"})
        if account is not None and draw < 0.15:
            self._store(account, request, request.headers.get("idempotency-key"))
            return Reply(drop=True)
        return super()._post_status(request, account)

    def _store(self, account, request, key):
        status = super()._store(account, request, key)
        with self.lock:
            self.stored_at.setdefault(account.id, []).append(time.monotonic())
        return status


def _stood_still(times: list[float], start: float) -> float:
    points = [start, *sorted(times)]
    return max((b - a for a, b in zip(points, points[1:], strict=False)), default=0.0)


@pytest.mark.postgres
@pytest.mark.parametrize("honours_key", (True, False), ids=("honours-key", "ignores-key"))
def test_fault_run_publishes_each_post_at_most_once(
    honours_key, app, is_postgres, database_url, org, make_channel, make_message, schedule, lead, now
):
    if not is_postgres:
        pytest.skip("needs PostgreSQL: several worker processes share the queue (set TEST_DATABASE_URL)")
    with FaultyMastodon(honour_idempotency=honours_key) as server:
        channels = [
            make_channel(
                org,
                "mastodon",
                name=f"ch{n}",
                server_url=server.url,
                credentials={"access_token": f"token-{n}"},
            )
            for n in range(CHANNELS)
        ]
        due = now - timedelta(minutes=2)
        for n in range(CHANNELS * POSTS_PER_CHANNEL):
            schedule(make_message(), [channels[n % CHANNELS]], now=due, at=due)
        total = CHANNELS * POSTS_PER_CHANNEL
        url = make_url(database_url.replace("+psycopg", "")).update_query_dict(
            {"application_name": "cp-fault"}
        )
        env = {
            **os.environ,
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "SECRET_KEY": "test",
            "COUNTERPOINT_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
            "COUNTERPOINT_ALLOW_PRIVATE_URLS": "1",
            "COUNTERPOINT_LEASE_SECONDS": str(LEASE_SECONDS),
            "COUNTERPOINT_RETRY_BASE_SECONDS": "0.5",
            "COUNTERPOINT_CONNECTOR_TIMEOUT": "2",
        }

        def spawn(name: str) -> subprocess.Popen:
            return subprocess.Popen(
                [sys.executable, "-c", WORKER, name], cwd=ROOT, env=env, stderr=subprocess.DEVNULL
            )

        people = _People(app, lead)
        workers = [spawn(f"proc-{n}") for n in range(WORKERS)]
        killed_at = cut_at = start = None
        orphaned: set[int] = set()
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                time.sleep(0.3)
                created = sum(len(v) for v in server.stored_at.values())
                if start is None:
                    if not created:
                        continue  # the worker processes are still starting
                    start = min(min(v) for v in server.stored_at.values())
                    people.start()
                if killed_at is None and created >= total // 4:
                    workers[0].send_signal(signal.SIGKILL)  # mid-pass, possibly mid-request
                    workers[0].wait()
                    orphaned = _channels_held_by("proc-0")
                    workers.append(spawn("proc-replacement"))
                    killed_at = time.monotonic()
                if cut_at is None and created >= total // 2:
                    _cut_worker_connections(database_url)
                    cut_at = time.monotonic()
                if cut_at and _settled(total):
                    break
        finally:
            people.stop()
            for worker in workers:
                worker.kill()
                worker.wait()

        db.session.expire_all()
        states = Counter(
            str(s)
            for s in db.session.scalars(
                select(Post.status).where(Post.channel_id.in_([c.id for c in channels]))
            )
        )
        texts = {p.id: p.text for p in db.session.scalars(select(Post))}
        by_status = {p.id: p.status for p in db.session.scalars(select(Post))}
        copies = Counter(server.created_by_text)
        per_post = Counter(copies.get(t, 0) for t in texts.values())
        duplicates = sum(n - 1 for n in copies.values() if n > 1)
        live_cancelled = [
            pid for pid, s in by_status.items() if s == PostStatus.CANCELLED and copies.get(texts[pid])
        ]
        still = {acc: _stood_still(times, start) for acc, times in server.stored_at.items()}
        # Channels the killed worker held wait out its lease (reported above); the others must not wait
        # for a lease after the connections were cut.
        account_of = {channel.id: str(200 + n) for n, channel in enumerate(channels)}
        waiting_for_kill = {account_of[c] for c in orphaned} if killed_at + LEASE_SECONDS > cut_at else set()
        after_cut = {
            acc: _stood_still([t for t in times if t >= cut_at], cut_at)
            for acc, times in server.stored_at.items()
            if any(t >= cut_at for t in times) and acc not in waiting_for_kill
        }
        print(
            f"\n[fault run, {'honours' if honours_key else 'ignores'} Idempotency-Key] {total} posts, "
            f"{CHANNELS} channels, {WORKERS} worker processes (one killed), worker connections cut once"
            f"\n  statuses per post: {dict(sorted(per_post.items()))}; duplicates: {duplicates}; "
            f"live but cancelled: {len(live_cancelled)}"
            f"\n  posts per state: {dict(states)}; cancelled by people: {people.cancelled}; "
            f"marked by hand: {people.marked}; refused (claimed, may be live, or the worker's): {people.refused}"
            f"\n  create requests: {server.creates_seen}; lookups: {server.lookups}; "
            f"channels held by the killed worker: {len(orphaned)}"
            f"\n  longest stand-still per channel (s): {sorted(round(v, 1) for v in still.values())}"
            f"\n  longest stand-still after the cut (s): {sorted(round(v, 1) for v in after_cut.values())}"
            f"\n  timeline (s, from the first status): worker killed {killed_at - start:.1f}, connections cut {cut_at - start:.1f}, "
            f"settled {time.monotonic() - start:.1f}"
        )
        assert duplicates == 0
        assert live_cancelled == []
        assert _settled(total), states
        assert max(after_cut.values(), default=0) < LEASE_SECONDS
        # Posts marked by hand never also went out through a worker.
        assert not [pid for pid in people.marked_ids if copies.get(texts[pid])]


def _channels_held_by(worker_id: str) -> set[int]:
    with db.engine.connect() as connection:
        keys = connection.execute(select(DispatchLock.key).where(DispatchLock.owner == worker_id)).scalars()
        return {int(key.split(":")[1]) for key in keys if key.startswith("channel:")}


def _settled(total: int) -> bool:
    with db.engine.connect() as connection:
        open_posts = connection.execute(
            select(func.count()).select_from(Post).where(Post.status.in_(("queued", "sending")))
        ).scalar()
    return open_posts == 0


def _cut_worker_connections(database_url: str) -> None:
    """Every worker loses its database connection at once (as in a database restart)."""
    admin = create_engine(make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'cp-fault'")
        )
    admin.dispose()


class _People(threading.Thread):
    """Leads who cancel and mark by hand while the workers run."""

    def __init__(self, app, lead) -> None:
        super().__init__(daemon=True)
        self.app, self.lead_id = app, lead.id
        self.stopping = threading.Event()
        self.cancelled = self.marked = self.refused = 0
        self.marked_ids: list[int] = []
        self.random = random.Random(11)

    def stop(self) -> None:
        self.stopping.set()
        if self.is_alive():
            self.join(timeout=10)

    def run(self) -> None:
        from app.accounts.models import User

        with self.app.app_context():
            lead = db.session.get(User, self.lead_id)
            ids = list(db.session.scalars(select(Post.id)))
            while not self.stopping.wait(0.2):
                post = db.session.get(Post, self.random.choice(ids))
                try:
                    if self.random.random() < 0.5:
                        services.cancel_post(post, actor=lead)
                        self.cancelled += 1
                    else:
                        services.mark_posted_manually(post, actor=lead, url=f"https://by.hand/{post.id}")
                        self.marked += 1
                        self.marked_ids.append(post.id)
                    db.session.commit()
                except services.PublishingError:
                    self.refused += 1
                    db.session.rollback()
                except Exception:  # noqa: BLE001 - the connection cut may reach this session too
                    db.session.rollback()
                db.session.expire_all()
            db.session.remove()
