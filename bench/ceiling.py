"""Throughput ceiling: what each endpoint costs next to a trivial Flask endpoint.

    python -m bench.ceiling [--requests 2000] [--concurrency 16] [--database-url URL]

One run, one gunicorn: the trivial endpoint first (the ceiling of this stack),
then POST a single-seat hold, the seat map as JSON for a 1,000-seat event, and
the seat map page for the 20,000-seat arena. Also counts Redis round trips per hold.
"""

from __future__ import annotations

import argparse
import itertools

from bench.load import run_load
from bench.rush import make_event
from bench.stack import stack
from bench.stats import emit, machine, print_table
from webapp.booking.inventory import event_seats
from webapp.booking.layout import create_event
from webapp.booking.models import utcnow
from webapp.extensions import db
from webapp.seed import arena_layout


def redis_round_trips_per_hold(app, event_id: int, seat_ids: list[int], n: int = 150) -> dict:
    """Hold n single seats in-process and count what the Redis client sends."""
    from redis.connection import Connection

    from webapp.booking import hold_seats

    sent = {"n": 0}
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent["n"] += 1  # one send = one round trip (a pipeline is one send)
        return original(self, command, check_health)

    results = {}
    for fallback in (False, True):
        app.config["EXPIRY_FALLBACK"] = fallback
        if not fallback:
            hook = app.extensions.pop("holdfast_schedule_expiry", None)
        else:
            app.extensions["holdfast_schedule_expiry"] = hook
        sent["n"] = 0
        Connection.send_packed_command = counting
        try:
            for i in range(n):
                hold_seats(event_id, f"rt-{fallback}-{i}", [seat_ids.pop()])
        finally:
            Connection.send_packed_command = original
        results["with_fallback_job" if fallback else "hold_only"] = sent["n"] / n
    return results


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    with stack(
        args.database_url, args.workers, args.threads, extra_env={"EXPIRY_FALLBACK": "1"}
    ) as (app, base, _env):
        small = make_event(1000)
        arena = create_event(
            "Holdfast Arena", "Arena", utcnow(), arena_layout(), no_orphans=False
        ).id
        hold_event = make_event(max(args.requests + 400, 1000))
        ids = [s.id for s in event_seats(db.session, hold_event)]
        seat_iter = itertools.count()
        print(
            f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); "
            f"database: {db.engine.dialect.name}; {args.requests} requests per endpoint, "
            f"{args.concurrency} clients"
        )
        cases = [
            ("trivial GET /bench/ping", lambda s, i: s.get(f"{base}/bench/ping"), 0, args.requests),
            (
                "POST /api/v1/events/{id}/holds (1 seat)",
                lambda s, i: s.post(
                    f"{base}/api/v1/events/{hold_event}/holds",
                    json={"seat_ids": [ids[next(seat_iter)]]},
                ),
                8,
                args.requests,
            ),
            (
                "GET seat map JSON, 1,000 seats",
                lambda s, i: s.get(f"{base}/api/v1/events/{small}/seats"),
                0,
                args.requests,
            ),
            (
                "GET seat map HTML, 20,000-seat arena",
                lambda s, i: s.get(f"{base}/events/{arena}"),
                0,
                max(20, args.requests // 20),
            ),
        ]
        rows = []
        for name, fn, every, total in cases:
            result = run_load(fn, total, args.concurrency, session_every=every)
            rows.append({"endpoint": name, **result})
        trips = redis_round_trips_per_hold(app, hold_event, ids[args.requests + 1 :])
    ceiling = rows[0]["rps"]
    for row in rows:
        row["vs_trivial"] = row["rps"] / ceiling
        emit({"bench": "ceiling", **{k: v for k, v in row.items()}, **machine()})
    print_table(
        "Throughput ceiling",
        rows,
        ["endpoint", "requests", "rps", "p50_ms", "p99_ms", "vs_trivial", "statuses"],
    )
    print(
        f"Redis round trips per hold: {trips['hold_only']:.2f} (the hold itself), "
        f"{trips['with_fallback_job']:.2f} with the rq-scheduler fallback job"
    )
    emit({"bench": "ceiling", "redis_round_trips_per_hold": trips})
    return rows


if __name__ == "__main__":
    main()
