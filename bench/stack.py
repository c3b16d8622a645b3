"""A throwaway Holdfast stack for one benchmark run: Redis, a database, gunicorn."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import psycopg
from flask_migrate import upgrade

from webapp import create_app
from webapp.devtools.redis_server import start_redis
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db


@contextmanager
def database(url: str | None):
    """A fresh migrated database: a temporary SQLite file, or a new PostgreSQL database
    created next to the one `url` names (dropped afterwards)."""
    tmp = Path(tempfile.mkdtemp(prefix="holdfast-bench-"))
    if not url or url.startswith("sqlite"):
        yield f"sqlite:///{tmp / 'bench.sqlite3'}", tmp
        shutil.rmtree(tmp, ignore_errors=True)
        return
    name = f"holdfast_bench_{uuid.uuid4().hex[:8]}"
    admin = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.rsplit("/", 1)[0] + "/" + name, tmp
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def stack(
    database_url: str | None = None,
    workers: int = 4,
    threads: int = 8,
    extra_env: dict | None = None,
    with_process: bool = False,
):
    """Yield (app, base_url, env) with Redis, a migrated database and gunicorn running;
    with `with_process`, gunicorn's master process comes fourth (for CPU figures)."""
    with database(database_url) as (db_url, tmp):
        redis_proc, redis_url = start_redis(tmp / "redis")
        env = {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench",
            "PAYMENT_WEBHOOK_SECRET": "bench",
            "RATELIMIT_ENABLED": "0",
            "TEST_PAYMENT_PROVIDER": "1",
            "EXPIRY_FALLBACK": "1",
            "MAX_SEATS_PER_ADDRESS": "0",  # one load-generator address
            "QUEUE_PLACES_PER_ADDRESS": "0",  # its crowd of waiting customers, too
            **(extra_env or {}),
        }
        os.environ.update(env)
        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": redis_url})
        with app.app_context():
            upgrade()
            from bench.strategies.tables import create_tables

            create_tables(db.engine)
        web, url = start_gunicorn(env, workers=workers, threads=threads, app="bench.app:app")
        try:
            with app.app_context():
                yield (app, url, env, web) if with_process else (app, url, env)
        finally:
            stop(web)
            redis_proc.terminate()
            redis_proc.wait(10)
