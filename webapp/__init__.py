"""Holdfast: seat booking that sells every seat exactly once."""

from __future__ import annotations

from pathlib import Path

import redis
from flask import Flask, g, request
from flask_login import current_user
from redis.cluster import RedisCluster
from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.api import bp as api_bp
from webapp.booking import audit
from webapp.booking.holds.holdstore import HoldStore
from webapp.booking.orders.providers import check_settings
from webapp.booking.venues import local_time
from webapp.cardpay import init_cardpay
from webapp.cli import register_commands
from webapp.config import load_config
from webapp.customer import bp as customer_bp
from webapp.database import configure_engine, engine_options
from webapp.errors import register_error_handlers
from webapp.extensions import CONTENT_SECURITY_POLICY, csrf, db, limiter, migrate, talisman
from webapp.ops import bp as ops_bp
from webapp.ops.dashboard import mount_dashboard
from webapp.ops.logs import init_request_ids
from webapp.ops.metrics import init_metrics
from webapp.ops.sentry import init_sentry
from webapp.queues import register_queues
from webapp.staff import bp as staff_bp
from webapp.staff.users import init_login
from webapp.testprovider import bp as testprovider_bp
from webapp.webhooks import bp as webhooks_bp

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(config: dict | None = None) -> Flask:
    """Build the app; `config` overrides environment settings (tests use it)."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        instance_path=str(root / "instance"),
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    check_settings(app.config)  # Stripe asked for without its keys: refuse to start
    local_time.check_default(app.config["TIME_ZONE"])
    if app.config["PROXY_FIX_X_FOR"]:
        # Behind N trusted proxies, take the client address from X-Forwarded-For.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=app.config["PROXY_FIX_X_FOR"]
        )
    init_sentry(app.config["SENTRY_DSN"])
    register_extensions(app)
    register_redis(app)
    register_actor(app)  # before the blueprints' own hooks, which may audit
    register_blueprints(app)
    register_errors(app)
    register_cli(app)
    return app


def register_actor(app: Flask) -> None:
    """Attribute booking changes made during a request to who made the request (audit)."""

    @app.before_request
    def _set_actor():
        if request.blueprint in ("staff", "rq_dashboard") and current_user.is_authenticated:
            actor = f"staff:{current_user.email}"
        elif request.blueprint == "webhooks":
            actor = "webhook"
        else:
            actor = "customer"
        g.actor_token = audit.set_actor(actor)

    @app.teardown_request
    def _reset_actor(_exc):
        token = g.pop("actor_token", None)
        if token is not None:
            audit.reset_actor(token)


def register_extensions(app: Flask) -> None:
    """Database, migrations, CSRF, login and rate limits."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(uri))
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"])
    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR)
    csrf.init_app(app)
    init_login(app)
    limiter.init_app(app)
    talisman.init_app(
        app,
        force_https=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["SESSION_COOKIE_SECURE"],
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
    )


def register_redis(app: Flask) -> None:
    """One Redis client per process, plus the hold scripts registered on it."""
    if app.config["REDIS_CLUSTER_URL"]:
        # Holds on Redis Cluster: every key of an event shares one hash slot, so each
        # Lua script runs on the one primary that owns the event. Queues and rate
        # limits stay on REDIS_URL (RQ does not support Redis Cluster).
        client = RedisCluster.from_url(app.config["REDIS_CLUSTER_URL"], decode_responses=True)
    else:
        client = redis.Redis.from_url(
            app.config["REDIS_URL"], decode_responses=True, health_check_interval=30
        )
    app.extensions["holdfast_redis"] = client
    app.extensions["holdfast_holdstore"] = HoldStore(client)
    register_queues(app)


def register_blueprints(app: Flask) -> None:
    """The customer pages, the API, webhooks, the test provider, staff and operations."""
    app.register_blueprint(customer_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(webhooks_bp, url_prefix="/webhooks")
    app.register_blueprint(testprovider_bp)
    init_cardpay(app)
    app.register_blueprint(staff_bp, url_prefix="/staff")
    app.register_blueprint(ops_bp)
    init_metrics(app)
    init_request_ids(app)
    mount_dashboard(app)


def register_errors(app: Flask) -> None:
    """Refusals and HTTP errors answered as JSON, a fragment or a page."""
    register_error_handlers(app)


def register_cli(app: Flask) -> None:
    """`flask seed-demo`, `flask create-staff`."""
    register_commands(app)
