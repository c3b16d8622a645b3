"""Expiry: from a hold's deadline to its seats being announced free again, per path.

    python -m bench.expiry --holds 5000 [--database-url URL]

Path "listener": the expiry listener reacts to Redis expired-key events (and checks
the due sets four times a second, as Redis reports lapsed keys late in a storm).
Path "fallback": no listener; rq-scheduler runs the due-set job every second, which
ends the holds past deadline + grace with one RQ worker.
Holds (one seat each, best available, the no-orphan rule on) are taken in-process at
--rate a second (1,000 by default) with a TTL just long enough to create them all, so
they lapse at that rate and their deadlines are natural.
A subscriber on each event's channel timestamps the release announcements (what updates
every customer's map).
"""

from __future__ import annotations

import argparse
import threading
import time

import redis

from bench.rush import make_event
from bench.stack import database
from bench.stats import emit, machine, median, percentile, print_table
from webapp import create_app
from webapp.booking import hold_best_available
from webapp.booking.holds import keys
from webapp.booking.venues.inventory import event_seats
from webapp.devtools.processes import spawn, terminate
from webapp.devtools.redis_server import start_redis
from webapp.extensions import db

GRACE = 2


def collect(redis_url: str, channel: str, want: set[int], seen: dict, stop: threading.Event):
    """Record when each seat is announced released: its second announcement (the first
    is the hold being taken)."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    announced: dict[int, int] = {}
    while not stop.is_set() and want - set(seen):
        message = pubsub.get_message(timeout=0.5)
        if message:
            now = time.time()
            for seat in message["data"].split(":", 1)[1].split(","):
                if seat and int(seat) in want:
                    announced[int(seat)] = announced.get(int(seat), 0) + 1
                    if announced[int(seat)] == 2:
                        seen[int(seat)] = now
    pubsub.close()


def run_path(app, env: dict, path: str, n: int, rate: int) -> dict:
    # The no-orphan rule on, as venues get it: each hold is one seat by best available,
    # which the rule steers, so all n seats are held whatever order it picks them in.
    event_id = make_event(n)
    ids = [s.id for s in event_seats(db.session, event_id)]
    probed: set[int] = set()
    started = time.perf_counter()
    for i in range(min(50, n)):  # estimate the rate to pick a TTL that outlives creation
        probed.update(hold_best_available(event_id, f"probe-{i}", 1).seat_ids)
    per_hold = max((time.perf_counter() - started) / min(50, n), 1 / rate)
    app.config["HOLD_TTL_SECONDS"] = int(per_hold * n * 1.3) + 3
    app.config["HOLD_GRACE_SECONDS"] = GRACE
    procs = (
        [spawn("listener", env)]
        if path == "listener"
        else [spawn("worker", env), spawn("scheduler", env)]
    )
    time.sleep(2)  # let them subscribe / register
    seen: dict[int, float] = {}
    stop = threading.Event()
    want = set(ids) - probed
    collector = threading.Thread(
        target=collect, args=(env["REDIS_URL"], keys.channel(event_id), want, seen, stop)
    )
    collector.start()
    probe = redis.Redis.from_url(env["REDIS_URL"])
    while not dict(probe.pubsub_numsub(keys.channel(event_id))).get(
        keys.channel(event_id).encode()
    ):
        time.sleep(0.01)  # subscribed before the first hold, so no announcement is missed
    deadlines = {}
    began = time.perf_counter()
    for i in range(len(want)):
        ahead = began + i / rate - time.perf_counter()
        if ahead > 0:
            time.sleep(ahead)  # taken at `rate` a second, so they lapse at that rate
        hold = hold_best_available(event_id, f"c-{path}-{i}", 1)
        deadlines[hold.seat_ids[0]] = _epoch(hold.expires_at)
    taken_at = len(deadlines) / (time.perf_counter() - began)
    collector.join(timeout=app.config["HOLD_TTL_SECONDS"] + GRACE + 60)
    stop.set()
    collector.join()
    for p in procs:
        terminate(p)
    delays = [seen[s] - deadlines[s] for s in deadlines if s in seen]
    return {
        "path": path,
        "holds": len(deadlines),
        "lapse_rate_per_s": taken_at,
        "released": len(delays),
        "median_s": median(delays),
        "p99_s": percentile(delays, 99),
        "max_s": max(delays) if delays else 0.0,
    }


def _epoch(naive_utc) -> float:
    from datetime import UTC

    return naive_utc.replace(tzinfo=UTC).timestamp()


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--holds", type=int, default=5000)
    parser.add_argument("--rate", type=int, default=1000, help="holds lapsing per second")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    rows = []
    with database(args.database_url) as (db_url, tmp):
        redis_proc, redis_url = start_redis(tmp / "redis")
        env = {
            "DATABASE_URL": db_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": "bench",
            "HOLD_GRACE_SECONDS": str(GRACE),
        }
        app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "REDIS_URL": redis_url})
        try:
            with app.app_context():
                from flask_migrate import upgrade

                from bench.strategies.tables import create_tables

                upgrade()
                create_tables(db.engine)
                for path in ("listener", "fallback"):
                    rows.append(run_path(app, env, path, args.holds + 50, args.rate))
                db.session.remove()
                db.engine.dispose()
        finally:
            redis_proc.terminate()
            redis_proc.wait(10)
    for row in rows:
        emit({"bench": "expiry", "grace_s": GRACE, **row, **machine()})
    print_table(
        f"Deadline to release announced (grace {GRACE} s for the fallback)",
        rows,
        ["path", "holds", "lapse_rate_per_s", "released", "median_s", "p99_s", "max_s"],
    )
    return rows


if __name__ == "__main__":
    main()
