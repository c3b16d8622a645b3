"""The staff overview's live refresh (GET /staff/ with HX-Request, every 2 s on the page)
under `wrk` with 10 events of 20,000 seats, half of each sold and some held, as a ratio
of a trivial route in the same run; and in-process, one refresh's time beside what
reading every seat's state would cost (the overview's old way).

    python -m bench.overview [--events 10] [--seats 20000] [--seconds 5] [--connections 8]

One gunicorn as `make run` starts it (2 gthread workers x 8 threads), SQLite unless
--database-url. A logged-in staff session sends its cookie. Server CPU is read from
/proc for gunicorn's processes and Redis.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from bench.checkin import door_session, sell_seats
from bench.cpu import server_pids
from bench.hotpath import WRK_DONE, measured, wrk
from bench.stack import stack
from bench.stats import emit, machine, print_table
from webapp.booking import hold_seats
from webapp.booking.holds.seatmap import seat_states
from webapp.booking.models import Seat, utcnow
from webapp.booking.reports import reports
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db
from webapp.staff.users import create_staff

WRK_SCRIPT = r"""
-- args: cookie ("-": none), "htmx" or "-"
function init(args)
  cookie, htmx = args[1], args[2]
end
request = function()
  local headers = {}
  if cookie ~= "-" then headers["Cookie"] = cookie end
  if htmx == "htmx" then headers["HX-Request"] = "true" end
  return wrk.format("GET", wrk.path, headers)
end
"""  # ends with bench.hotpath.WRK_DONE


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10)
    parser.add_argument("--seats", type=int, default=20000)
    parser.add_argument("--holds", type=int, default=200, help="live holds per event")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    script = Path(tempfile.mkdtemp(prefix="holdfast-wrk-")) / "overview.lua"
    script.write_text(WRK_SCRIPT + WRK_DONE)
    per_row = 50
    layout = [
        SectionLayout(
            "Floor", [f"R{i}" for i in range(max(1, args.seats // per_row))], per_row, 1000
        )
    ]
    with stack(args.database_url, 2, 8, with_process=True) as (app, base, env, web):
        started = time.monotonic()
        event_ids, sold = [], 0
        for n in range(args.events):
            event = create_event(f"Arena night {n + 1}", "Arena", utcnow(), layout)
            event_ids.append(event.id)
            half = db.session.scalars(
                select(Seat.id).where(Seat.event_id == event.id).order_by(Seat.id)
            ).all()
            sold += len(sell_seats(event.id, half[::2], f"E{event.id}-"))
            free = half[1::2]
            for i in range(args.holds):
                hold_seats(event.id, f"holder-{i}", [free[i]])
        create_staff("door@example.com", "bench-door")
        setup_s = time.monotonic() - started
        # One refresh in process, and what reading every seat's state cost per refresh.
        reports.event_overview()  # warm the caches, as a running server has them
        refresh = _median_ms(reports.event_overview, 10)
        every_seat = _median_ms(lambda: [seat_states(e).counts() for e in event_ids], 3)
        cookie, _ = door_session(base, event_ids[0])
        pids = server_pids(web.pid, env["REDIS_URL"])
        rows = []
        for name, path, wrk_args in (
            ("trivial GET /bench/ping", "/bench/ping", ["-", "-"]),
            ("overview refresh GET /staff/ (HTMX)", "/staff/", [cookie, "htmx"]),
        ):
            wrk(base + "/bench/ping", 2, args.connections, ["-", "-"], script)  # warm-up
            rows.append(
                measured(name, base + path, args.seconds, args.connections, wrk_args, script, pids)
            )
        dialect = db.engine.dialect.name
    for row in rows:
        row["vs_trivial"] = row["rps"] / rows[0]["rps"]
        emit({"bench": "overview", "connections": args.connections, **row, **machine()})
    print_table(
        f"Staff overview refresh, {args.events} events x {args.seats:,} seats "
        f"({args.connections} connections, 2 gthread workers x 8, {dialect})",
        rows,
        [
            "route",
            "requests",
            "rps",
            "p50_ms",
            "p99_ms",
            "non2xx",
            "server_cpu_ms_per_req",
            "vs_trivial",
        ],  # fmt: skip
    )
    summary = {
        "bench": "overview",
        "events": args.events,
        "seats_per_event": args.seats,
        "sold": sold,
        "holds": args.holds * args.events,
        "refresh_ms_in_process": refresh,
        "every_seat_state_ms_in_process": every_seat,
        "setup_s": round(setup_s, 1),
    }
    emit(summary)
    print(
        f"One refresh in process: {refresh:.1f} ms; reading every seat's state of the "
        f"{args.events} events instead: {every_seat:.0f} ms (setup {setup_s:.0f} s)"
    )
    return rows


def _median_ms(call, times: int) -> float:
    spent = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        spent.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(spent), 2)


if __name__ == "__main__":
    main()
