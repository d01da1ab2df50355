"""R1 on PostgreSQL: several worker processes (FOR UPDATE SKIP LOCKED) publish each post exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.publishing.models import PostStatus
from tests.conftest import TEST_ENCRYPTION_KEY

ROOT = Path(__file__).resolve().parents[2]
WORKER = """
import sys
from datetime import timedelta
from app import create_app
from app.worker import tick
app = create_app()
for _ in range(int(sys.argv[2])):
    tick(app, worker_id=sys.argv[1])
"""


@pytest.mark.postgres
def test_worker_processes_publish_each_post_once(
    is_postgres, database_url, make_message, schedule, now, receiver, mastodon, mixed_channels
):
    if not is_postgres:
        pytest.skip(
            "needs PostgreSQL: SQLite has no SKIP LOCKED and one writer at a time (set TEST_DATABASE_URL)"
        )
    channels = mixed_channels
    posts = []
    for _ in range(2):
        posts += schedule(make_message(), channels, now=now - timedelta(minutes=2))
    env = {
        **os.environ,
        "DATABASE_URL": database_url.replace("+psycopg", ""),
        "SECRET_KEY": "test",
        "COUNTERPOINT_ENCRYPTION_KEYS": TEST_ENCRYPTION_KEY,
        "COUNTERPOINT_ALLOW_PRIVATE_URLS": "1",
    }
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER, f"proc-{i}", "3"], cwd=ROOT, env=env)
        for i in range(4)
    ]
    assert [w.wait(timeout=120) for w in workers] == [0, 0, 0, 0]
    db.session.expire_all()
    assert {p.status for p in posts} == {PostStatus.POSTED}
    assert set(receiver.created_by_key.values()) == set(mastodon.created_by_key.values()) == {1}
    assert sum(receiver.created_by_key.values()) + sum(mastodon.created_by_key.values()) == 12
