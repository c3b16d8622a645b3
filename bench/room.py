"""The waiting room where the crowd sits: joining and polling under `wrk`, each as a
ratio of a trivial route in the same run; then what admitting 10,000 people costs in
Redis round trips and server CPU.

    python -m bench.room [--seconds 5] [--connections 16] [--database-url URL]
                         [--waiting 2000] [--people 10000]

One gunicorn as `make run` starts it (2 gthread workers x 8 threads), rate limits off,
the event's room on with the defaults a venue gets (200 people a minute, 15-minute
passes). Joins are new customers (wrk sends no cookie); polls come from 2,000 customers
already in line, each request with one of their session cookies, the way their queue
pages ask every 5 s. Server CPU is read from /proc for gunicorn's processes and Redis.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import requests

from bench.cpu import cpu_seconds, server_pids
from bench.hotpath import WRK_COLUMNS, WRK_DONE, measured, wrk
from bench.stack import stack
from bench.stats import emit, machine, print_table
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Event, utcnow
from webapp.booking.onsale import room
from webapp.booking.venues.venues import create_event
from webapp.extensions import db
from webapp.seed import THEATRE, theatre_layout

WRK_SCRIPT = r"""
-- args: kind [, file of cookies]. kind: get | join (POST, no cookie) | rejoin (POST with
-- a waiting customer's cookie) | poll (GET with that cookie) | status (the page's HTMX
-- partial, GET with that cookie).
local THREADS = 2  -- wrk -t2
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  kind = args[1]
  cookies = {}
  if args[2] then
    for line in io.lines(args[2]) do table.insert(cookies, line) end
  end
  step = 0
end
request = function()
  step = step + 1
  if kind == "get" then return wrk.format("GET", wrk.path) end
  if kind == "join" then return wrk.format("POST", wrk.path, {["Content-Length"] = "0"}) end
  local cookie = cookies[(tid + (step - 1) * THREADS) % #cookies + 1]
  if kind == "status" then
    return wrk.format("GET", wrk.path, {["Cookie"] = cookie, ["HX-Request"] = "true"})
  end
  if kind == "poll" then return wrk.format("GET", wrk.path, {["Cookie"] = cookie}) end
  return wrk.format("POST", wrk.path, {["Cookie"] = cookie, ["Content-Length"] = "0"})
end
"""  # ends with bench.hotpath.WRK_DONE


def waiting_cookies(base: str, event_id: int, n: int) -> list[str]:
    """n customers join the line; their session cookies, as wrk sends them."""
    cookies = []
    for _ in range(n):
        s = requests.Session()
        s.post(f"{base}/api/v1/events/{event_id}/queue", timeout=30).raise_for_status()
        cookies.append("; ".join(f"{k}={v}" for k, v in s.cookies.items()))
    return cookies


def admission_cost(event_id: int, people: int = 10_000) -> dict:
    """Join `people` in-process, then admit them all at the default rate (200 a minute)
    on a simulated clock, one run a second as the scheduler does: round trips and CPU."""
    from redis.connection import Connection

    now = room.now_ms()
    for i in range(people):
        room.join(event_id, f"admit-{i}", now)
    sent = {"n": 0}
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent["n"] += 1  # one send = one round trip (a pipeline is one send)
        return original(self, command, check_health)

    client = store().client
    redis_pid = int(client.info("server")["process_id"])
    redis_before = cpu_seconds([redis_pid])
    started = time.process_time()
    Connection.send_packed_command = counting
    runs, admitted = 0, 0
    try:
        while admitted < people:
            runs += 1
            admitted += len(room.admit(event_id, now + runs * 1000))
    finally:
        Connection.send_packed_command = original
    return {
        "people": people,
        "admitter_runs": runs,
        "redis_round_trips": sent["n"],
        "round_trips_per_run": sent["n"] / runs,
        "admitter_cpu_ms": 1000 * (time.process_time() - started),
        "redis_cpu_ms": 1000 * (cpu_seconds([redis_pid]) - redis_before),
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--waiting", type=int, default=2000)
    parser.add_argument("--people", type=int, default=10_000, help="admitted in-process")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    script = Path(tempfile.mkdtemp(prefix="holdfast-wrk-")) / "room.lua"
    script.write_text(WRK_SCRIPT + WRK_DONE)
    with stack(args.database_url, args.workers, args.threads, with_process=True) as (
        app,
        base,
        env,
        web,
    ):
        event_id = create_event(THEATRE, "On-sale", utcnow(), theatre_layout()).id
        admit_event = create_event(THEATRE, "Admission", utcnow(), theatre_layout()).id
        for eid in (event_id, admit_event):
            row = db.session.get(Event, eid)
            row.waiting_room = True  # the other settings: as a venue gets them
        db.session.commit()
        cookie_file = script.parent / "cookies.txt"
        cookie_file.write_text("\n".join(waiting_cookies(base, event_id, args.waiting)) + "\n")
        pids = server_pids(web.pid, env["REDIS_URL"])
        n = args.connections
        cases = [
            ("trivial GET /bench/ping", "/bench/ping", ["get"]),
            ("join: POST /api/v1/events/{id}/queue, new customer", "queue", ["join"]),
            ("poll: GET /api/v1/events/{id}/queue, in line", "queue", ["poll", str(cookie_file)]),
            ("poll: GET /events/{id}/queue/status (HTMX)", "status", ["status", str(cookie_file)]),
            (
                "rejoin: POST /api/v1/events/{id}/queue, in line",
                "queue",
                ["rejoin", str(cookie_file)],
            ),  # fmt: skip
        ]
        paths = {
            "queue": f"/api/v1/events/{event_id}/queue",
            "status": f"/events/{event_id}/queue/status",
        }
        rows = []
        for name, path, wrk_args in cases:
            url = base + paths.get(path, path)
            wrk(url, 3, n, wrk_args, script)  # warm-up
            rows.append(measured(name, url, args.seconds, n, wrk_args, script, pids))
        admission = admission_cost(admit_event, args.people)
        dialect = db.engine.dialect.name
    trivial = rows[0]["rps"]
    for row in rows:
        row["vs_trivial"] = row["rps"] / trivial
        emit({"bench": "room", "connections": n, "load": "wrk -t2", **row, **machine()})
    print_table(
        f"Waiting room under wrk ({n} connections, {args.workers} gthread workers x "
        f"{args.threads} threads, {dialect})",
        rows,
        WRK_COLUMNS,
    )
    emit({"bench": "room", "admission": admission})
    print(
        f"Admitting {admission['people']:,} people: {admission['admitter_runs']} runs, "
        f"{admission['redis_round_trips']} Redis round trips "
        f"({admission['round_trips_per_run']:.2f} a run), admitter CPU "
        f"{admission['admitter_cpu_ms']:.0f} ms, Redis CPU {admission['redis_cpu_ms']:.0f} ms"
    )
    return rows


if __name__ == "__main__":
    main()
