"""The whole stack as `make run` starts it (web, worker, scheduler, listener from the
Procfile, under honcho), on a throwaway Redis and database, for one benchmark run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import requests

from bench.stack import database
from webapp import create_app
from webapp.devtools.redis_server import free_port, start_redis
from webapp.extensions import db

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The app with the benchmarks' trivial route, served by the Procfile's gunicorn; rate
# limits and the per-address seat cap off (every request comes from one address).
STACK_ENV = {
    "WSGI_APP": "bench.app:app",
    "RATELIMIT_ENABLED": "0",
    "MAX_SEATS_PER_ADDRESS": "0",
    "SECRET_KEY": "bench",
}


@contextmanager
def in_app(env: dict):
    """An app context on the stack's database and Redis, for setting up events. This
    process's caches of layouts and settings are emptied first: a fresh database
    reuses event ids an earlier stack of the same run had."""
    from webapp.booking import forget_cached

    forget_cached()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": env["DATABASE_URL"], "REDIS_URL": env["REDIS_URL"]}
    )
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def flask(*args: str, env: dict) -> str:
    """Run a `flask --app webapp` command as `make run` does; returns its output."""
    cmd = [str(BIN / "flask"), "--app", "webapp", *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout


@contextmanager
def make_run_stack(
    database_url: str | None, extra_env: dict | None = None, seed: tuple | None = None
):
    """Yield (base_url, env, honcho process) with every Procfile process running.

    `seed` is the arguments of `flask seed-demo` (e.g. ("--arena",)); nothing is seeded
    when None. Stopping sends SIGTERM to honcho, which stops every process it started.
    """
    with database(database_url) as (db_url, tmp):
        redis_proc, redis_url = start_redis(tmp / "redis")
        port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "PORT": str(port),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "TEST_PAYMENT_PROVIDER": "1",
            "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            **(extra_env or {}),
        }
        honcho = None
        try:
            flask("db", "upgrade", env=env)
            if seed is not None:
                flask("seed-demo", *seed, env=env)
            honcho = subprocess.Popen(
                [str(BIN / "honcho"), "start", "-f", str(ROOT / "Procfile")],
                cwd=ROOT,
                env=env,
                stdout=open(tmp / "honcho.log", "wb"),  # noqa: SIM115 (the child keeps it)
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, honcho)
            yield url, env, honcho
        finally:
            if honcho is not None:
                stop_group(honcho)
            redis_proc.terminate()
            redis_proc.wait(10)


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if requests.get(f"{url}/healthz", timeout=5).ok:
                return
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the stack did not start")
        time.sleep(0.2)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM to honcho (it stops its processes); the whole group is killed if not."""
    proc.send_signal(signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        proc.wait(30)
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
