"""gunicorn (gthread) against granian (WSGI) on Holdfast's own routes, in one run.

    python -m bench.servers [--seconds 5] [--connections 16] [--database-url URL]

Both servers run at once over the same database and Redis, each as `make run` would
start it (2 workers; gunicorn 8 threads a worker, granian 8 blocking threads a
worker), and every case is measured on one and then the other (which goes first
alternates), so both see the same machine. wrk (-t2) sends the load, every request a
new customer; server CPU is read from /proc for the server's processes and Redis.
Default rules (no-orphan rule on); as in bench.hotpath, rate limits and the
per-address seat cap are off (one load generator address; defaults: 600 holds a
minute and 8 seats per address).
Holds by seat id and checkouts use an event of their own per server, so neither
server finds the other's seats taken.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from bench.cpu import server_pids
from bench.hotpath import (
    WRK_COLUMNS,
    WRK_DONE,
    WRK_SCRIPT,
    fill,
    measured,
    never_stranding,
    wrk,
)
from bench.stack import stack
from bench.stats import emit, machine, print_table
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import create_event
from webapp.devtools.server import start_granian, stop
from webapp.seed import THEATRE, arena_layout, theatre_layout

CHECKOUT_SCRIPT = (
    r"""
-- A hold of one seat by best available, then its checkout with the holder's cookie.
local pending = nil
request = function()
  if pending then
    local p = pending
    pending = nil
    return wrk.format("POST", "/api/v1/holds/" .. p.id .. "/checkout",
      {["Content-Type"] = "application/json", ["Cookie"] = p.cookie,
       ["Idempotency-Key"] = p.id},
      '{"name":"Bench Buyer","email":"buyer@example.com"}')
  end
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"},
    '{"quantity":1}')
end
response = function(status, headers, body)
  local id = string.match(body, '"hold_id":"([^"]+)"')
  if status == 201 and id and not string.find(body, '"booking"', 1, true) then
    local cookie = headers["Set-Cookie"] or headers["set-cookie"] or ""
    pending = {id = id, cookie = string.match(cookie, "^([^;]+)")}
  end
end
"""
    + WRK_DONE
)


def cases(theatre: int, arena: int, holds: int, checkout: int, seat_file: Path) -> list:
    """(name, path, wrk args, script, arena fill or None) of every case, for one server."""
    return [
        ("trivial GET /bench/ping", "/bench/ping", ["get"], "hot", None),
        ("live poll GET /events/{id}/changes", f"/events/{theatre}/changes?since=0", ["get"],
         "hot", None),
        ("event page, 240-seat theatre", f"/events/{theatre}", ["get"], "hot", None),
        ("hold by seat id, arena", f"/api/v1/events/{holds}/holds", ["seat", str(seat_file)],
         "hot", None),
        ("best available 1 + release, arena half sold", f"/api/v1/events/{arena}/holds", ["1"],
         "hot", 0.5),
        ("hold 1 + checkout (pending booking)", f"/api/v1/events/{checkout}/holds", [],
         "checkout", None),
    ]  # fmt: skip


def measure(base, case, seconds, connections, scripts, pids_of, arena) -> dict:
    name, path, args, script, fraction = case
    if fraction is not None:
        fill(arena, fraction)
    # Warm-up (layouts, scripts); holds by id warm on each run's last seat (see hotpath).
    warm = ["seat", args[1].replace(".txt", "-warm.txt")] if args[:1] == ["seat"] else args
    wrk(base + path, 2, connections, warm, scripts[script])
    if fraction is not None:
        fill(arena, fraction)
    return measured(name, base + path, seconds, connections, args, scripts[script], pids_of())


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    tmp = Path(tempfile.mkdtemp(prefix="holdfast-wrk-"))
    scripts = {"hot": tmp / "hot.lua", "checkout": tmp / "checkout.lua"}
    scripts["hot"].write_text(WRK_SCRIPT)
    scripts["checkout"].write_text(CHECKOUT_SCRIPT)
    rows: list[dict] = []
    with stack(args.database_url, 2, 8, with_process=True) as (app, gunicorn_url, env, web):
        granian, granian_url = start_granian(env, 2, 8, app="bench.app:app")
        try:
            theatre = create_event(THEATRE, "Hamlet", utcnow(), theatre_layout()).id
            arena = create_event("Holdfast Arena", "Arena", utcnow(), arena_layout()).id
            servers = []
            for name, url, proc in (
                ("gunicorn", gunicorn_url, web),
                ("granian", granian_url, granian),
            ):
                holds = create_event("Holdfast Arena", f"Holds {name}", utcnow(), arena_layout()).id
                checkout = create_event(
                    "Holdfast Arena", f"Checkout {name}", utcnow(), arena_layout()
                ).id
                seat_file = tmp / f"seats-{name}.txt"
                seat_file.write_text("\n".join(map(str, never_stranding(holds))) + "\n")
                warm = "\n".join(map(str, never_stranding(holds, [19])))
                seat_file.with_name(f"seats-{name}-warm.txt").write_text(warm + "\n")
                pg = "postgresql" in env["DATABASE_URL"]
                pids_of = lambda proc=proc, pg=pg: server_pids(proc.pid, env["REDIS_URL"], pg)  # noqa: E731
                servers.append(
                    (name, url, cases(theatre, arena, holds, checkout, seat_file), pids_of)
                )
            for i in range(len(servers[0][2])):
                # Each server goes first on every other case: neither always meets the
                # machine as the other left it.
                for name, url, server_cases, pids_of in servers[:: 1 if i % 2 == 0 else -1]:
                    case = server_cases[i]
                    seconds = min(args.seconds, 3) if case[2][:1] == ["seat"] else args.seconds
                    row = measure(url, case, seconds, args.connections, scripts, pids_of, arena)
                    rows.append({"server": name, **row})
        finally:
            stop(granian)
    trivial = {r["server"]: r["rps"] for r in rows if r["route"].startswith("trivial")}
    by_route: dict[str, dict] = {}
    for row in rows:
        row["vs_trivial"] = row["rps"] / trivial[row["server"]]
        row["vs_gunicorn_trivial"] = row["rps"] / trivial["gunicorn"]
        by_route.setdefault(row["route"], {})[row["server"]] = row["rps"]
        emit({"bench": "servers", "connections": args.connections, **row, **machine()})
    for row in rows:
        pair = by_route[row["route"]]
        ratio = pair["granian"] / pair["gunicorn"] if pair["gunicorn"] else None
        row["granian_vs_gunicorn"] = ratio
    print_table(
        "gunicorn gthread vs granian WSGI (2 workers x 8 threads each)",
        rows,
        ["server", *WRK_COLUMNS, "vs_gunicorn_trivial", "granian_vs_gunicorn"],
    )
    return rows


if __name__ == "__main__":
    main()
