"""Faults in the middle of a rush: Redis loses everything, two web instances share the work.

A checker runs afterwards and fails on the first violated invariant: no seat in
two active bookings, every acknowledged checkout has its booking and seats.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import Counter

import pytest
import redis
import requests
from sqlalchemy import func, select

from tests.factories import make_event
from webapp.booking.models import Booking, BookingSeat
from webapp.devtools.redis_server import start_redis
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db

pytestmark = pytest.mark.slow


def buyer(bases: list[str], event_id: int, barrier, results: list, attempts: int = 8):
    """Hold one seat and check out, retrying 503s and lost holds like a patient customer."""
    s = requests.Session()
    s.get(f"{bases[0]}/api/v1/events", timeout=30)
    barrier.wait()
    for attempt in range(attempts):
        base = bases[attempt % len(bases)]
        try:
            r = s.post(f"{base}/api/v1/events/{event_id}/holds", json={"quantity": 1}, timeout=60)
            if r.status_code == 201:
                base = bases[(attempt + 1) % len(bases)]  # check out on the other instance
                c = s.post(
                    f"{base}/api/v1/holds/{r.json()['hold_id']}/checkout",
                    timeout=60,
                    json={"name": "F", "email": "f@example.com"},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                if c.status_code == 201:
                    results.append(("booked", c.json()["booking"]["reference"]))
                    return
                code = c.status_code
            else:
                code = r.status_code
                if r.status_code == 409 and r.json().get("error") == "sold_out":
                    results.append(("sold_out", None))
                    return
            if code >= 500 and code != 503:
                results.append(("server_error", code))
                return
        except requests.RequestException:
            pass
        time.sleep(0.2 * (attempt + 1))
    results.append(("gave_up", None))


def rush(bases, event_id, customers, during=None):
    barrier = threading.Barrier(customers + 1)
    results: list = []
    threads = [
        threading.Thread(target=buyer, args=(bases, event_id, barrier, results))
        for _ in range(customers)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    if during:
        during(results)
    for t in threads:
        t.join()
    return results


def check_invariants(results, seats: int):
    """The checker: fails on the first violated invariant."""
    db.session.commit()
    active = db.session.scalars(select(BookingSeat.seat_id).where(BookingSeat.active)).all()
    twice = [s for s, n in Counter(active).items() if n > 1]
    assert not twice, f"seats in two active bookings: {twice}"
    booked = [ref for kind, ref in results if kind == "booked"]
    for ref in booked:  # every acknowledged checkout is accounted for
        booking = db.session.scalar(select(Booking).where(Booking.reference == ref))
        assert booking is not None and booking.status == "pending", ref
        assert all(bs.active for bs in booking.seats), ref
    assert not [r for r in results if r[0] == "server_error"], "a request failed with a 5xx"
    assert len(booked) == len(set(active)) <= seats
    return Counter(kind for kind, _ in results)


def test_rush_over_two_gunicorn_instances_sells_each_seat_once(app, server_env):
    event = make_event(rows=10, seats_per_row=40)
    first, url_a = start_gunicorn(server_env, workers=2, threads=8)
    second, url_b = start_gunicorn(server_env, workers=2, threads=8)
    try:
        results = rush([url_a, url_b], event.id, 500)
    finally:
        stop(first)
        stop(second)
    outcome = check_invariants(results, 400)
    print(f"\ntwo instances: {dict(outcome)}")
    assert outcome["booked"] == 400 and outcome["sold_out"] == 100


@pytest.mark.parametrize("fault", ["flushall", "restart"])
def test_redis_lost_mid_rush_never_oversells(app, server_env, tmp_path, fault):
    """1,200 customers for 1,000 seats; Redis loses everything after the first 300 finish."""
    event = make_event(rows=25, seats_per_row=40)
    redis_proc, url = start_redis(tmp_path / "redis")
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    env = {**server_env, "REDIS_URL": url}
    web, base = start_gunicorn(env, workers=2, threads=8)
    state = {"proc": redis_proc}

    def fault_after_a_quarter(results):
        while len(results) < 300:
            time.sleep(0.05)
        if fault == "flushall":
            redis.Redis.from_url(url).flushall()
        else:
            state["proc"].send_signal(signal.SIGKILL)
            state["proc"].wait()
            time.sleep(1.0)  # requests meanwhile get 503 and retry
            state["proc"], _ = start_redis(tmp_path / "redis2", port=port)

    try:
        results = rush([base], event.id, 1200, during=fault_after_a_quarter)
    finally:
        stop(web)
        state["proc"].terminate()
        state["proc"].wait(10)
    outcome = check_invariants(results, 1000)
    print(f"\nredis {fault} mid-rush: {dict(outcome)}")
    assert outcome["booked"] + outcome["gave_up"] + outcome["sold_out"] == 1200
    assert (
        db.session.scalar(select(func.count(BookingSeat.id)).where(BookingSeat.active))
        == outcome["booked"]
    )
