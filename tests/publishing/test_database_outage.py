"""R1/R2 under a database outage: the platform accepted the post, then the database went away before
the worker could record it. Nothing may be posted twice and nothing may stay stuck in `sending`."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.extensions import db
from app.publishing.dispatch import dispatch_once, sweep_expired_leases
from app.publishing.models import DispatchLock, PostStatus
from tests.fakes.webhook import FakeWebhookReceiver


class OutageReceiver(FakeWebhookReceiver):
    """Stores the first post, then takes the database down for a moment before answering."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.database = make_url(database_url).database
        self.admin = create_engine(
            make_url(database_url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        self.outage_done = threading.Event()

    def handle(self, request):
        reply = super().handle(request)
        if not self.outage_done.is_set() and self.created_by_key:
            self.outage_done.set()
            self._outage(seconds=1.5)
        return reply

    def _outage(self, seconds: float) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": self.database},
            )
        threading.Timer(seconds, self._restore).start()

    def _restore(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.database}" ALLOW_CONNECTIONS true'))


@pytest.fixture
def outage_receiver(is_postgres, database_url):
    if not is_postgres:
        pytest.skip("needs PostgreSQL to take the database away mid-publish (set TEST_DATABASE_URL)")
    receiver = OutageReceiver(database_url)
    with receiver:
        yield receiver
    receiver._restore()
    receiver.admin.dispose()


def test_a_post_accepted_during_a_database_outage_is_published_once(
    app, org, make_channel, make_message, schedule, now, outage_receiver
):
    channel = make_channel(
        org,
        "webhook",
        credentials={"secret": outage_receiver.secret},
        settings={"url": outage_receiver.hook_url},
    )
    [post] = schedule(make_message(), [channel], now=now)
    post_id, key = post.id, post.idempotency_key

    with pytest.raises(Exception):  # noqa: B017 - the worker cannot record the outcome: the database is gone
        dispatch_once(app, worker_id="w1", now=now)
    assert outage_receiver.created_by_key == {key: 1}  # the platform has it

    db.session.remove()
    db.engine.dispose()
    outage_receiver.outage_done.wait()
    for _ in range(50):  # wait for the database to accept connections again
        try:
            db.session.execute(text("SELECT 1"))
            break
        except Exception:  # noqa: BLE001
            db.session.rollback()
            threading.Event().wait(0.1)
    stuck = db.session.get(type(post), post_id)
    assert stuck.status == PostStatus.SENDING  # known to be in flight, not lost

    later = now + timedelta(seconds=app.config["COUNTERPOINT_LEASE_SECONDS"] + 1)
    sweep_expired_leases(now=later)
    for step in range(3):
        dispatch_once(app, worker_id="w2", now=later + timedelta(seconds=step))
    db.session.expire_all()
    recovered = db.session.get(type(post), post_id)
    assert recovered.status == PostStatus.POSTED and recovered.idempotency_key == key
    assert outage_receiver.deliveries == 2  # sent again with the same webhook-id ...
    assert outage_receiver.created_by_key == {key: 1}  # ... and the receiver kept one


def test_after_an_outage_the_same_worker_gives_back_its_claims_at_once(
    app, org, make_channel, make_message, schedule, now, outage_receiver
):
    """No channel stands still for a lease: the worker's next pass, a second later, releases what the
    failed pass held, and the post in flight is looked up (or re-sent with its key), not forgotten."""
    channel = make_channel(
        org,
        "webhook",
        credentials={"secret": outage_receiver.secret},
        settings={"url": outage_receiver.hook_url},
    )
    [post] = schedule(make_message(), [channel], now=now)
    post_id, key = post.id, post.idempotency_key
    with pytest.raises(Exception):  # noqa: B017 - the database is gone while the answer comes back
        dispatch_once(app, worker_id="w1", now=now)
    db.session.remove()
    db.engine.dispose()
    outage_receiver.outage_done.wait()
    for _ in range(50):
        try:
            db.session.execute(text("SELECT 1"))
            break
        except Exception:  # noqa: BLE001
            db.session.rollback()
            threading.Event().wait(0.1)

    dispatch_once(app, worker_id="w1", now=now + timedelta(seconds=1))  # well inside the lease
    db.session.expire_all()
    recovered = db.session.get(type(post), post_id)
    assert recovered.status == PostStatus.POSTED
    assert outage_receiver.created_by_key == {key: 1}
    assert db.session.scalar(select(DispatchLock.owner).where(DispatchLock.owner.is_not(None))) is None
