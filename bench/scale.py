"""The coalition-scale data set of issue 15, built by bulk inserts into its own database and cached.

50 organisations, 10,000 trends x 30 daily counts and 5 evidence posts, 100 campaigns, 50,000 messages
x 2 versions, 100,000 posts on 200 channels, 458,000 audit events (plus the approvals, review requests,
attempts and notifications that make those rows valid). Rows go in through SQLAlchemy Core
executemany in batches with explicit ids, so foreign keys are computed instead of read back.

`SCALE` shrinks every count (0.1 gives a tenth) for quick runs; the cache key includes it.
"""

from __future__ import annotations

import hashlib
import os
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, create_engine, insert, inspect, text
from sqlalchemy.engine import Connection, Engine

from app.checks import TrendContext, run_checks
from app.extensions import db

SEED_VERSION = "1"
BATCH = 5_000
PASSWORD = "bench password 2026"
BENCH_LEAD = "lead@org-01.bench.example"
PARTNER_LEAD = "lead@org-50.bench.example"
NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)

PLATFORMS = ("mastodon", "bluesky", "webhook", "manual")
STATUSES = (
    ["approved"] * 40
    + ["draft"] * 25
    + ["in_review"] * 15
    + ["changes_requested"] * 8
    + ["rejected"] * 6
    + ["archived"] * 6
)
TEXTS = (
    "Neighbours on our street rebuilt the library together after the flood. That is who we are. "
    "#BetterTogether",
    "Most people here simply want safe streets and good schools for every child, whoever their parents "
    "are. Studies show it: https://example.org/study",
    "They always say migrants take jobs. The figures say otherwise: every year new arrivals start "
    "businesses that employ locals. @someone",
    "Hate spreads fast online; kindness can too. Share a story of a neighbour who helped you this week. "
    "[CITY]",
)


def counts(scale: float) -> dict[str, int]:
    """How many rows of each kind at this scale (1.0 is the issue's data set)."""

    def n(full: int, floor: int = 1) -> int:
        return max(floor, int(full * scale))

    return {
        "orgs": 50,
        "trends": n(10_000, 10),
        "observations_per_trend": 30,
        "evidence_per_trend": 5,
        "campaigns": 100,
        "messages": n(50_000, 20),
        "big_campaign_messages": n(5_000, 5),
        "channels_per_org": 4,
        "posts": n(100_000, 20),
        "audit": n(458_000, 20),
        "lead_notifications": n(5_000, 5),
        "notifications_per_user": n(100, 1),
    }


# ---------------------------------------------------------------- cache


def _schema_fingerprint() -> str:
    """Tables and columns only: an index added or dropped is applied to the cached data (_sync_indexes)."""
    parts = []
    for table in db.metadata.sorted_tables:
        parts.append(table.name + ":" + ",".join(f"{c.name}/{c.type}" for c in table.columns))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _sync_indexes(engine: Engine, log=print) -> None:
    """Give a cached data set the models' indexes: create the missing ones, drop the ones no model has."""
    existing = {
        table.name: {
            ix["name"]: ix
            for ix in inspect(engine).get_indexes(table.name)
            if ix.get("name") and not ix.get("duplicates_constraint")
        }
        for table in db.metadata.sorted_tables
    }
    changed = False
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            wanted = {ix.name for ix in table.indexes}
            for name in sorted(set(existing[table.name]) - wanted):
                conn.execute(text(f'DROP INDEX "{name}"'))
                log(f"   index {name} dropped")
                changed = True
            for index in table.indexes:
                if index.name not in existing[table.name]:
                    index.create(conn)
                    log(f"   index {index.name} created")
                    changed = True
        if changed:
            conn.execute(text("ANALYZE"))


def cache_key(scale: float) -> str:
    return f"v{SEED_VERSION}-s{scale:g}-{_schema_fingerprint()}"


def _stamp(engine: Engine) -> str | None:
    """The key of the data set the database holds; None when there is none, or when its tables were
    rebuilt under the stamp since (the bench lead is gone)."""
    with engine.connect() as conn:
        try:
            key = conn.execute(text("SELECT value FROM bench_meta WHERE name = 'key'")).scalar()
            lead = conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": BENCH_LEAD}).scalar()
        except Exception:  # noqa: BLE001 -- no table yet means no cache
            return None
    return key if lead is not None else None


def ensure(url: str, *, scale: float = 1.0, log=print) -> dict[str, Any]:
    """Seed `url` unless it already holds this data set; return facts the page bench needs."""
    engine = create_engine(url)
    key = cache_key(scale)
    if _stamp(engine) == key:
        log(f"   data set cached ({key})")
        _sync_indexes(engine, log)
    else:
        started = time.perf_counter()
        _reset(engine)
        seed(engine, scale=scale, log=log)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_meta (name VARCHAR(32) PRIMARY KEY, value VARCHAR(200))"))
            conn.execute(text("INSERT INTO bench_meta VALUES ('key', :k)"), {"k": key})
            conn.execute(
                text("INSERT INTO bench_meta VALUES ('seconds', :s)"),
                {"s": f"{time.perf_counter() - started:.0f}"},
            )
        log(f"   seeded in {time.perf_counter() - started:.0f} s")
    facts = facts_of(engine)
    with engine.connect() as conn:
        facts["seed_seconds"] = conn.execute(
            text("SELECT value FROM bench_meta WHERE name = 'seconds'")
        ).scalar()
    engine.dispose()
    return facts


def _reset(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        engine.dispose()
        if path and os.path.exists(path):
            os.remove(path)
    else:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.metadata.create_all(engine)


def facts_of(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        big = conn.execute(
            text("SELECT campaign_id FROM messages GROUP BY campaign_id ORDER BY count(*) DESC LIMIT 1")
        ).scalar()
        token = conn.execute(text("SELECT token FROM calendar_feeds WHERE organisation_id = 1")).scalar()
        message = conn.execute(
            text("SELECT id FROM messages WHERE campaign_id = :c ORDER BY id LIMIT 1"), {"c": big}
        ).scalar()
        trend = conn.execute(text("SELECT id FROM trends WHERE organisation_id = 1 LIMIT 1")).scalar()
        size = conn.execute(text("SELECT count(*) FROM messages WHERE campaign_id = :c"), {"c": big}).scalar()
    return {
        "big_campaign_id": big,
        "ics_token": token,
        "message_id": message,
        "trend_id": trend,
        "big_messages": size,
    }


# ---------------------------------------------------------------- seeding


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _bulk(conn: Connection, name: str, rows: Iterator[dict[str, Any]] | list[dict[str, Any]]) -> int:
    table, batch, total = _table(name), [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.execute(insert(table), batch)
            total += len(batch)
            batch = []
    if batch:
        conn.execute(insert(table), batch)
        total += len(batch)
    return total


def _findings_for(texts: tuple[str, ...]) -> list[dict[str, Any]]:
    """Real check reports for the sample texts, in the stored shape (computed once, reused)."""
    context = TrendContext(
        lexicon_terms=("invaders",), hashtags=("#StopTheInvasion",), evidence_handles=("someone",)
    )
    out = []
    for body in texts:
        findings, has_errors = {}, False
        for platform in ("mastodon", "bluesky"):
            report = run_checks(body, platform=platform, language="en", trend=context)
            findings[platform] = report.as_dict()
            has_errors = has_errors or report.has_errors
        out.append({"findings": findings, "has_errors": has_errors})
    return out


def seed(engine: Engine, *, scale: float = 1.0, log=print) -> None:
    """Insert the whole data set in one transaction per table group."""
    from argon2 import PasswordHasher, profiles

    c = counts(scale)
    rng = random.Random(15)
    password_hash = PasswordHasher.from_parameters(profiles.CHEAPEST).hash(PASSWORD)
    today = NOW.date()
    t0 = time.perf_counter()

    def step(label: str, started: float) -> float:
        log(f"   {label}: {time.perf_counter() - started:.1f} s")
        return time.perf_counter()

    with engine.begin() as conn:
        orgs = list(range(1, c["orgs"] + 1))
        _bulk(
            conn,
            "organisations",
            (
                {
                    "id": o,
                    "name": f"Organisation {o:02d}",
                    "slug": f"org-{o:02d}",
                    "time_zone": "Europe/Paris",
                    "default_language": "en",
                    "created_at": NOW - timedelta(days=400),
                }
                for o in orgs
            ),
        )
        users, leads, staff = [], {}, {}
        for o in orgs:
            for role in ("lead", "staff", "admin") if o == 1 else ("lead", "staff"):
                uid = len(users) + 1
                users.append(
                    {
                        "id": uid,
                        "email": f"{role}@org-{o:02d}.bench.example",
                        "name": f"{role.title()} {o:02d}",
                        "password_hash": password_hash,
                        "organisation_id": o,
                        "role": role,
                        "is_active_user": True,
                        "session_version": 1,
                        "language": "en",
                        "created_at": NOW - timedelta(days=400),
                    }
                )
                (leads if role == "lead" else staff)[o] = uid
        _bulk(conn, "users", users)
        t = step("organisations and users", t0)

        # Trends: half belong to the bench lead's organisation (its pickers hold thousands).
        trend_org = [1 if i % 2 == 0 else 2 + (i % (c["orgs"] - 1)) for i in range(c["trends"])]
        _bulk(
            conn,
            "trends",
            (
                {
                    "id": i + 1,
                    "organisation_id": trend_org[i],
                    "owner_id": staff[trend_org[i]],
                    "title": f"Trend {i + 1:05d}: coded slurs against {['migrants', 'Roma', 'women'][i % 3]} in region {i % 40}",
                    "summary": "A neutral paraphrase of the narrative, never a quote.",
                    "narrative_tags": ["replacement"],
                    "target_groups": ["MIGRANTS"],
                    "platforms": ["x", "telegram"],
                    "languages": ["en"],
                    "regions": ["FR"],
                    "keywords": [f"kw{i}"],
                    "hashtags": [f"#tag{i}"],
                    "coded_terms": [],
                    "never_repeat_terms": [],
                    "extra_hostile_terms": [],
                    "severity": 1 + i % 3,
                    "rabat": {},
                    "hallmarks": [],
                    "fact_checks": [],
                    "trigger_event": "",
                    "status": ["new", "monitoring", "responding", "escalated", "closed"][i % 5],
                    "recommended_action": "counter",
                    "source": "bench",
                    "external_id": f"t{i}",
                    "first_seen_at": NOW - timedelta(days=60),
                    "last_seen_at": NOW - timedelta(days=i % 10),
                    "created_at": NOW - timedelta(days=60, minutes=i),
                    "updated_at": NOW - timedelta(minutes=i),
                }
                for i in range(c["trends"])
            ),
        )
        _bulk(
            conn,
            "trend_observations",
            (
                {
                    "id": i * 30 + d + 1,
                    "trend_id": i + 1,
                    "observed_on": today - timedelta(days=d),
                    "count": 10 + (i * 7 + d * (i % 5)) % 200,
                    "source": "bench",
                }
                for i in range(c["trends"])
                for d in range(c["observations_per_trend"])
            ),
        )
        _bulk(
            conn,
            "trend_evidence",
            (
                {
                    "id": i * 5 + e + 1,
                    "trend_id": i + 1,
                    "url": f"https://social.example/@poster{i}_{e}/1",
                    "platform": "mastodon",
                    "captured_at": NOW - timedelta(days=e + 1),
                    "excerpt": "An excerpt of the hateful post, kept behind a content warning.",
                    "author_kind": "individual",
                    "author_handle": f"poster{i}_{e}",
                    "engagement": 10 * e,
                    "language": "en",
                    "region": "FR",
                    "dedupe_key": f"{i}-{e}",
                    "created_at": NOW - timedelta(days=e),
                }
                for i in range(c["trends"])
                for e in range(c["evidence_per_trend"])
            ),
        )
        t = step("trends, daily counts, evidence", t)

        # Campaigns: organisation 1 runs 20, the others share the rest; each has up to 3 partners.
        campaign_org = [1 if k < 20 else 2 + (k % (c["orgs"] - 1)) for k in range(c["campaigns"])]
        _bulk(
            conn,
            "campaigns",
            (
                {
                    "id": k + 1,
                    "organisation_id": campaign_org[k],
                    "created_by_id": leads[campaign_org[k]],
                    "title": f"Campaign {k + 1:03d}",
                    "goal": "Reach the movable middle.",
                    "audience": "Everyone",
                    "mode": "broadcast",
                    "strategies": ["alternative"],
                    "tone_notes": "",
                    "languages": ["en", "fr"],
                    "platforms": ["mastodon", "bluesky"],
                    "hashtags": ["#BetterTogether"],
                    "starts_on": today - timedelta(days=300),
                    "ends_on": today + timedelta(days=300),
                    "status": "active" if k % 10 else "paused",
                    "requires_partner_approval": False,
                    "created_at": NOW - timedelta(days=300),
                    "updated_at": NOW - timedelta(days=k),
                }
                for k in range(c["campaigns"])
            ),
        )
        partners = {
            k + 1: sorted({2 + (k * 3 + j) % (c["orgs"] - 1) for j in range(3)} - {campaign_org[k]})
            for k in range(c["campaigns"])
        }
        partners[c["campaigns"]] = sorted(set(partners[c["campaigns"]]) | {c["orgs"]})
        _bulk(
            conn,
            "campaign_partners",
            ({"campaign_id": k, "organisation_id": o} for k, os_ in partners.items() for o in os_),
        )
        by_org: dict[int, list[int]] = {}
        for j, o in enumerate(trend_org):
            by_org.setdefault(o, []).append(j + 1)
        _bulk(
            conn,
            "campaign_trends",
            (
                {"campaign_id": k + 1, "trend_id": t_id}
                for k in range(c["campaigns"])
                for t_id in by_org.get(campaign_org[k], [])[k % 7 : k % 7 + 3]
            ),
        )
        _bulk(
            conn,
            "campaign_knowledge",
            (
                {
                    "id": k * 3 + j + 1,
                    "campaign_id": k + 1,
                    "text": f"Vetted fact {j}",
                    "source_url": "https://example.org/fact",
                    "language": "en",
                    "position": j,
                }
                for k in range(c["campaigns"])
                for j in range(3)
            ),
        )
        t = step("campaigns", t)

        # Messages: the first campaign holds the big list; the rest spread evenly.
        big = c["big_campaign_messages"]
        rest = c["messages"] - big
        message_campaign = [1] * big + [2 + (m % (c["campaigns"] - 1)) for m in range(rest)]
        # The partner organisation's messages (last campaign) are the OLDEST approved ones.
        samples = _findings_for(TEXTS)
        messages, versions = [], []
        for m in range(c["messages"]):
            mid = m + 1
            camp = message_campaign[m]
            org = campaign_org[camp - 1]
            status = STATUSES[m % len(STATUSES)]
            if camp == c["campaigns"]:
                status = "approved"
            updated = (
                NOW - timedelta(minutes=m * 5)
                if camp != c["campaigns"]
                else NOW - timedelta(days=200, minutes=m)
            )
            messages.append(
                {
                    "id": mid,
                    "campaign_id": camp,
                    "trend_id": None,
                    "strategy": "alternative",
                    "language": ["en", "fr", "de", "es"][m % 4],
                    "status": status,
                    "created_by_id": staff[org],
                    "current_version_id": None,
                    "created_at": updated - timedelta(hours=2),
                    "updated_at": updated,
                }
            )
            for number in (1, 2):
                sample = samples[(m + number) % len(samples)]
                body = TEXTS[(m + number) % len(TEXTS)] + f" ({mid}.{number})"
                versions.append(
                    {
                        "id": m * 2 + number,
                        "message_id": mid,
                        "number": number,
                        "text": body,
                        "variants": {},
                        "content_hash": hashlib.sha256(f"{mid}.{number}".encode()).hexdigest(),
                        "source": "offline" if number == 1 else "human",
                        "author_id": staff[org],
                        "findings": sample["findings"],
                        "has_errors": False,
                        "provenance": {"provider": "offline", "prompt": "draft", "prompt_version": 1}
                        if number == 1
                        else None,
                        "note": "",
                        "created_at": updated - timedelta(hours=2 - number),
                    }
                )
        _bulk(conn, "messages", messages)
        _bulk(conn, "message_versions", versions)
        conn.execute(text("UPDATE messages SET current_version_id = id * 2"))
        t = step("messages and versions", t)

        approved = [m for m in messages if m["status"] == "approved"]
        _bulk(
            conn,
            "approvals",
            (
                {
                    "id": i + 1,
                    "message_id": m["id"],
                    "campaign_id": camp,
                    "version_id": m["id"] * 2,
                    "content_hash": hashlib.sha256(f"{m['id']}.2".encode()).hexdigest(),
                    "approver_id": leads[campaign_org[m["campaign_id"] - 1]]
                    if campaign_org[m["campaign_id"] - 1] != 1
                    else leads[1],
                    "organisation_id": campaign_org[m["campaign_id"] - 1],
                    "warning_override_reason": "",
                    "humor_acknowledged": False,
                    "created_at": m["updated_at"],
                }
                for i, m in enumerate(approved)
            ),
        )
        _bulk(
            conn,
            "review_requests",
            (
                {
                    "id": i + 1,
                    "message_id": m["id"],
                    "campaign_id": camp,
                    "version_id": m["id"] * 2,
                    "content_hash": hashlib.sha256(f"{m['id']}.2".encode()).hexdigest(),
                    "submitted_by_id": m["created_by_id"],
                    "created_at": m["updated_at"] - timedelta(minutes=30),
                }
                for i, m in enumerate(
                    x
                    for x in messages
                    if x["status"] in ("approved", "in_review", "changes_requested", "rejected")
                )
            ),
        )
        t = step("approvals and review requests", t)

        # Channels: four per organisation; posts of approved messages on the owner's and partners' channels.
        channels = []
        for o in orgs:
            for j, platform in enumerate(PLATFORMS):
                channels.append(
                    {
                        "id": (o - 1) * len(PLATFORMS) + j + 1,
                        "organisation_id": o,
                        "platform": platform,
                        "display_name": f"{platform.title()} of org {o:02d}",
                        "handle": f"@org{o}",
                        "server_url": "https://social.example" if platform == "mastodon" else None,
                        "credentials_encrypted": None,
                        "settings": {},
                        "time_zone": "Europe/Paris",
                        "posting_windows": {},
                        "min_spacing_minutes": 0,
                        "daily_cap": None,
                        "char_limit_override": None,
                        "is_paused": False,
                        "is_individual_account": False,
                        "needs_reauth": False,
                        "is_archived": False,
                        "created_at": NOW - timedelta(days=300),
                    }
                )
        _bulk(conn, "channels", channels)
        posts, attempts = [], []
        span = 300 * 24 * 60  # minutes: ~270 days back, ~30 days ahead
        pairs = ((m, ch) for m in approved for ch in range(len(PLATFORMS) * 3))
        for i, (m, k) in enumerate(pairs):
            if i >= c["posts"]:
                break
            camp = m["campaign_id"]
            owners = [campaign_org[camp - 1], *partners[camp]]
            org = owners[(k // len(PLATFORMS)) % len(owners)]
            channel_id = (org - 1) * len(PLATFORMS) + k % len(PLATFORMS) + 1
            at = NOW + timedelta(minutes=span * 0.1 - (i * 7919) % span)
            future = at > NOW
            status = (
                ("queued" if k % 5 else "awaiting_partner")
                if future
                else (["posted"] * 16 + ["failed", "missed", "cancelled", "unknown_outcome"])[i % 20]
            )
            pid = len(posts) + 1
            posts.append(
                {
                    "id": pid,
                    "message_id": m["id"],
                    "campaign_id": camp,
                    "version_id": m["id"] * 2,
                    "channel_id": channel_id,
                    "content_hash": hashlib.sha256(f"{m['id']}.2".encode()).hexdigest(),
                    "text": TEXTS[(m["id"] + 2) % len(TEXTS)] + f" ({m['id']}.2)",
                    "scheduled_at": at,
                    "status": status,
                    "idempotency_key": uuid.UUID(int=rng.getrandbits(128)).hex,
                    "attempt_count": 0 if future else 1,
                    "posted_at": at if status == "posted" else None,
                    "first_sent_at": at if status in ("posted", "unknown_outcome", "failed") else None,
                    "remote_id": str(pid) if status == "posted" else None,
                    "remote_url": f"https://social.example/@org/{pid}" if status == "posted" else None,
                    "created_by_id": leads[campaign_org[camp - 1]],
                    "lateness_confirmed": False,
                    "created_at": at - timedelta(days=2),
                    "updated_at": at,
                }
            )
            if status in ("posted", "failed", "unknown_outcome"):
                attempts.append(
                    {
                        "id": len(attempts) + 1,
                        "post_id": pid,
                        "worker_id": "bench",
                        "started_at": at,
                        "finished_at": at + timedelta(seconds=1),
                        "outcome": status,
                        "http_status": 200,
                        "detail": None,
                        "response": None,
                    }
                )
        _bulk(conn, "posts", posts)
        _bulk(conn, "post_attempts", attempts)
        _bulk(
            conn,
            "calendar_feeds",
            (
                {"id": o, "organisation_id": o, "token": f"bench-feed-{o:02d}-{'x' * 20}", "created_at": NOW}
                for o in orgs
            ),
        )
        t = step(f"channels, {len(posts)} posts, attempts", t)

        user_ids = [u["id"] for u in users]
        lead_id = leads[1]
        notes = [(lead_id, i) for i in range(c["lead_notifications"])]
        notes += [(u, i) for u in user_ids if u != lead_id for i in range(c["notifications_per_user"])]
        _bulk(
            conn,
            "notifications",
            (
                {
                    "id": n + 1,
                    "user_id": u,
                    "kind": "review_requested",
                    "params": {"title": f"Message {i}", "actor": "Staff 01", "campaign": "Campaign 001"},
                    "link": f"/review/messages/{i + 1}",
                    "created_at": NOW - timedelta(minutes=i),
                    "read_at": None if i % 50 == 0 else NOW - timedelta(minutes=i - 1),
                }
                for n, (u, i) in enumerate(notes)
            ),
        )
        actions = (
            "message.version_saved",
            "message.submitted",
            "post.published",
            "trend.updated",
            "campaign.updated",
            "auth.signed_in",
        )
        _bulk(
            conn,
            "audit_events",
            (
                {
                    "id": a + 1,
                    "created_at": NOW - timedelta(seconds=a * 40),
                    "actor_id": user_ids[a % len(user_ids)],
                    "organisation_id": 1 + a % c["orgs"],
                    "action": actions[a % len(actions)],
                    "object_type": "message",
                    "object_id": str(1 + a % c["messages"]),
                    "details": {"n": a},
                    "ip": "127.0.0.1",
                }
                for a in range(c["audit"])
            ),
        )
        t = step("notifications and audit events", t)

    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in db.metadata.sorted_tables:
                if "id" in table.c and table.c.id.autoincrement and table.c.id.primary_key:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
        # What autovacuum does on a live database after a bulk load: the statistics, and the visibility
        # map that lets counts read an index alone (a freshly loaded table has none).
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    log(f"   total {time.perf_counter() - t0:.0f} s")


def default_sqlite_path() -> Path:
    return Path(os.environ.get("BENCH_DIR", "instance/bench")).resolve() / "scale.sqlite"


if __name__ == "__main__":  # pragma: no cover -- manual seeding
    from app import create_app

    with create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True}).app_context():
        path = default_sqlite_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        print(ensure(f"sqlite:///{path}", scale=float(os.environ.get("BENCH_SCALE", "1"))))
