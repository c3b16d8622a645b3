"""The event page against the trivial route, in rounds, on the whole `make run` stack.

    python -m bench.page [--rounds 3] [--seconds 4] [--workers 1 --threads 16]

One web worker by default, unlike `make run`'s two: with two gthread workers, wrk's
keep-alive connections split unevenly between them at the start of a case, and the
page's req/s then says which worker won the split rather than what the page costs
(BENCHMARKS.md, 2026-12-06). Each round measures the trivial route, then the 240-seat
theatre's page, every request a new visitor (wrk sends no cookie), with every default
setting; server CPU per request counts every process of the stack and Redis.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from bench.cpu import server_pids
from bench.fullstack import STACK_ENV, in_app, make_run_stack
from bench.hotpath import WRK_SCRIPT, measured, wrk
from bench.stats import emit, machine, print_table
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import create_event
from webapp.seed import THEATRE, theatre_layout

COLUMNS = ["round", "trivial_rps", "page_rps", "page_vs_trivial", "trivial_cpu_ms", "page_cpu_ms"]
COLUMNS += ["page_cpu_vs_trivial", "page_p99_ms", "non2xx"]


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    script = Path(tempfile.mkdtemp(prefix="holdfast-page-")) / "page.lua"
    script.write_text(WRK_SCRIPT)
    extra = {**STACK_ENV, "WEB_WORKERS": str(args.workers), "WEB_THREADS": str(args.threads)}
    rows = []
    with make_run_stack(args.database_url, extra) as (base, env, honcho), in_app(env):
        theatre = create_event(THEATRE, "Hamlet", utcnow(), theatre_layout()).id
        pids = server_pids(honcho.pid, env["REDIS_URL"], "postgresql" in env["DATABASE_URL"])
        trivial_url, page_url = f"{base}/bench/ping", f"{base}/events/{theatre}"
        for url in (trivial_url, page_url):
            wrk(url, args.warmup, args.connections, ["get"], script)
        for n in range(1, args.rounds + 1):
            t = measured(
                "trivial", trivial_url, args.seconds, args.connections, ["get"], script, pids
            )
            p = measured("page", page_url, args.seconds, args.connections, ["get"], script, pids)
            row = {
                "round": n,
                "trivial_rps": t["rps"],
                "page_rps": p["rps"],
                "page_vs_trivial": p["rps"] / t["rps"],
                "trivial_cpu_ms": t["server_cpu_ms_per_req"],
                "page_cpu_ms": p["server_cpu_ms_per_req"],
                "page_cpu_vs_trivial": t["server_cpu_ms_per_req"] / p["server_cpu_ms_per_req"],
                "page_p99_ms": p["p99_ms"],
                "non2xx": p["non2xx"] + t["non2xx"],
            }
            rows.append(row)
            emit({"bench": "page", **row, **machine()})
    title = f"Event page (240 seats) vs trivial, {args.workers} worker(s) x {args.threads} threads"
    print_table(title, rows, COLUMNS)
    return rows


if __name__ == "__main__":
    main()
