"""Check-ins at the door under `wrk`: each request a staff door's POST of one ticket code
(first scans admit, repeats are refused as already in), as a ratio of a trivial route in
the same run.

    python -m bench.checkin [--seconds 5] [--connections 16] [--tickets 5000]

One gunicorn as `make run` starts it (2 gthread workers x 8 threads), SQLite. The door is
a logged-in staff session (its cookie and CSRF token, as the page's htmx sends them).
Tickets are sold in-process beforehand (confirmed bookings of one seat each). Server CPU
is read from /proc for gunicorn's processes and Redis.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from pathlib import Path

import requests
from sqlalchemy import insert, select

from bench.cpu import server_pids
from bench.hotpath import WRK_COLUMNS, WRK_DONE, measured, wrk
from bench.stack import stack
from bench.stats import emit, machine, print_table
from webapp.booking.models import Booking, BookingSeat, Seat, utcnow
from webapp.booking.tickets import ticket_codes
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db
from webapp.staff.users import create_staff

WRK_SCRIPT = r"""
-- args: kind, cookie, csrf token [, file of codes]. kind: get | scan
local THREADS = 2
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  kind, cookie, token = args[1], args[2], args[3]
  codes = {}
  if args[4] then for line in io.lines(args[4]) do table.insert(codes, line) end end
  step = 0
end
request = function()
  step = step + 1
  if kind == "get" then return wrk.format("GET", wrk.path) end
  local code = codes[(tid + (step - 1) * THREADS) % #codes + 1]
  local body = "door=North&code=" .. code
  return wrk.format("POST", wrk.path, {["Cookie"] = cookie, ["X-CSRFToken"] = token,
    ["HX-Request"] = "true", ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
"""  # ends with bench.hotpath.WRK_DONE


def sell_seats(event_id: int, seats: list[int], prefix: str) -> list[int]:
    """A confirmed one-seat booking for each of `seats` (bulk inserts, references
    `<prefix><n>`); the booking seats' ids (the tickets)."""
    now = utcnow()
    db.session.execute(
        insert(Booking),
        [
            {
                "reference": f"{prefix}{i:08d}",
                "event_id": event_id,
                "customer_id": f"c{i}",
                "name": "Bench Buyer",
                "email": "bench@example.com",
                "status": "confirmed",
                "amount_cents": 1000,
                "hold_id": f"{event_id}-bench-{i}",
                "fence": 1,
                "expires_at": now,
                "created_at": now,
                "updated_at": now,
            }  # fmt: skip
            for i in range(len(seats))
        ],
    )
    bookings = dict(
        db.session.execute(
            select(Booking.reference, Booking.id).where(Booking.event_id == event_id)
        ).all()
    )
    db.session.execute(
        insert(BookingSeat),
        [
            {
                "booking_id": bookings[f"{prefix}{i:08d}"],
                "event_id": event_id,
                "seat_id": seat,
                "price_cents": 1000,
                "ticket_type": "adult",
                "active": True,
            }  # fmt: skip
            for i, seat in enumerate(seats)
        ],
    )
    db.session.commit()
    return list(db.session.scalars(select(BookingSeat.id).where(BookingSeat.event_id == event_id)))


def sell_everything(event_id: int) -> list[str]:
    """A confirmed one-seat booking for every seat; their ticket codes."""
    seats = db.session.scalars(select(Seat.id).where(Seat.event_id == event_id)).all()
    return [ticket_codes.code_for(event_id, t) for t in sell_seats(event_id, seats, "B")]


def door_session(base: str, event_id: int) -> tuple[str, str]:
    """Log a door in: (its cookie header, the CSRF token of its page)."""
    s = requests.Session()
    form = s.get(f"{base}/staff/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    s.post(
        f"{base}/staff/login",
        data={"email": "door@example.com", "password": "bench-door", "csrf_token": token},
    ).raise_for_status()
    page = s.get(f"{base}/staff/events/{event_id}/door").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return "; ".join(f"{k}={v}" for k, v in s.cookies.items()), token


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--tickets", type=int, default=5000)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    script = Path(tempfile.mkdtemp(prefix="holdfast-wrk-")) / "checkin.lua"
    script.write_text(WRK_SCRIPT + WRK_DONE)
    rows_needed = max(1, args.tickets // 50)
    layout = [SectionLayout("Floor", [f"R{i}" for i in range(rows_needed)], 50, 1000)]
    with stack(args.database_url, 2, 8, with_process=True) as (app, base, env, web):
        event_id = create_event("Bench Door Hall", "Door", utcnow(), layout).id
        codes = sell_everything(event_id)
        create_staff("door@example.com", "bench-door")
        cookie, token = door_session(base, event_id)
        codes_file = script.parent / "codes.txt"
        codes_file.write_text("\n".join(codes) + "\n")
        pids = server_pids(web.pid, env["REDIS_URL"])
        door = f"/staff/events/{event_id}/door"
        rows = []
        for name, path, wrk_args in (
            ("trivial GET /bench/ping", "/bench/ping", ["get", "-", "-"]),
            (
                "check-in POST /staff/events/{id}/door",
                door,
                ["scan", cookie, token, str(codes_file)],
            ),
        ):
            wrk(base + "/bench/ping", 2, args.connections, ["get", "-", "-"], script)  # warm-up
            rows.append(
                measured(name, base + path, args.seconds, args.connections, wrk_args, script, pids)
            )
        admitted = db.session.execute(
            db.text("SELECT count(*) FROM check_ins WHERE event_id = :e"), {"e": event_id}
        ).scalar()
        dialect = db.engine.dialect.name
    for row in rows:
        row["vs_trivial"] = row["rps"] / rows[0]["rps"]
        emit({"bench": "checkin", "connections": args.connections, **row, **machine()})
    print_table(
        f"Check-ins under wrk ({args.connections} connections, 2 gthread workers x 8, {dialect})",
        rows,
        WRK_COLUMNS,
    )
    emit({"bench": "checkin", "tickets": len(codes), "admitted": admitted})
    print(f"{admitted:,} of {len(codes):,} tickets admitted once each; the rest were repeats")
    return rows


if __name__ == "__main__":
    main()
