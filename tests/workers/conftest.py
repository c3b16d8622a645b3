"""Real background processes (worker, scheduler, listener) over the test database and Redis."""

from __future__ import annotations

import signal
import time

import pytest

from webapp.devtools.processes import spawn, terminate
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db

WEBHOOK_SECRET = "whsec_test"


@pytest.fixture
def proc_env(database_url, redis_url) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "PAYMENT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "RATELIMIT_ENABLED": "0",
        "PAYMENT_EVENT_STALE_SECONDS": "1",
    }


@pytest.fixture
def app_config() -> dict:
    return {"PAYMENT_WEBHOOK_SECRET": WEBHOOK_SECRET}


@pytest.fixture
def procs(app, proc_env, tmp_path):
    """Factory: procs("listener") starts one; all are stopped after the test."""
    started = []

    def start(kind: str, **env):
        proc = spawn(kind, {**proc_env, **env}, tmp_path / f"{kind}.log")
        started.append(proc)
        return proc

    yield start
    for proc in started:
        terminate(proc)


@pytest.fixture
def web(app, proc_env):
    proc, url = start_gunicorn(proc_env, workers=2, threads=8)
    yield url
    stop(proc)


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    """Poll `predicate` until it returns something truthy; returns it, or fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {predicate.__name__}")


def kill_worker_while_it_waits(app, procs, lock_sql: str, value: str) -> None:
    """Start a worker, SIGKILL it inside its first job (held up on a database lock:
    BEGIN IMMEDIATE on SQLite, `lock_sql` FOR UPDATE with `value` on PostgreSQL), then
    let go of the lock."""
    blocker = db.engine.raw_connection()  # a plain DB-API connection holding a lock
    cursor = blocker.cursor()
    if db.engine.dialect.name == "sqlite":
        cursor.execute("BEGIN IMMEDIATE")  # every writer now waits
    else:
        cursor.execute(lock_sql, (value,))
    worker = procs("worker")
    rq_redis = app.extensions["holdfast_redis"]
    wait_until(lambda: rq_redis.zcard("rq:wip:holdfast") > 0, timeout=15)  # a job started
    terminate(worker, signal.SIGKILL)
    blocker.rollback()
    cursor.close()
    blocker.close()


def wait_for_listener(rds, db_index: int = 0) -> None:
    channel = f"__keyevent@{db_index}__:expired"

    def subscribed():
        return dict(rds.pubsub_numsub(channel)).get(channel, 0) > 0

    wait_until(subscribed, timeout=15)


def wait_for_fallback(rds) -> None:
    """Until an RQ worker and rq-scheduler are both running: a timed test then measures
    the fallback, not how long two Python processes take to start on a busy machine."""
    from rq import Worker

    from webapp.booking.holds.keys import SCHEDULER_HEARTBEAT

    def running():
        return rds.exists(SCHEDULER_HEARTBEAT) and Worker.all(connection=rds)

    wait_until(running, timeout=30)
