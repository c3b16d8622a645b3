"""/healthz: the process answers (no I/O). /readyz: the database, Redis, the expiry
listener and the scheduler, one JSON entry each; 503 when any check fails."""

from __future__ import annotations

import time

from flask import current_app, jsonify
from sqlalchemy import text

from webapp.booking.holds.keys import LISTENER_HEARTBEAT
from webapp.extensions import db, limiter
from webapp.ops import bp
from webapp.queues import scheduler_alive


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """Alive: the process answers; nothing else is asked."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """Ready: every backend and background process this instance relies on is there."""
    checks = {
        "database": _check(_database),
        "redis": _check(_redis),
        "listener": _check(_listener),
        "scheduler": _check(_scheduler),
    }
    ready = all(c["ok"] for c in checks.values())
    response = jsonify(status="ok" if ready else "fail", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


def _check(probe) -> dict:
    started = time.perf_counter()
    try:
        detail = probe()
        ok = detail is None
    except Exception as exc:  # noqa: BLE001  (any failure is the answer: not ready)
        ok, detail = False, f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    entry = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        entry["error"] = detail
    return entry


def _database() -> None:
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.rollback()


def _redis() -> None:
    current_app.extensions["holdfast_redis"].ping()  # holds (may be Redis Cluster)
    current_app.extensions["holdfast_queue"].connection.ping()  # queues and the room


def _listener() -> str | None:
    beat = current_app.extensions["holdfast_redis"].get(LISTENER_HEARTBEAT)
    return None if beat else "no heartbeat from the expiry listener in 30 s"


def _scheduler() -> str | None:
    alive = scheduler_alive(current_app.extensions["holdfast_queue"].connection)
    return None if alive else "no heartbeat from rq-scheduler"
