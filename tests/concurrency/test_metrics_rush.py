"""/metrics after a rush on a real gunicorn with four workers (multiprocess mode): the
counts, summed over whichever workers answered, are exactly what the customers were told."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_event, seat_ids
from tests.web.test_ops_endpoints import samples

CUSTOMERS, SEATS = 60, 20


@pytest.fixture
def server_env(server_env, tmp_path) -> dict[str, str]:
    (tmp_path / "counter_1.db").write_bytes(b"left by an earlier run")  # emptied at start
    return {
        **server_env,
        "METRICS_TOKEN": "rush-scrape",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }


def test_metrics_after_a_rush_add_up_across_workers(live_server, tmp_path):
    event = make_event(rows=1, seats_per_row=SEATS)
    ids = seat_ids(event)
    barrier = threading.Barrier(CUSTOMERS)

    def one(i: int) -> int:
        s = requests.Session()
        s.get(f"{live_server}/api/v1/events")
        barrier.wait()
        hold = {"seat_ids": [ids[i % SEATS]]}  # three customers for every seat
        r = s.post(f"{live_server}/api/v1/events/{event.id}/holds", json=hold, timeout=60)
        return r.status_code

    with ThreadPoolExecutor(CUSTOMERS) as pool:
        answers = Counter(pool.map(one, range(CUSTOMERS)))
    assert answers == {201: SEATS, 409: CUSTOMERS - SEATS}
    r = requests.get(
        f"{live_server}/metrics", headers={"Authorization": "Bearer rush-scrape"}, timeout=10
    )
    assert r.status_code == 200
    found = samples(r.text)
    assert found[("holdfast_holds_taken_total", ())] == SEATS
    assert found[("holdfast_seats_held_total", ())] == SEATS
    refused = ("holdfast_holds_refused_total", (("reason", "seats_unavailable"),))
    assert found[refused] == CUSTOMERS - SEATS
    assert found[("holdfast_live_holds", (("event", str(event.id)),))] == SEATS
    timed = {
        labels: value
        for (name, labels), value in found.items()
        if name == "holdfast_http_request_duration_seconds_count"
        and dict(labels)["endpoint"] == "api.create_hold"
    }
    by_status = {dict(labels)["status"]: n for labels, n in timed.items()}
    assert by_status == {"201": SEATS, "409": CUSTOMERS - SEATS}
    # Multiprocess mode: the workers that counted wrote files (which of the four
    # answered varies), and the stale file from an earlier run was removed at start.
    assert 1 <= len(list(tmp_path.glob("counter_*.db"))) <= 4
    assert not (tmp_path / "counter_1.db").exists()
    families = {f.name for f in text_string_to_metric_families(r.text)}
    assert "holdfast_expiry_lag_seconds" in families
