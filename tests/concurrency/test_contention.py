"""Overlapping multi-seat holds and concurrent checkouts, against a real server."""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from tests.factories import make_event, seat_ids
from webapp.booking.models import Booking
from webapp.extensions import db


def session_for(base: str) -> requests.Session:
    s = requests.Session()
    s.get(f"{base}/api/v1/events")
    return s


def race(fns) -> list:
    """Run the callables at the same instant, one thread each; return their results."""
    barrier = threading.Barrier(len(fns))

    def run(fn):
        barrier.wait()
        return fn()

    with ThreadPoolExecutor(len(fns)) as pool:
        return list(pool.map(run, fns))


def test_overlapping_holds_exactly_one_wins_all(app, live_server):
    event = make_event(rows=1, seats_per_row=5)
    a_ids, ids = None, seat_ids(event)
    url = f"{live_server}/api/v1/events/{event.id}/holds"
    for _ in range(20):
        a, b = session_for(live_server), session_for(live_server)
        a_ids, b_ids = ids[0:3], ids[2:5]  # they share the middle seat
        codes = race(
            [
                lambda a=a, ids=a_ids: a.post(url, json={"seat_ids": ids}),
                lambda b=b, ids=b_ids: b.post(url, json={"seat_ids": ids}),
            ]
        )
        assert sorted(r.status_code for r in codes) == [201, 409]
        winner, loser = (codes[0], codes[1]) if codes[0].status_code == 201 else codes[::-1]
        assert loser.json()["error"] == "seats_unavailable"
        seats = a.get(f"{live_server}/api/v1/events/{event.id}/seats").json()["seats"]
        held = sorted(s["id"] for s in seats if s["status"] != "available")
        assert held == sorted(winner.json()["seat_ids"])  # all of the winner's, none of the loser's
        for s in (a, b):
            s.delete(f"{live_server}/api/v1/holds/{winner.json()['hold_id']}")


def test_many_customers_random_overlaps_never_share_a_seat(app, live_server):
    event = make_event(rows=1, seats_per_row=12)
    ids = seat_ids(event)
    rng = random.Random(7)
    wants = [rng.sample(ids, 4) for _ in range(30)]
    sessions = [session_for(live_server) for _ in wants]
    url = f"{live_server}/api/v1/events/{event.id}/holds"
    results = race(
        [
            lambda s=s, w=w: s.post(url, json={"seat_ids": w})
            for s, w in zip(sessions, wants, strict=True)
        ]
    )
    taken: Counter = Counter()
    for want, r in zip(wants, results, strict=True):
        assert r.status_code in (201, 409), r.text
        if r.status_code == 201:
            assert sorted(r.json()["seat_ids"]) == sorted(want)  # all of it
            taken.update(want)
    assert taken and max(taken.values()) == 1


def test_twenty_concurrent_checkouts_with_one_key_make_one_booking(app, live_server):
    event = make_event()
    s = session_for(live_server)
    hold = s.post(
        f"{live_server}/api/v1/events/{event.id}/holds", json={"seat_ids": seat_ids(event)[:2]}
    ).json()
    url = f"{live_server}/api/v1/holds/{hold['hold_id']}/checkout"
    body = {"name": "Ann", "email": "ann@example.com"}
    results = race(
        [lambda: s.post(url, json=body, headers={"Idempotency-Key": "same"}) for _ in range(20)]
    )
    codes = Counter(r.status_code for r in results)
    assert set(codes) <= {201, 409}, codes
    created = [r.json() for r in results if r.status_code == 201]
    assert created and all(c == created[0] for c in created)  # identical replays
    for r in results:
        if r.status_code == 409:
            assert r.json()["error"] == "idempotency_in_flight"
    db.session.commit()
    assert db.session.scalar(select(func.count(Booking.id))) == 1
    replay = s.post(url, json=body, headers={"Idempotency-Key": "same"})
    assert replay.status_code == 201 and replay.json() == created[0]


def test_racing_picks_cannot_together_strand_a_seat(app, live_server):
    """A1-A2 alone leaves A3-A7, A4-A7 alone leaves A1-A3: together they would strand A3.

    The rule is checked inside the atomic hold on the live state, so one of them loses
    (row B offers picks of both sizes that strand nobody, so the rule still steers).
    """
    event = make_event(rows=2, seats_per_row=7, no_orphans=True)
    ids = seat_ids(event)
    url = f"{live_server}/api/v1/events/{event.id}/holds"
    outcomes = Counter()
    for _ in range(15):
        a, b = session_for(live_server), session_for(live_server)
        results = race(
            [
                lambda a=a: a.post(url, json={"seat_ids": ids[0:2]}),
                lambda b=b: b.post(url, json={"seat_ids": ids[3:7]}),
            ]
        )
        assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409).json()
        assert loser["error"] == "orphan_seat" and loser["seat"] == "A3"
        outcomes[results[0].status_code] += 1
        seats = a.get(f"{live_server}/api/v1/events/{event.id}/seats").json()["seats"]
        row_a = [s["status"] for s in seats if s["label"].startswith("A")]
        assert row_a.count("available") in (3, 5)  # A3 never alone
        for s, r in zip((a, b), results, strict=True):
            if r.status_code == 201:
                assert s.delete(f"{live_server}/api/v1/holds/{r.json()['hold_id']}").ok
    assert sum(outcomes.values()) == 15
