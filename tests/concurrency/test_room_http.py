"""1,000 customers join a waiting room over HTTP at once (gunicorn, real Redis): each
gets a distinct place, each is admitted exactly once, and each pass then buys."""

from __future__ import annotations

import threading

import pytest
import requests

from tests.factories import make_event, seat_ids
from webapp.booking.models import Event
from webapp.booking.onsale import room
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db

pytestmark = pytest.mark.slow
CUSTOMERS, THREADS = 1000, 20


def test_thousand_joins_over_http_each_admitted_once(app, server_env):
    event = make_event(rows=25, seats_per_row=40)
    event_id, ids = event.id, seat_ids(event)
    row = db.session.get(Event, event_id)
    row.waiting_room, row.admit_per_minute = True, 60_000
    db.session.commit()
    room.forget(event_id)
    # A crowd comes from many addresses (one address takes at most
    # QUEUE_PLACES_PER_ADDRESS places): each client its own, through a trusted proxy.
    proc, url = start_gunicorn({**server_env, "PROXY_FIX_X_FOR": "1"}, workers=2, threads=8)
    sessions = [requests.Session() for _ in range(CUSTOMERS)]
    for i, s in enumerate(sessions):
        s.headers["X-Forwarded-For"] = f"10.0.{i // 250}.{i % 250 + 1}"
    positions: list[int] = []
    barrier = threading.Barrier(THREADS)

    def join(part: list[requests.Session]) -> None:
        barrier.wait()
        for s in part:
            r = s.post(f"{url}/api/v1/events/{event_id}/queue", timeout=30)
            positions.append(r.json()["position"])

    try:
        threads = [
            threading.Thread(target=join, args=(sessions[i::THREADS],)) for i in range(THREADS)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(positions) == list(range(1, CUSTOMERS + 1))  # a distinct place each
        again = sessions[0].post(f"{url}/api/v1/events/{event_id}/queue", timeout=30).json()
        assert again["in_line"] == CUSTOMERS  # rejoining added nobody
        now, admitted = room.now_ms(), []
        for second in range(1, 3):
            admitted += room.admit(event_id, now + second * 1000)
        assert len(admitted) == len(set(admitted)) == CUSTOMERS  # everyone, exactly once
        assert room.admit(event_id, now + 5000) == []
        refused = sessions[0].post(
            f"{url}/api/v1/events/{event_id}/holds", json={"seat_ids": ids[:1]}, timeout=30
        )
        assert refused.status_code == 403  # admitted, but has not collected the pass yet
        for i, s in enumerate(sessions):
            answer = s.post(f"{url}/api/v1/events/{event_id}/queue", timeout=30).json()
            assert answer["state"] == "admitted" and answer["pass"]
            if i < 50:  # and the pass buys: a hold each for the first fifty
                r = s.post(
                    f"{url}/api/v1/events/{event_id}/holds",
                    json={"seat_ids": ids[i : i + 1]},
                    timeout=30,
                )
                assert r.status_code == 201, r.text
    finally:
        stop(proc)
