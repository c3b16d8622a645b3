"""Release lapsed holds the moment Redis expires their timer key.

Subscribes to `__keyevent@<db>__:expired` on every Redis primary (one
connection per primary on Redis Cluster, where keyspace events stay on the
node). A hold's timer key is named
`hf:{evt:<event>}:hold:<hold id>`, so the key name alone says which hold ended
(the value is already gone when the event fires). Notifications are fire-and-
forget: while this process is down they are lost, which is why every hold also
has a delayed fallback job and the worker runs a periodic sweep. After every
(re)connect this listener runs a sweep itself to catch what it missed. Expired keys
are handled in batches, and four times a second it also ends holds past their
deadline in the events' due sets: Redis reports lapsed keys only when its sampling
finds them, which in a storm of thousands lags by seconds.

Run: `python -m workers.expiry_listener`.
"""

from __future__ import annotations

import logging
import os
import time

import redis
from flask import Flask
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from webapp import booking, create_app
from webapp.booking.audit import acting_as
from webapp.booking.holds import keys
from webapp.booking.orders.expiry import LISTENER_DUE_LOCK_KEY
from webapp.ops.logs import configure_logging

log = logging.getLogger("holdfast.expiry_listener")
HEARTBEAT_KEY = keys.LISTENER_HEARTBEAT


def enable_notifications(client: redis.Redis) -> bool:
    """Turn on expired-key events; False (with a warning) where CONFIG is not allowed."""
    try:
        flags = client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
        if "E" not in flags or ("x" not in flags and "A" not in flags):
            client.config_set("notify-keyspace-events", flags + "Ex")
        return True
    except redis.ResponseError as exc:
        log.warning(
            "cannot enable keyspace notifications (%s); holds will be released "
            "by the fallback jobs and the sweep only",
            exc,
        )
        return False


BATCH = 1000  # expired keys handled together: a storm costs a few round trips per batch


def handle(app: Flask, expired: list[str]) -> dict[str, str]:
    """Expire the holds whose timer keys just expired (other keys are ignored), in one
    batch; returns each hold's outcome."""
    hold_ids = [parsed[1] for parsed in map(keys.parse_timer, expired) if parsed]
    if not hold_ids:
        return {}
    with app.app_context(), acting_as("expiry listener"):
        try:
            return booking.expire_holds(hold_ids, "listener")
        finally:
            from webapp.extensions import db

            db.session.remove()


def _summary(outcomes: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome] = counts.get(outcome, 0) + 1
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))


DUE_CHECK_SECONDS = 0.25


def release_due(app: Flask) -> None:
    """End holds past their deadline even before Redis reports their keys expired:
    Redis finds lapsed keys by sampling, which lags by seconds in a storm."""
    with app.app_context(), acting_as("expiry listener"):
        try:
            ended = booking.release_due(
                grace_seconds=0, lock=LISTENER_DUE_LOCK_KEY, path="listener"
            )
            if ended:
                log.info("due sets: %d holds ended", ended)
        finally:
            from webapp.extensions import db

            db.session.remove()


def sweep(app: Flask) -> None:
    with app.app_context(), acting_as("expiry listener (sweep)"):
        expired = booking.sweep_expired()
        if expired:
            log.info("sweep expired %d pending bookings", expired)


def primaries(app: Flask) -> list[redis.Redis]:
    """One plain connection per Redis primary: keyspace events are local to each node."""
    cluster_url = app.config["REDIS_CLUSTER_URL"]
    if not cluster_url:
        return [
            redis.Redis.from_url(
                app.config["REDIS_URL"], decode_responses=True, health_check_interval=10
            )
        ]
    cluster = RedisCluster.from_url(cluster_url, decode_responses=True)
    return [
        redis.Redis(host=node.host, port=node.port, decode_responses=True, health_check_interval=10)
        for node in cluster.get_primaries()
    ]


def subscribe(client: redis.Redis):
    enable_notifications(client)
    db_index = client.connection_pool.connection_kwargs.get("db", 0)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(f"__keyevent@{db_index}__:expired")
    return pubsub


REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, RedisClusterException)


def guarded(step, *args):
    """Run one step; an error that is not Redis's (the database locked or down, a bug in
    one hold) is logged and the listener goes on: the holds it was ending stay in their
    due sets, so the next due check or the fallback job ends them. Redis errors go up,
    to reconnect."""
    try:
        return step(*args)
    except REDIS_ERRORS:
        raise
    except Exception:
        log.exception("%s failed; carrying on (the due sets keep what it missed)", step.__name__)
        time.sleep(DUE_CHECK_SECONDS)
        return None


def listen(app: Flask, clients: list[redis.Redis]) -> None:
    """Subscribe on every primary and handle events until a connection drops."""
    pubsubs = [subscribe(client) for client in clients]
    log.info(
        "listening for expired holds on %d primar%s",
        len(pubsubs),
        "y" if len(pubsubs) == 1 else "ies",
    )
    guarded(sweep, app)  # catch up on whatever expired while we were not listening
    last_beat = last_due = 0.0
    wait = DUE_CHECK_SECONDS if len(pubsubs) == 1 else 0.02
    while True:
        for pubsub in pubsubs:
            message = pubsub.get_message(timeout=wait)
            while message is not None:
                expired = []  # everything already here, so a storm is handled in batches
                while message is not None and len(expired) < BATCH:
                    expired.append(message["data"])
                    message = pubsub.get_message(timeout=0)
                outcomes = guarded(handle, app, expired)
                if outcomes:
                    log.info("%d expired keys: %s", len(expired), _summary(outcomes))
        if time.monotonic() - last_due >= DUE_CHECK_SECONDS:
            guarded(release_due, app)
            last_due = time.monotonic()
        if time.monotonic() - last_beat > 5:
            app.extensions["holdfast_redis"].set(HEARTBEAT_KEY, int(time.time()), ex=30)
            last_beat = time.monotonic()


def main() -> None:
    configure_logging(os.environ.get("LOG_FORMAT", "text"), "listener")
    app = create_app()
    backoff = 0.5
    while True:  # reconnects after any error, backing off from 0.5 s to 2 s
        try:
            clients = primaries(app)
            backoff = 0.5  # connected again
            listen(app, clients)
        except REDIS_ERRORS as exc:
            log.warning("lost Redis (%s); reconnecting in %.1fs", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 2)
        except Exception:  # never die: honcho would stop the whole stack
            log.exception("listener failed; starting again in %.1fs", backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 2)


if __name__ == "__main__":
    main()
