"""WSGI entry point: `gunicorn wsgi:app`, and `flask --app wsgi ...` for the CLI."""

import gc

from app import create_app

app = create_app()

# What start-up loaded (modules, models, routes, the SQL and template machinery) lives as long as the
# process. Frozen, the garbage collector's full collections no longer walk it: at coalition scale such a
# collection used to land in a request as an 80–120 ms pause (BENCHMARKS.md, calendar month p95).
gc.freeze()
