"""Time the post-level import: parse + plan + write, first run and idempotent re-run.

.venv/bin/python bench/bench_import.py [ROWS]    (SQLite in a temporary file; DATABASE_URL not used)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import make_test_app  # noqa: E402
from tests.trends.test_import import post_export  # noqa: E402


def main(rows_wanted: int) -> None:
    from app.accounts import services as account_services
    from app.extensions import db
    from app.trends import importing

    with tempfile.TemporaryDirectory() as folder:
        app = make_test_app(f"sqlite:///{folder}/bench.db")
        with app.app_context():
            db.create_all()
            org = account_services.create_organisation(name="Bench", slug="bench", actor=None)
            db.session.commit()
            header, *lines = post_export().decode("utf-8-sig").splitlines(keepends=True)
            body = "".join(lines) * max(1, rows_wanted // 200)
            data = (header + body).encode()
            for label in ("first import", "re-import"):
                start = time.perf_counter()
                table = importing.read_table(data, "bench.csv", max_bytes=len(data) + 1)
                mapping = importing.suggest_mapping(table.columns, "post")
                options = importing.ImportOptions(shape="post", mapping=mapping, group_by="narrative")
                plan = importing.plan_import(org, table, options)
                result = importing.apply_import(org, plan, actor=None)
                db.session.commit()
                elapsed = time.perf_counter() - start
                print(
                    f"{label}: {len(table.rows)} rows, {len(plan.error_rows)} bad, {result.created} created, "
                    f"{result.evidence_added} evidence in {elapsed:.2f}s ({len(table.rows) / elapsed:.0f} rows/s)"
                )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
