"""Start the real app under gunicorn in a subprocess (tests and benchmarks use it)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from webapp.devtools.redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def start_gunicorn(
    env: dict[str, str], workers: int = 4, threads: int = 8, app: str = "wsgi:app"
) -> tuple[subprocess.Popen, str]:
    """Run gunicorn (gthread workers) on a free loopback port; returns (process, base URL)."""
    port = free_port()
    env = {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **env}
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "python:webapp.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--backlog",
        "4096",
        "--timeout",
        "120",
        "--keep-alive",
        "120",
        "--log-level",
        "warning",
        app,
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    return proc, wait_until_serving(proc, port, "gunicorn")


def start_granian(
    env: dict[str, str], workers: int = 2, threads: int = 8, app: str = "wsgi:app"
) -> tuple[subprocess.Popen, str]:
    """Run granian (WSGI, `threads` blocking threads per worker) on a free loopback port;
    returns (process, base URL)."""
    port = free_port()
    env = {"PUBLIC_BASE_URL": f"http://127.0.0.1:{port}", **env}
    cmd = [
        sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--blocking-threads", str(threads),
        "--backlog", "4096", "--http", "1", "--log-level", "warning", "--no-access-log", app,
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    return proc, wait_until_serving(proc, port, "granian")


def wait_until_serving(proc: subprocess.Popen, port: int, name: str) -> str:
    """The base URL once the server answers; the server is stopped if it never does."""
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(f"{url}/api/v1/events", timeout=5)
            return url
        except requests.RequestException:  # not listening yet, or a slow first request
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"{name} did not start") from None
            time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    """Stop a server process and wait for it."""
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
