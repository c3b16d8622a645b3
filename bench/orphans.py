"""What the no-orphan rule costs: time per best-available hold, and seats left unsold.

    python -m bench.orphans [--seats 1000] [--seed 1] [--database-url URL]

Two events with the same layout (rows of 20, an aisle after 10), one with the rule
and one without. Customers with group sizes 1-4 (the same random sequence for both)
take best available in-process until it says sold out. Reported per event: the median
and p99 time of a successful hold, the ratio against the event without the rule
(measured in the same run), and how many seats were still unsold at sell-out.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import datetime

from bench.stack import database
from bench.stats import emit, machine, median, percentile, print_table
from webapp import create_app
from webapp.booking import BookingError, hold_best_available, seat_states
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.devtools.redis_server import start_redis
from webapp.extensions import db


def sell_out(event_id: int, sizes: list[int]) -> dict:
    times, groups = [], 0
    for i, size in enumerate(sizes):
        started = time.perf_counter()
        try:
            hold_best_available(event_id, f"c{i}", size)
        except BookingError as exc:
            if exc.code != "sold_out":
                raise
            if size == 1:
                break  # not even one seat can be sold any more
            continue
        times.append(time.perf_counter() - started)
        groups += 1
    left = sum(1 for s in seat_states(event_id).seats if s.status == "available")
    return {
        "groups": groups,
        "median_ms": median(times) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
        "unsold": left,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seats", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    rows_of = max(1, args.seats // 20)
    layout = [
        SectionLayout("Stalls", [f"R{i}" for i in range(rows_of)], 20, 1000, aisles_after=[10])
    ]
    rng = random.Random(args.seed)
    sizes = [rng.randint(1, 4) for _ in range(args.seats * 2)] + [1] * args.seats
    rows = []
    with database(args.database_url) as (db_url, tmp):
        redis_proc, redis_url = start_redis(tmp / "redis")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": db_url,
                "REDIS_URL": redis_url,
                "EXPIRY_FALLBACK": False,
                "MAX_SEATS_PER_ADDRESS": 0,
            }
        )
        try:
            with app.app_context():
                from flask_migrate import upgrade

                upgrade()
                for rule in (False, True):
                    event = create_event(
                        "Bench", f"rule={rule}", datetime(2031, 1, 1), layout, no_orphans=rule
                    )
                    rows.append(
                        {"no_orphans": rule, "seats": rows_of * 20, **sell_out(event.id, sizes)}
                    )
                db.session.remove()
                db.engine.dispose()
        finally:
            redis_proc.terminate()
            redis_proc.wait(10)
    base = rows[0]["median_ms"] or 1.0
    for row in rows:
        row["median_ratio"] = row["median_ms"] / base
        emit({"bench": "orphans", **row, **machine()})
    print_table(
        "Best available with and without the no-orphan rule (same customers, same run)",
        rows,
        ["no_orphans", "seats", "groups", "median_ms", "p99_ms", "median_ratio", "unsold"],
    )
    return rows


if __name__ == "__main__":
    main()
