"""Counterpoint: counter-narrative campaign planning for coalitions of NGOs."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from app.config import LANGUAGES, load_config
from app.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent

# Feature packages, in navigation order. Each may expose `bp` (a blueprint) and `init_app(app)`
# (CLI commands, navigation entries, demo seeders, health probes): the factory wires them in.
# The factory also imports each package's route modules (ROUTE_MODULES) before registering `bp`;
# a package's __init__ must not import them itself, or importing a model would pull in every view.
FEATURES = (
    "app.core",
    "app.accounts",
    "app.trends",
    "app.campaigns",
    "app.drafting",
    "app.review",
    "app.channels",
    "app.publishing",
    "app.api",
    "app.admin",
    "app.audit",
    "app.dashboard",
)
ROUTE_MODULES = ("views", "api")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; starts no threads (the worker is its own process)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    from app.cli import register_commands
    from app.core.errors import register_errorhandlers

    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (every model, so Alembic and create_all see them)
    from app.accounts.services import load_session_user

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=include_in_migrations,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app, locale_selector=select_locale, default_translation_directories=str(ROOT / "app" / "translations")
    )
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    login_manager.user_loader(load_session_user)


def register_blueprints(app: Flask) -> None:
    for name in FEATURES:
        module = importlib.import_module(name)
        package_dir = Path(module.__file__).parent
        for route_module in ROUTE_MODULES:
            if (package_dir / f"{route_module}.py").exists():
                importlib.import_module(f"{name}.{route_module}")
        if hasattr(module, "bp"):
            app.register_blueprint(module.bp)
        if hasattr(module, "init_app"):
            module.init_app(app)


def register_security(app: Flask) -> None:
    from app.core.security import apply_security_headers, enforce_idle_timeout

    app.before_request(enforce_idle_timeout)
    app.after_request(apply_security_headers)


def register_template_helpers(app: Flask) -> None:
    from app.common import labels
    from app.core.templating import template_context, translated

    app.context_processor(template_context)
    app.jinja_env.filters["translated"] = translated
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["labels"] = labels.labels
    app.jinja_env.filters["audit_details"] = labels.audit_details
    app.jinja_env.filters["when"] = labels.when


def include_in_migrations(obj, name: str | None, type_: str, reflected: bool, compare_to) -> bool:
    """Keep tables we do not own (an APScheduler job store, if ever configured) out of Alembic."""
    return not (type_ == "table" and name is not None and name.startswith("apscheduler"))


def select_locale() -> str:
    """The language chosen in this session, else the person's, else the browser's."""
    if not has_request_context():
        return "en"  # the worker and the CLI write logs and notifications in the default language
    if session.get("language") in LANGUAGES:
        return session["language"]
    if current_user and current_user.is_authenticated and current_user.language in LANGUAGES:
        return current_user.language
    return request.accept_languages.best_match(LANGUAGES) or "en"
