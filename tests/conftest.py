"""Shared fixtures: a private Redis server, a migrated database per backend, the app.

Every test that uses `app` runs once on SQLite and, when TEST_DATABASE_URL
points at PostgreSQL, once more there. Redis is a real server started here on a
free port (never a Redis the suite did not start, so flushing it is safe).

Under pytest-xdist (`make test` runs three) every worker is a session of its own:
its own Redis, SQLite file and PostgreSQL database (made beside TEST_DATABASE_URL's
and dropped at the end), so workers never empty each other's tables.
"""

from __future__ import annotations

import os
from pathlib import Path

import psycopg
import pytest
import redis
from flask_migrate import upgrade
from sqlalchemy import make_url, text

from webapp import create_app
from webapp.devtools.redis_server import start_redis
from webapp.extensions import db

pytest_plugins = ["tests.stripe_fake"]  # localstripe and its webhook catcher

DB_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> str:
    proc, url = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """TEST_DATABASE_URL, or under pytest-xdist a database of this worker's own beside
    it (created now, dropped when the worker's session ends)."""
    url = make_url(os.environ["TEST_DATABASE_URL"])
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url.render_as_string(hide_password=False)
        return
    name = f"{url.database}_{worker}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)

    def run(sql: str) -> None:
        with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql)

    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    run(f'CREATE DATABASE "{name}"')
    yield url.set(database=name).render_as_string(hide_password=False)
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=DB_BACKENDS)
def database_url(request, tmp_path_factory, redis_url) -> str:
    """A database migrated to head with Flask-Migrate, once per backend per session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_url")
    app = create_app(base_config(url, redis_url))
    with app.app_context():
        if request.param == "postgresql":
            db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.session.commit()
        upgrade()
        db.session.remove()  # give back the connection, or dispose() cannot close it
        db.engine.dispose()
    return url


def base_config(database_url: str, redis_url: str, **extra) -> dict:
    """App settings for tests."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "TEST_PAYMENT_PROVIDER": True,
        # Times read and shown as UTC, unless a test gives a venue its zone (the
        # product's default, Europe/London, has tests of its own: test_time_zones.py).
        "TIME_ZONE": "UTC",
        **extra,
    }


def clean_database() -> None:
    """Empty every table, children first; cached layouts go with them."""
    from webapp.booking import forget_cached

    forget_cached()
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config() -> dict:
    """Per-test overrides; a test module may override this fixture."""
    return {}


@pytest.fixture
def app(database_url, redis_url, app_config):
    app = create_app(base_config(database_url, redis_url, **app_config))
    redis.Redis.from_url(redis_url).flushall()
    with app.app_context():
        clean_database()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def rds(app) -> redis.Redis:
    return app.extensions["holdfast_redis"]


@pytest.fixture
def artifacts_dir() -> Path:
    path = Path(__file__).parent / "e2e" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path
