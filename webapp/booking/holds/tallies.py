"""Expiry lag (a hold's deadline to its release) kept in Redis, for /metrics.

The expiry listener, the fallback job and the sweep release holds in the listener and
the RQ worker, not in the web processes that answer /metrics, and those may run on
other machines. A Redis hash per path sums them across every process and machine that
shares the Redis, with no exporter per process; /metrics reads it back as a histogram.
"""

from __future__ import annotations

import logging

import redis as redis_lib

from webapp.booking.context import redis

log = logging.getLogger(__name__)

KEY = "hf:metrics:expiry-lag:"
PATHS = ("listener", "fallback", "sweep")
# Seconds. The listener should release within a second; the fallback within grace + 1 s.
BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def bucket(seconds: float) -> str:
    """The smallest bucket bound holding `seconds` ("+Inf" beyond the last)."""
    return next((str(b) for b in BUCKETS if seconds <= b), "+Inf")


def record_lag(path: str, lags_seconds: list[float]) -> None:
    """Count each released hold's lag under `path`, in one round trip. Never raises:
    the hold is released already, and a lost count must not undo that."""
    if not lags_seconds:
        return
    key = KEY + path
    pipe = redis().pipeline(transaction=False)
    for lag in lags_seconds:
        pipe.hincrby(key, bucket(max(lag, 0.0)), 1)
    pipe.hincrbyfloat(key, "sum", sum(max(lag, 0.0) for lag in lags_seconds))
    pipe.hincrby(key, "count", len(lags_seconds))
    try:
        pipe.execute()
    except redis_lib.RedisError as exc:
        log.warning("expiry lag not counted: %s", exc)


def read_lag() -> dict[str, dict]:
    """Per path: cumulative bucket counts [(bound, count)], sum and count."""
    pipe = redis().pipeline(transaction=False)
    for path in PATHS:
        pipe.hgetall(KEY + path)
    found = {}
    for path, raw in zip(PATHS, pipe.execute(), strict=True):
        running, buckets = 0, []
        for bound in (*map(str, BUCKETS), "+Inf"):
            running += int(raw.get(bound, 0))
            buckets.append((bound, running))
        found[path] = {"buckets": buckets, "sum": float(raw.get("sum", 0)), "count": running}
    return found
