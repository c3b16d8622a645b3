"""Offers and ordinary buyers race for returned seats: no seat is ever in two holds.

Buyers hammer best available over HTTP from the moment the seats lapse, while the
listener and the worker offer seats to the waiting group from the same pool."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import requests

from tests.factories import make_event, seat_ids
from tests.workers.conftest import wait_for_listener, wait_until
from webapp.booking import get_hold, hold_seats
from webapp.booking.models import WaitlistEntry
from webapp.booking.onsale import waitlist
from webapp.extensions import db

SEATS, BUYERS = 8, 5  # demand 5 + 2 < 8: everyone is served, from one pool


@pytest.fixture
def app_config():
    return {"HOLD_TTL_SECONDS": 2}


def test_offer_and_buyers_never_share_a_seat(app, rds, procs, web):
    procs("listener")
    procs("worker", WAITLIST_OFFER_SECONDS="60")
    wait_for_listener(rds)
    event = make_event(rows=1, seats_per_row=SEATS)
    early = hold_seats(event.id, "early", seat_ids(event))  # lapses after 2 s
    group = waitlist.join(event.id, "group", "g@example.com", 2).entry.id
    url = f"{web}/api/v1/events/{event.id}/holds"  # threads have no app context for ORM
    won: list[list[int]] = []
    stop = time.monotonic() + 8

    def buyer():
        s = requests.Session()
        while time.monotonic() < stop:
            r = s.post(url, json={"quantity": 1}, timeout=30)
            if r.status_code == 201:
                won.append(r.json()["seat_ids"])
                return
            time.sleep(0.02)

    threads = [threading.Thread(target=buyer) for _ in range(BUYERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def settled():
        db.session.commit()
        db.session.expire_all()
        return db.session.get(WaitlistEntry, group).status != "waiting"

    wait_until(settled, timeout=15)  # the offer job may finish after the last buyer
    entry = db.session.get(WaitlistEntry, group)
    offered = get_hold(entry.hold_id, "group").seat_ids if entry.status == "offered" else []
    taken = [s for seats in won for s in seats] + offered
    if entry.offer_expires_at:
        delay = (entry.offer_expires_at - timedelta(seconds=60) - early.expires_at).total_seconds()
        print(f"\noffer made {delay:.2f}s after the seats lapsed")
    print(f"buyers won {len(won)} seats, the group was offered {len(offered)}")
    assert len(taken) == len(set(taken))  # nobody shares a seat
    assert len(won) == BUYERS and len(offered) == 2
