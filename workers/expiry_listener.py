"""Release lapsed holds the moment Redis expires their timer key.

Subscribes to `__keyevent@<db>__:expired`. A hold's timer key is named
`hf:{evt:<event>}:hold:<hold id>`, so the key name alone says which hold ended
(the value is already gone when the event fires). Notifications are fire-and-
forget: while this process is down they are lost, which is why every hold also
has a delayed fallback job and the worker runs a periodic sweep. After every
(re)connect this listener runs a sweep itself to catch what it missed.

Run: `python -m workers.expiry_listener`.
"""

from __future__ import annotations

import logging
import time

import redis
from flask import Flask

from webapp import booking, create_app
from webapp.booking import keys
from webapp.booking.audit import acting_as

log = logging.getLogger("holdfast.expiry_listener")
HEARTBEAT_KEY = "hf:listener:heartbeat"


def enable_notifications(client: redis.Redis) -> bool:
    """Turn on expired-key events; False (with a warning) where CONFIG is not allowed."""
    try:
        flags = client.config_get("notify-keyspace-events").get("notify-keyspace-events", "")
        if "E" not in flags or ("x" not in flags and "A" not in flags):
            client.config_set("notify-keyspace-events", flags + "Ex")
        return True
    except redis.ResponseError as exc:
        log.warning("cannot enable keyspace notifications (%s); holds will be released "
                    "by the fallback jobs and the sweep only", exc)
        return False


def handle(app: Flask, key: str) -> str | None:
    """Expire the hold whose timer `key` just expired; other keys are ignored."""
    parsed = keys.parse_timer(key)
    if parsed is None:
        return None
    with app.app_context(), acting_as("expiry listener"):
        try:
            return booking.expire_hold(parsed[1])
        finally:
            from webapp.extensions import db

            db.session.remove()


def sweep(app: Flask) -> None:
    with app.app_context(), acting_as("expiry listener (sweep)"):
        expired = booking.sweep_expired()
        if expired:
            log.info("sweep expired %d pending bookings", expired)


def listen(app: Flask, client: redis.Redis) -> None:
    """Subscribe and handle events until the connection drops."""
    db_index = client.connection_pool.connection_kwargs.get("db", 0)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(f"__keyevent@{db_index}__:expired")
    log.info("listening for expired holds on db %s", db_index)
    sweep(app)  # catch up on whatever expired while we were not listening
    last_beat = 0.0
    while True:
        message = pubsub.get_message(timeout=1.0)
        if message is not None:
            outcome = handle(app, message["data"])
            if outcome is not None:
                log.info("%s: %s", message["data"], outcome)
        if time.monotonic() - last_beat > 5:
            client.set(HEARTBEAT_KEY, int(time.time()), ex=30)
            last_beat = time.monotonic()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s listener %(message)s")
    app = create_app()
    client = redis.Redis.from_url(app.config["REDIS_URL"], decode_responses=True,
                                  health_check_interval=10)
    backoff = 0.5
    while True:
        try:
            enable_notifications(client)
            backoff = 0.5  # connected again
            listen(app, client)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("lost Redis (%s); reconnecting in %.1fs", exc, backoff)
            time.sleep(backoff)
            backoff = min(backoff * 2, 10)


if __name__ == "__main__":
    main()
