"""The on-sale hot path under `wrk`, each route as a ratio of trivial routes in the same run.

    python -m bench.hotpath [--seconds 5] [--warmup 3] [--connections 16] [--database-url URL]

The whole stack as `make run` starts it (honcho and the Procfile: gunicorn 2 gthread
workers x 8 threads serving the app with the bench routes, the RQ worker,
rq-scheduler and the expiry listener), rate limits and per-address caps off (one
load-generator address; defaults 600 holds a minute and 8 seats per address), every
request a new customer (wrk sends no cookie). wrk is a C load generator (Debian
package `wrk`), so the client costs little of the two cores. Server CPU per request is
read from /proc for every process of the stack and Redis. Events keep the default
rules (no-orphan rule on). Then, beside them, the trivial route, the hold by seat id
and best available at 50 % sold on a second stack with every default setting (rate
limits and the per-address cap on), each request from an address of its own (the app
trusts one proxy, PROXY_FIX_X_FOR=1, and wrk names a new X-Forwarded-For each time).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.cpu import cpu_seconds, server_pids
from bench.fullstack import STACK_ENV, in_app, make_run_stack
from bench.stats import emit, machine, print_table
from webapp.booking.holds import keys
from webapp.booking.models import Seat, utcnow
from webapp.booking.venues import geometry
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db
from webapp.seed import THEATRE, arena_layout, theatre_layout

WRK_SCRIPT = r"""
-- args: kind [, file of seat ids or "-"] [, "xff"]. kind: get | htmx | seat | a quantity
-- (best available). With "xff" every request names an address of its own in
-- X-Forwarded-For (the defaults run: the app trusts one proxy, as behind a balancer).
-- Best available alternates hold and release (DELETE with the holder's cookie), so the
-- arena stays as full as the case says: half its requests are holds. Holds by seat id
-- are holds alone, each a seat of the list given (the case runs at most 3 s, within it).
local THREADS = 2  -- wrk -t2
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  kind = args[1] or "get"
  xff, sent = args[3] == "xff", 0
  seats, step = {}, 0
  if args[2] and args[2] ~= "-" then
    for line in io.lines(args[2]) do seats[#seats + 1] = line end
  end
  pending = nil
end
local function from(headers)
  if not xff then return headers end
  sent = sent + 1
  local n = tid * 4000000 + sent  -- 10.x.y.z, a new one for each request of each thread
  local a, b = math.floor(n / 65536) % 256, math.floor(n / 256) % 256
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", a, b, n % 256)
  return headers
end
request = function()
  if kind == "get" then return wrk.format("GET", wrk.path, from({})) end
  if kind == "htmx" then return wrk.format("GET", wrk.path, from({["HX-Request"] = "true"})) end
  if pending then
    local p = pending
    pending = nil
    return wrk.format("DELETE", "/api/v1/holds/" .. p.id, from({["Cookie"] = p.cookie}))
  end
  local headers = from({["Content-Type"] = "application/json"})
  if kind == "seat" then
    step = step + 1
    local seat = seats[(tid + (step - 1) * THREADS) % #seats + 1]
    return wrk.format("POST", wrk.path, headers, '{"seat_ids":[' .. seat .. ']}')
  end
  return wrk.format("POST", wrk.path, headers, '{"quantity":' .. kind .. '}')
end
response = function(status, headers, body)
  if status == 201 and kind ~= "get" and kind ~= "htmx" and kind ~= "seat" then
    local id = string.match(body, '"hold_id":"([^"]+)"')
    local cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
    pending = {id = id, cookie = string.match(cookie, "^([^;]+)")}
  end
end
"""

# Every wrk script ends with this: one line of JSON the runner reads (see `wrk`).
WRK_DONE = r"""
function done(summary, latency, requests)
  io.write(string.format(
    'WRK {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"non2xx":%d,' ..
    '"socket_errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""

WRK_SCRIPT += WRK_DONE


# The columns of every wrk table (hotpath adds vs_static).
WRK_COLUMNS = [
    "route", "requests", "rps", "p50_ms", "p99_ms", "non2xx", "server_cpu_ms_per_req",
    "vs_trivial",
]  # fmt: skip


def measured(
    route: str, url: str, seconds: int, connections: int, args: list[str], script: Path, pids
) -> dict:
    """One timed wrk run as a table row, with the server processes' CPU per request."""
    before = cpu_seconds(pids)
    result = wrk(url, seconds, connections, args, script)
    if result["requests"] == 0:  # a short smoke window met a slow first answer: again, longer
        before = cpu_seconds(pids)
        result = wrk(url, 2 * seconds + 2, connections, args, script)
    cpu = cpu_seconds(pids) - before
    return {
        "route": route,
        "requests": result["requests"],
        "rps": result["requests"] / (result["duration_us"] / 1e6),
        "p50_ms": result["p50_us"] / 1000,
        "p99_ms": result["p99_us"] / 1000,
        "non2xx": result["non2xx"],
        "server_cpu_ms_per_req": 1000 * cpu / max(1, result["requests"]),
    }


def wrk(url: str, seconds: int, connections: int, args: list[str], script: Path) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url, "--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    return json.loads(line[4:])


def never_stranding(event_id: int, positions: range = range(0, 16, 3)) -> list[int]:
    """Seats of every run of 20 at positions 0, 3, ..., 15: taken in any order, each
    leaves its free neighbours in pairs or more, so the no-orphan rule (on, as venues
    get it) never refuses one and the figure is the cost of a hold."""
    layout = geometry.layout_of(event_id)
    chosen = []
    for seat in layout.seats:
        left = layout.neighbours(seat.id)[0]
        position = 0
        while left:
            position += 1
            left = layout.neighbours(left)[0]
        if position in positions:
            chosen.append(seat.id)
    return chosen


def fill(event_id: int, fraction: float) -> None:
    """Mark the best `fraction` of the arena sold in Redis (front rows first, as an
    on-sale fills it), free every other seat, and keep the best-available pools in step
    (as finish.lua and pools.give_back do for real sales and releases)."""
    from webapp.booking.holds import pools
    from webapp.booking.holds.holdstore import store

    client = store().client
    layout = geometry.layout_of(event_id)
    order = layout.best_first(None)
    cut = int(len(order) * fraction)
    pipe = client.pipeline(transaction=False)
    for i, seat_id in enumerate(order):
        if i < cut:
            pipe.set(keys.seat(event_id, seat_id), "sold")
            for name in pools.pool_names(layout.seat(seat_id)):
                pipe.zrem(keys.pool(event_id, name), str(seat_id))
        else:
            pipe.delete(keys.seat(event_id, seat_id))
    pools.queue_give_back(pipe, event_id, order[cut:])
    pipe.delete(keys.held(event_id))
    pipe.execute()


def redis_round_trips_per_hold(event_id: int, seat_ids: list[int], n: int = 150) -> dict:
    """Hold n pairs of seats in-process (left to right along runs of 20, so the
    no-orphan rule never refuses one) and count what the Redis client sends. The
    fallback is included: hold.lua lists the hold in its event's due set."""
    from redis.connection import Connection

    from webapp.booking import hold_seats

    sent = {"n": 0}
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent["n"] += 1  # one send = one round trip (a pipeline is one send)
        return original(self, command, check_health)

    pairs = [seat_ids[i : i + 2] for i in range(0, 2 * (n + 1), 2)]
    hold_seats(event_id, "rt-warm", pairs.pop(0))  # primes the event once
    Connection.send_packed_command = counting
    try:
        for i, pair in enumerate(pairs):
            hold_seats(event_id, f"rt-{i}", pair)
    finally:
        Connection.send_packed_command = original
    return {"with_fallback": sent["n"] / len(pairs)}


def seat_files(directory: Path, event_id: int, tag: str) -> tuple[Path, Path]:
    """The seats the hold-by-id case takes, and its warm-up's (each run's last seat:
    with 0, 3, ..., 15 taken as well, nobody strands)."""
    seat_file, warm_file = directory / f"seats{tag}.txt", directory / f"warm{tag}.txt"
    seat_file.write_text("\n".join(map(str, never_stranding(event_id))) + "\n")
    warm_file.write_text("\n".join(map(str, never_stranding(event_id, [19]))) + "\n")
    return seat_file, warm_file


def run_cases(base: str, cases, arena: int, warm_file: Path, args, script: Path, pids):
    """Each case warmed up (3 s; layouts, neighbour tables, scripts load), then timed;
    the arena filled to the case's fraction before each. A hold-by-id case warms up on
    its own seats (`warm_file`) and runs at most 3 s, within its list of seats."""
    rows = []
    for name, path, wrk_args, fraction in cases:
        seat = wrk_args[0] == "seat"
        if fraction is not None:
            fill(arena, fraction)
        warm = ["seat", str(warm_file), *wrk_args[2:]] if seat else wrk_args
        wrk(base + path, args.warmup, args.connections, warm, script)
        if fraction is not None:
            fill(arena, fraction)
        seconds = min(args.seconds, 3) if seat else args.seconds
        rows.append(measured(name, base + path, seconds, args.connections, wrk_args, script, pids))
    return rows


def with_defaults(args, script: Path) -> list[dict]:
    """The hold routes again on a stack with every default setting (rate limits and the
    per-address seat cap on), each request from an address of its own: the app trusts
    one proxy (PROXY_FIX_X_FOR=1, as behind a load balancer) and wrk names a new
    address in X-Forwarded-For for every request. Ratios are to this stack's trivial
    route, measured with the same header."""
    extra = {
        "WSGI_APP": "bench.app:app",
        "SECRET_KEY": "bench",
        "PROXY_FIX_X_FOR": "1",
        "WEB_WORKERS": str(args.workers),
        "WEB_THREADS": str(args.threads),
    }
    with make_run_stack(args.database_url, extra) as (base, env, honcho), in_app(env):
        arena = create_event("Holdfast Arena", "Arena", utcnow(), arena_layout()).id
        holds_arena = create_event("Holdfast Arena", "Holds", utcnow(), arena_layout()).id
        seat_file, warm_file = seat_files(script.parent, holds_arena, "-defaults")
        pids = server_pids(honcho.pid, env["REDIS_URL"], "postgresql" in env["DATABASE_URL"])
        cases = [
            ("defaults: trivial GET /bench/ping", "/bench/ping", ["get", "-", "xff"], None),
            (
                "defaults: hold by seat id, arena",
                f"/api/v1/events/{holds_arena}/holds",
                ["seat", str(seat_file), "xff"],
                None,
            ),
            (
                "defaults: best available 1 + release, arena 50% sold",
                f"/api/v1/events/{arena}/holds",
                ["1", "-", "xff"],
                0.5,
            ),
        ]
        rows = run_cases(base, cases, arena, warm_file, args, script, pids)
    for row in rows:
        row["vs_trivial"] = row["rps"] / rows[0]["rps"]
    return rows


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk before each case")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    script = Path(tempfile.mkdtemp(prefix="holdfast-wrk-")) / "hotpath.lua"
    script.write_text(WRK_SCRIPT)
    extra = {
        **STACK_ENV,
        "WEB_WORKERS": str(args.workers),
        "WEB_THREADS": str(args.threads),
    }
    with make_run_stack(args.database_url, extra) as (base, env, honcho), in_app(env):
        theatre = create_event(THEATRE, "Hamlet", utcnow(), theatre_layout()).id
        arena = create_event("Holdfast Arena", "Arena", utcnow(), arena_layout()).id
        holds_arena = create_event("Holdfast Arena", "Holds", utcnow(), arena_layout()).id
        rows_of_40 = [SectionLayout("Floor", [f"R{i}" for i in range(10)], 40, 1000, [20])]
        trips_event = create_event("Bench Hall", "Round trips", utcnow(), rows_of_40).id
        trips_ids = sorted(
            db.session.scalars(db.select(Seat.id).where(Seat.event_id == trips_event))
        )
        seat_file, warm_file = seat_files(script.parent, holds_arena, "")
        pids = server_pids(honcho.pid, env["REDIS_URL"], "postgresql" in env["DATABASE_URL"])
        n = args.connections
        cases = [
            ("trivial GET /bench/ping", "/bench/ping", ["get"], None),
            ("static GET /static/favicon.svg", "/static/favicon.svg", ["get"], None),
            (
                "live poll GET /events/{id}/changes",
                f"/events/{theatre}/changes?since=0",
                ["get"],
                None,
            ),
            ("event page GET /events/{id}, 240 seats", f"/events/{theatre}", ["get"], None),
            (
                "arena section (HTMX), 1,000 seats",
                f"/events/{arena}/sections/Block%20A",
                ["htmx"],
                None,
            ),
            (
                "hold by seat id, arena",
                f"/api/v1/events/{holds_arena}/holds",
                ["seat", str(seat_file)],
                None,
            ),
        ]
        for quantity in (1, 4):
            for fraction in (0.0, 0.5, 0.9):
                cases.append(
                    (
                        f"best available {quantity} + release, arena {fraction:.0%} sold",
                        f"/api/v1/events/{arena}/holds",
                        [str(quantity)],
                        fraction,
                    )
                )
        trips = redis_round_trips_per_hold(trips_event, trips_ids)
        rows = run_cases(base, cases, arena, warm_file, args, script, pids)
        dialect = db.engine.dialect.name
    trivial, static = rows[0]["rps"], rows[1]["rps"]
    for row in rows:
        row["vs_trivial"] = row["rps"] / trivial
        row["vs_static"] = row["rps"] / static
    defaults = with_defaults(args, script)
    for row in rows + defaults:
        emit({"bench": "hotpath", "connections": n, "load": "wrk -t2", **row, **machine()})
    print_table(
        f"Hot path under wrk ({n} connections, {args.workers} gthread workers x "
        f"{args.threads} threads, {dialect})",
        rows,
        [*WRK_COLUMNS, "vs_static"],
    )
    print_table(
        "The same with every default (rate limits, per-address cap), an address per request",
        defaults,
        WRK_COLUMNS,
    )
    print(f"Redis round trips per hold, its fallback included: {trips['with_fallback']:.2f}")
    emit({"bench": "hotpath", "redis_round_trips_per_hold": trips})
    return rows


if __name__ == "__main__":
    main()
