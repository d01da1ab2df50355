"""Production start-up: no compiled translations, no start; the proxy's headers are believed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from app.config import ConfigurationError

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


def production_config(tmp_path: Path, **extra) -> dict:
    return {
        "INSTANCE_PATH": str(tmp_path),
        "SQLALCHEMY_DATABASE_URI": "sqlite://",
        "COUNTERPOINT_ENV": "production",
        "SECRET_KEY": "x" * 48,
        "COUNTERPOINT_ENCRYPTION_KEYS": "Qf3kZ1QeVYqOVtQn3mFGm0V1b1ZQ2JwW4dGkqkS6m8k=",
        **extra,
    }


def copy_sources(tmp_path: Path) -> Path:
    target = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, target, ignore=shutil.ignore_patterns("*.mo"))
    return target


def test_production_refuses_to_start_without_compiled_translations(tmp_path):
    directory = copy_sources(tmp_path)
    with pytest.raises(ConfigurationError, match="pybabel compile"):
        create_app(production_config(tmp_path, COUNTERPOINT_TRANSLATIONS_DIR=str(directory)))


def test_production_refuses_catalogues_older_than_their_source(tmp_path):
    directory = copy_sources(tmp_path)
    source = next(directory.glob("fr/LC_MESSAGES/messages.po"))
    compiled = source.with_suffix(".mo")
    compiled.write_bytes(b"")
    os.utime(compiled, (source.stat().st_mtime - 60, source.stat().st_mtime - 60))
    with pytest.raises(ConfigurationError, match="out of date"):
        create_app(production_config(tmp_path, COUNTERPOINT_TRANSLATIONS_DIR=str(directory)))


def test_development_starts_without_them(tmp_path):
    directory = copy_sources(tmp_path)
    config = production_config(tmp_path, COUNTERPOINT_TRANSLATIONS_DIR=str(directory))
    config["COUNTERPOINT_ENV"] = "development"
    assert create_app(config)


def test_production_believes_one_proxy_for_the_address_and_https(tmp_path):
    app = create_app(production_config(tmp_path))
    seen = {}

    @app.get("/_probe")
    def probe():
        from flask import request

        seen.update(addr=request.remote_addr, secure=request.is_secure)
        return "ok"

    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5", "X-Forwarded-Proto": "https"}
    app.test_client().get("/_probe", headers=headers)
    assert seen == {"addr": "203.0.113.5", "secure": True}  # only the last hop, the proxy's own


def test_the_served_app_keeps_what_start_up_loaded_out_of_full_collections(tmp_path):
    """wsgi.py freezes the start-up objects: a full garbage collection in a request walks only what
    requests made (without it, an 80–120 ms pause at coalition scale)."""
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'app.sqlite'}",
        "SECRET_KEY": "x" * 48,
        "COUNTERPOINT_ENCRYPTION_KEYS": "Qf3kZ1QeVYqOVtQn3mFGm0V1b1ZQ2JwW4dGkqkS6m8k=",
    }
    frozen = subprocess.run(  # nosec B603 -- this interpreter, fixed code
        [sys.executable, "-c", "import gc, wsgi; print(gc.get_freeze_count())"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    assert int(frozen) > 10_000
