"""Seat map rendering: server time and HTML size, by venue size.

    python -m bench.seatmap [--runs 5] [--database-url URL]

In-process (Flask test client) so the figure is the server's own time. A
1,000-seat event is the baseline for the 20,000-seat arena in the same run;
also counts SQL queries and Redis round trips per render.
"""

from __future__ import annotations

import argparse
import time

from redis.connection import Connection
from sqlalchemy import event as sa_event

from bench.rush import make_event
from bench.stack import database
from bench.stats import emit, machine, median, print_table
from webapp import create_app
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import create_event
from webapp.devtools.redis_server import start_redis
from webapp.extensions import db
from webapp.seed import arena_layout


def measure(client, url: str, runs: int) -> dict:
    counts = {"sql": 0, "redis": 0}
    original = Connection.send_packed_command

    def count_redis(self, command, check_health=True):
        counts["redis"] += 1
        return original(self, command, check_health)

    def count_sql(*_args, **_kwargs):
        counts["sql"] += 1

    client.get(url, headers={"HX-Request": "true"})  # warm: templates, scripts, layout cache
    times = []
    Connection.send_packed_command = count_redis
    sa_event.listen(db.engine, "before_cursor_execute", count_sql)
    try:
        for _ in range(runs):
            t = time.perf_counter()
            body = client.get(
                url, headers={"HX-Request": "true"} if "/sections/" in url else {}
            ).data
            times.append(time.perf_counter() - t)
    finally:
        Connection.send_packed_command = original
        sa_event.remove(db.engine, "before_cursor_execute", count_sql)
    return {
        "median_ms": median(times) * 1000,
        "html_bytes": len(body),
        "sql_per_render": counts["sql"] / runs,
        "redis_per_render": counts["redis"] / runs,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    with database(args.database_url) as (db_url, tmp):
        redis_proc, redis_url = start_redis(tmp / "redis")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": db_url,
                "REDIS_URL": redis_url,
                "SECRET_KEY": "bench",
                "RATELIMIT_ENABLED": False,
            }
        )
        try:
            with app.app_context():
                from flask_migrate import upgrade

                from bench.strategies.tables import create_tables

                upgrade()
                create_tables(db.engine)
                small = make_event(1000)
                arena = create_event("Holdfast Arena", "Arena", utcnow(), arena_layout()).id
                client = app.test_client()
                rows = [
                    {
                        "page": f"{name} ({seats:,} seats)",
                        "seats": seats,
                        **measure(client, url, args.runs),
                    }
                    for name, seats, url in [
                        ("event page", 1000, f"/events/{small}"),
                        ("arena overview", 20000, f"/events/{arena}"),
                        ("arena one section", 1000, f"/events/{arena}/sections/Block%20A"),
                        ("arena page + section", 20000, f"/events/{arena}?section=Block%20A"),
                        ("seats JSON", 1000, f"/api/v1/events/{small}/seats"),
                        ("seats JSON", 20000, f"/api/v1/events/{arena}/seats"),
                    ]
                ]
                db.session.remove()
                db.engine.dispose()
        finally:
            redis_proc.terminate()
            redis_proc.wait(10)
    base = rows[0]["median_ms"]
    for row in rows:
        row["time_vs_1000_page"] = row["median_ms"] / base
        emit({"bench": "seatmap", **row, **machine()})
    print_table(
        "Seat map rendering (server time, in-process)",
        rows,
        [
            "page",
            "median_ms",
            "html_bytes",
            "sql_per_render",
            "redis_per_render",
            "time_vs_1000_page",
        ],
    )
    return rows


if __name__ == "__main__":
    main()
