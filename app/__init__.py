"""Counterpoint: counter-narrative campaign planning for coalitions of NGOs."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_login import current_user

from app import models  # noqa: F401  (every model, so Alembic and create_all see them)
from app.accounts import views as accounts_views
from app.accounts.guard import enforce_mfa_requirement
from app.accounts.services import load_session_user
from app.admin import audit as admin_audit
from app.admin import views as admin_views
from app.api import admin as api_admin
from app.api import views as api_views
from app.api.cli import api_token_cli
from app.api.problems import register_problem_handlers
from app.campaigns import views as campaigns_views
from app.channels import views as channels_views
from app.channels.cli import rotate_keys_command
from app.checks.messages import finding_text
from app.cli import create_user_command, dispatch_command, seed_demo_command, worker_command
from app.common import bounds, labels
from app.common.time import localtime
from app.config import LANGUAGES, load_config, require_compiled_catalogues
from app.drafting import views as drafting_views
from app.extensions import babel, csrf, db, limiter, login_manager, migrate
from app.outcomes import views as outcomes_views
from app.publishing import devsink
from app.publishing import views as publishing_views
from app.publishing.context import post_status_badge
from app.review import views as review_views
from app.trends import views as trends_views
from app.trends.cli import trends_cli
from app.web import logredact
from app.web import views as web_views
from app.web.errors import register_error_pages
from app.web.input_guard import guard_form_input
from app.web.security import apply_security_headers, enforce_idle_timeout
from app.web.templating import template_context

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application; starts no threads (the worker is its own process)."""
    instance_path = (test_config or {}).get("INSTANCE_PATH") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    bounds.install(app)
    load_config(app, test_config)
    register_url_converters(app)
    require_compiled_catalogues(app, ROOT / "app" / "translations")
    trust_proxies(app)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_helpers(app)
    if app.config.get("COUNTERPOINT_ENV") == "development" and app.config.get("COUNTERPOINT_DEV_WEBHOOK_SINK"):
        devsink.register(app)  # the demo's webhook receiver: development only, and only when asked for
    return app


def trust_proxies(app: Flask) -> None:
    """Behind a TLS-terminating proxy: take the client address and https from its headers."""
    hops = int(app.config.get("COUNTERPOINT_TRUSTED_PROXIES") or 0)
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]


def register_extensions(app: Flask) -> None:
    """Bind the extensions (and, through app.models, every table) to this app."""
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


def register_url_converters(app: Flask) -> None:
    """Bound `<int:…>` to the database's integer range (before any rule is added)."""
    from app.common.converters import DatabaseIntegerConverter

    app.url_map.converters["int"] = DatabaseIntegerConverter


def register_blueprints(app: Flask) -> None:
    """Every page and endpoint of the application, feature by feature."""
    app.register_blueprint(web_views.bp)
    app.register_blueprint(accounts_views.bp)
    app.register_blueprint(trends_views.bp)
    app.register_blueprint(campaigns_views.bp)
    app.register_blueprint(drafting_views.bp)
    app.register_blueprint(review_views.bp)
    app.register_blueprint(channels_views.bp)
    app.register_blueprint(publishing_views.bp)
    app.register_blueprint(outcomes_views.bp)
    app.register_blueprint(api_views.bp)
    app.register_blueprint(api_admin.admin_bp)
    app.register_blueprint(admin_views.bp)
    app.register_blueprint(admin_audit.bp)


def register_security(app: Flask) -> None:
    """Two-step sign-in where required, the idle timeout, security headers."""
    app.before_request(enforce_mfa_requirement)
    logredact.install()
    app.before_request(guard_form_input)
    app.before_request(enforce_idle_timeout)
    app.after_request(apply_security_headers)


def register_errorhandlers(app: Flask) -> None:
    """Error pages, and RFC 9457 problems for the API."""
    register_problem_handlers(app)
    register_error_pages(app)


def register_commands(app: Flask) -> None:
    """Every `flask` command."""
    for command in (
        seed_demo_command,
        create_user_command,
        worker_command,
        dispatch_command,
        trends_cli,
        api_token_cli,
        rotate_keys_command,
    ):
        app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    """Values and filters every template sees."""
    app.context_processor(template_context)
    app.jinja_env.filters["finding_text"] = finding_text
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["post_status_badge"] = post_status_badge
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
