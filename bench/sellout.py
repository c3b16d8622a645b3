"""The 20,000-seat arena sold out by best available over HTTP, holds piling up.

    python -m bench.sellout [--groups singles,groups] [--window 5] [--database-url URL]

The whole stack as `make run` starts it (honcho and the Procfile: gunicorn, the RQ
worker, rq-scheduler and the expiry listener), the arena from `flask seed-demo
--arena`, default rules (no-orphan rule on). wrk (-t2 -c16) posts best-available
holds, every request a new customer (no cookie), and nobody releases: the venue fills
with holds as it does in an on-sale's first minutes. Once to one seat each
(`singles`) and once to groups of 1-4 drawn at random (`groups`), each on a fresh
stack. Every request comes from one address, so the per-address defences are
raised out of the way and reported: the per-address seat cap (default 8) is off,
the per-address hold rate (default 600 a minute) is set far above the load; the
limiter itself still runs on every request.

Per window: holds/s, seats left, Redis CPU per script call (EVALSHA's usec over its
calls, from Redis's own INFO commandstats: the hold script and the rate limiter's two
small scripts per request, as the issue measured it), EVALSHA usec per hold taken, the
Redis process's CPU per hold (INFO cpu), p99, and the stack's CPU per hold (every
process honcho started, and Redis). Reports the time to sell out and the last tenth
of the windows against the first. Checks every seat was sold once: the holds' seat
lists in Redis add up to the seats held, which is every seat (a seat in two holds
would count twice).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from bench.cpu import cpu_seconds, server_pids
from bench.fullstack import make_run_stack
from bench.hotpath import WRK_DONE
from bench.stats import emit, machine, print_table
from webapp.booking.holds import keys

WRK_SCRIPT = r"""
-- args: "1" (one seat each) or "groups" (1-4 at random). Counts the seats it got.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  kind = args[1]
  got = 0
  math.randomseed(os.time() * 1000 + tid)
end
request = function()
  local n = kind == "groups" and math.random(1, 4) or 1
  return wrk.format("POST", wrk.path, {["Content-Type"] = "application/json"},
    '{"quantity":' .. n .. '}')
end
response = function(status, headers, body)
  if status == 201 then
    local ids = string.match(body, '"seat_ids":%[([^%]]*)%]') or ""
    for _ in string.gmatch(ids, "%d+") do got = got + 1 end
  end
end
function done(summary, latency, requests)
  local seats = 0
  for _, t in ipairs(threads) do seats = seats + t:get("got") end
  io.write(string.format('SEATS {"seats":%d}\n', seats))
  wrk_done(summary, latency, requests)
end
""" + WRK_DONE.replace("function done(", "function wrk_done(")

ARENA_EVENT = "Arena Spectacular"  # flask seed-demo --arena
PER_ADDRESS_DEFAULTS = {"MAX_SEATS_PER_ADDRESS": "8", "HOLD_RATE_LIMIT_PER_ADDRESS": "600/min"}
BENCH_ENV = {
    "MAX_SEATS_PER_ADDRESS": "0",
    "HOLD_RATE_LIMIT_PER_ADDRESS": "1000000 per minute",
    "SECRET_KEY": "bench-sellout",
}
COLUMNS = [
    "window", "t_s", "holds", "holds_per_s", "seats_left", "redis_us_per_call",
    "evalsha_us_per_hold", "redis_cpu_us_per_hold", "p99_ms", "non2xx", "stack_cpu_ms_per_hold",
]  # fmt: skip


def redis_figures(client: redis.Redis) -> tuple[int, int, float]:
    """(EVALSHA calls, their usec, Redis process CPU seconds) so far."""
    stats = client.info("commandstats").get("cmdstat_evalsha", {"calls": 0, "usec": 0})
    cpu = client.info("cpu")
    return stats["calls"], stats["usec"], cpu["used_cpu_user"] + cpu["used_cpu_sys"]


def window(url: str, event_id: int, kind: str, seconds: int, connections: int, script) -> dict:
    cmd = [
        "wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", str(script),
        f"{url}/api/v1/events/{event_id}/holds", "--", kind,
    ]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        for tag in ("WRK ", "SEATS "):
            if line.startswith(tag):
                found |= json.loads(line[len(tag) :])
    return found


def sell_out(kind: str, args, script: Path) -> dict:
    """One sell-out on a fresh stack; returns the summary (and prints the windows)."""
    seed = ("--arena",) if args.event == ARENA_EVENT else ()
    with make_run_stack(args.database_url, BENCH_ENV, seed=seed) as (url, env, honcho):
        engine = create_engine(env["DATABASE_URL"])
        with engine.connect() as conn:  # the seats best available offers (no wheelchair spaces)
            event_id, total = conn.execute(
                text(
                    "SELECT e.id, count(s.id) FROM events e JOIN seats s ON s.event_id = e.id "
                    "WHERE e.name = :name AND s.kind IN ('seat', 'companion') GROUP BY e.id"
                ),
                {"name": args.event},
            ).one()
        engine.dispose()
        client = redis.Redis.from_url(env["REDIS_URL"])
        pids = server_pids(
            honcho.pid, env["REDIS_URL"], postgres="postgresql" in env["DATABASE_URL"]
        )
        rows, seats_got, started = [], 0, time.monotonic()
        while True:
            calls0, usec0, rcpu0 = redis_figures(client)
            cpu0 = cpu_seconds(pids)
            result = window(url, event_id, kind, args.window, args.connections, script)
            calls1, usec1, rcpu1 = redis_figures(client)
            cpu = cpu_seconds(pids) - cpu0
            holds = result["requests"] - result["non2xx"]
            seats_got += result["seats"]
            left = total - client.zcard(keys.held(event_id))
            calls = max(1, calls1 - calls0)
            rows.append(
                {
                    "window": len(rows) + 1,
                    "t_s": time.monotonic() - started,
                    "holds": holds,
                    "holds_per_s": holds / (result["duration_us"] / 1e6),
                    "seats_left": left,
                    "redis_us_per_call": (usec1 - usec0) / calls,
                    "evalsha_us_per_hold": (usec1 - usec0) / max(1, holds),
                    "redis_cpu_us_per_hold": 1e6 * (rcpu1 - rcpu0) / max(1, holds),
                    "p99_ms": result["p99_us"] / 1000,
                    "non2xx": result["non2xx"],
                    "stack_cpu_ms_per_hold": 1000 * cpu / max(1, holds),
                }
            )
            # Sold out, or only refusals left; a window of timeouts (a cold start) goes on.
            if left == 0 or (holds == 0 and result["non2xx"] > 0) or len(rows) >= args.max_windows:
                break
        time.sleep(3)  # requests still in flight when wrk stopped land meanwhile
        held = client.zcard(keys.held(event_id))
        in_holds = seats_in_holds(client, event_id)
    # Windows of the sale proper: the last one, answered mostly "sold out", says little.
    selling = [r for r in rows if r["holds"] > 0 and r["non2xx"] == 0] or rows
    tenth = max(1, len(selling) // 10)
    first, last = selling[:tenth], selling[-tenth:]
    summary = {
        "bench": "sellout",
        "kind": kind,
        "seats": total,
        "seats_held_at_end": held,
        "seats_in_hold_lists": in_holds,
        "seats_in_answers_seen": seats_got,
        "sold_once": held == total == in_holds,
        "sell_out_s": rows[-1]["t_s"] if held == total else None,
        "redis_us_per_call_first_tenth": avg(first, "redis_us_per_call"),
        "redis_us_per_call_last_tenth": avg(last, "redis_us_per_call"),
        "redis_us_per_call_max": max(r["redis_us_per_call"] for r in selling),
        "evalsha_us_per_hold_first_tenth": avg(first, "evalsha_us_per_hold"),
        "evalsha_us_per_hold_last_tenth": avg(last, "evalsha_us_per_hold"),
        "holds_per_s_first_tenth": avg(first, "holds_per_s"),
        "holds_per_s_last_tenth": avg(last, "holds_per_s"),
        "p99_ms_max": max(r["p99_ms"] for r in selling),
        "per_address_defaults": PER_ADDRESS_DEFAULTS,
        **machine(),
    }
    print_table(f"Arena sell-out, {kind}", rows, COLUMNS)
    emit(summary)
    return summary


def seats_in_holds(client: redis.Redis, event_id: int) -> int:
    """Seats over every hold's seat list (wrk misses the answers still in flight when a
    window ends, so the answers it saw undercount)."""
    total = 0
    for key in client.scan_iter(match=keys.hold_info(event_id, "*"), count=1000):
        seats = client.hget(key, "seats")
        total += len(seats.split(b",")) if seats else 0
    return total


def avg(rows: list[dict], column: str) -> float:
    return sum(r[column] for r in rows) / max(1, len(rows))


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--groups", default="singles,groups")
    parser.add_argument("--event", default=ARENA_EVENT, help="a demo event (Hamlet: 240 seats)")
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--max-windows", type=int, default=120)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (make bench does it)")
    script = Path(tempfile.mkdtemp(prefix="holdfast-wrk-")) / "sellout.lua"
    script.write_text(WRK_SCRIPT)
    kinds = {"singles": "1", "groups": "groups"}
    return [sell_out(kinds[k], args, script) for k in args.groups.split(",")]


if __name__ == "__main__":
    main()
