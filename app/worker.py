"""The worker process: an APScheduler ticker that runs the periodic tasks and records a heartbeat."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, g

from app.channels.services import recheck_servers_tick
from app.common.time import utcnow
from app.extensions import db
from app.outcomes.collect import collect_task
from app.publishing.dispatch import dispatch_task, release_holds_task, sweep_task
from app.publishing.models import WorkerHeartbeat
from app.review.tasks import expire_approvals_tick

log = logging.getLogger(__name__)

# Work done on every tick, in order: revoke stale approvals, reclaim expired leases, publish due posts,
# then read the public counts of posted items (at most once a minute; see outcomes.collect), then
# re-read, once a day, which software each Mastodon-API channel's server runs.
TASKS = (
    expire_approvals_tick,
    sweep_task,
    release_holds_task,
    dispatch_task,
    collect_task,
    recheck_servers_tick,
)


def beat(worker_id: str) -> None:
    """Record that this worker is alive."""
    heartbeat = db.session.get(WorkerHeartbeat, worker_id)
    if heartbeat is None:
        heartbeat = WorkerHeartbeat(worker_id=worker_id, hostname=socket.gethostname(), pid=os.getpid())
        db.session.add(heartbeat)
    heartbeat.beat_at = utcnow()
    db.session.commit()


# Set-wide scans that need not run on every tick (seconds between runs, by task name): an idle tick
# over a large history then costs a few indexed queries (issue 15).
TASK_INTERVALS: dict[str, float] = {"expire_approvals_tick": 60.0}
_last_run: dict[tuple[str, str], float] = {}


def _due(worker_id: str, task: Callable[[], object]) -> bool:
    name = getattr(task, "__name__", str(task))
    every = TASK_INTERVALS.get(name)
    if not every:
        return True
    now = time.monotonic()
    last = _last_run.get((worker_id, name))
    if last is not None and now - last < every:
        return False
    _last_run[(worker_id, name)] = now
    return True


def tick(app: Flask, worker_id: str) -> bool:
    """One pass: heartbeat, then every task; a failing task never stops the worker.

    True when a task stopped with work left (a dispatch pass that ran out of its time while publishing).
    """
    unfinished = False
    with app.app_context():
        g.worker_id = worker_id  # tasks name their leases after the worker
        g.tick_started = time.monotonic()  # the dispatcher waits for due posts until the next tick
        try:
            beat(worker_id)
        except Exception:
            db.session.rollback()  # the database may be restarting: the tasks below retry it
            log.exception("worker %s could not record its heartbeat", worker_id)
        for task in TASKS:
            if not _due(worker_id, task):
                continue
            try:
                unfinished = task() is True or unfinished
            except Exception:
                db.session.rollback()
                log.exception("worker task %s failed", getattr(task, "__name__", task))
        db.session.remove()
    return unfinished


def tick_until_idle(app: Flask, worker_id: str) -> None:
    """The scheduled job: a tick, repeated at once while it leaves due posts behind. A backlog longer than
    one pass drains without waiting for the next tick, and the heartbeat and sweeps still run between
    passes."""
    while tick(app, worker_id):
        log.info("worker %s: posts still due after a full pass, ticking again now", worker_id)


class _OverlapIsExpected(logging.Filter):
    """A tick still running when the next one is due is how the worker drains a backlog (`tick_until_idle`),
    not a fault: APScheduler's warning that it skipped the overlapping run stays out of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


def quiet_overlap_warnings() -> None:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    if not any(isinstance(f, _OverlapIsExpected) for f in scheduler_log.filters):
        scheduler_log.addFilter(_OverlapIsExpected())


def run_worker(app: Flask) -> None:
    """Run the ticker in this process until interrupted."""
    worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    seconds = float(app.config["COUNTERPOINT_TICK_SECONDS"])
    quiet_overlap_warnings()
    # The scheduler is only a ticker: the database is the queue, so coalesce and never overlap.
    scheduler = BlockingScheduler(
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, int(seconds))}
    )
    scheduler.add_job(tick_until_idle, "interval", seconds=seconds, args=(app, worker_id), next_run_time=utcnow())
    log.info("worker %s ticking every %s s", worker_id, seconds)
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()
