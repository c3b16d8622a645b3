"""Each benchmark runs end to end at a tiny size, so none of them can rot.

No timing is asserted here: benchmarks measure, tests check.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def run(*args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def test_rush_runs_and_holdfast_never_double_sells():
    lines = run("bench.rush", "--customers", "24", "--seats", "20", "--workers", "2")
    final = lines[-1]
    assert final["strategy"] == "holdfast"
    assert final["seats_booked"] == 20 and final["booked_twice"] == 0
    assert final["sold_out"] == 4 and final["errors_5xx"] == 0
    assert {line.get("strategy") for line in lines[:-1]} >= {"naive", "occ", "holdfast"}


def test_hotpath_runs_under_wrk():
    lines = run("bench.hotpath", "--seconds", "1", "--warmup", "1", "--connections", "4")
    routes = [line for line in lines if "route" in line]
    defaults = [line for line in routes if line["route"].startswith("defaults: ")]
    assert len(routes) == 15 and routes[0]["vs_trivial"] == 1.0
    assert len(defaults) == 3 and defaults[0]["vs_trivial"] == 1.0  # limits on, as shipped
    assert all(line["non2xx"] == 0 for line in defaults)  # an address each: nobody refused
    assert all(line["requests"] > 0 and line["server_cpu_ms_per_req"] > 0 for line in routes)
    assert lines[-1]["redis_round_trips_per_hold"]["with_fallback"] == 1.0


def test_page_runs_under_wrk():
    lines = run("bench.page", "--rounds", "1", "--seconds", "1", "--warmup", "1")
    assert len(lines) == 1 and lines[0]["non2xx"] == 0
    assert lines[0]["page_rps"] > 0 and lines[0]["page_cpu_ms"] > 0


def test_seatmap_runs():
    lines = run("bench.seatmap", "--runs", "1")
    assert {line["seats"] for line in lines} == {1000, 20000}
    assert {line["page"].split(" (")[0] for line in lines} >= {
        "arena overview",
        "arena one section",
    }
    for line in lines:  # one round trip per render; a page with overview and section, two
        assert line["redis_per_render"] == (2 if "+ section" in line["page"] else 1), line


def test_expiry_runs():
    lines = run("bench.expiry", "--holds", "20")
    assert [line["path"] for line in lines] == ["listener", "fallback"]
    assert all(line["released"] == line["holds"] for line in lines)


def test_orphans_runs_and_the_rule_leaves_no_single_seat():
    lines = run("bench.orphans", "--seats", "60")
    assert [line["no_orphans"] for line in lines] == [False, True]
    assert all(line["groups"] > 0 for line in lines)


def test_room_runs_under_wrk():
    lines = run("bench.room", "--seconds", "1", "--connections", "4", "--waiting", "20",
                "--people", "300")  # fmt: skip
    routes = [line for line in lines if "route" in line]
    assert len(routes) == 5 and routes[0]["vs_trivial"] == 1.0
    assert all(line["requests"] > 0 and line["non2xx"] == 0 for line in routes)
    admission = lines[-1]["admission"]
    # One round trip a run (plus loading the script once: NOSCRIPT, then the script).
    assert admission["people"] == 300
    assert admission["redis_round_trips"] <= admission["admitter_runs"] + 2


def test_checkin_runs_under_wrk():
    lines = run("bench.checkin", "--seconds", "1", "--connections", "4", "--tickets", "100")
    routes = [line for line in lines if "route" in line]
    assert len(routes) == 2 and all(line["non2xx"] == 0 for line in routes)
    assert 0 < lines[-1]["admitted"] <= lines[-1]["tickets"] == 100


def test_overview_runs_under_wrk():
    lines = run(
        "bench.overview", "--events", "2", "--seats", "500", "--holds", "10",
        "--seconds", "1", "--connections", "4",
    )  # fmt: skip
    routes = [line for line in lines if "route" in line]
    assert len(routes) == 2 and all(line["non2xx"] == 0 for line in routes)
    assert lines[-1]["sold"] == 500 and lines[-1]["holds"] == 20


def test_sellout_sells_every_seat_once_against_the_whole_stack():
    lines = run("bench.sellout", "--event", "Hamlet", "--window", "1")
    assert [line["kind"] for line in lines] == ["1", "groups"]
    for line in lines:
        assert line["sold_once"] and line["sell_out_s"] is not None, line
        assert line["redis_us_per_call_max"] > 0


def test_servers_runs_both_servers_on_every_route():
    lines = [line for line in run("bench.servers", "--seconds", "1", "--connections", "4")]
    assert {line["server"] for line in lines} == {"gunicorn", "granian"}
    assert len(lines) == 12 and all(line["requests"] > 0 for line in lines)
