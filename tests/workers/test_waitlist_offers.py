"""The waiting list with the real listener and RQ worker: a lapsed hold's seats are offered
to the first group, the email goes out, and a lapsed offer moves on to the next group."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_ids
from tests.workers.conftest import wait_for_listener, wait_until
from webapp.booking import get_hold, hold_seats
from webapp.booking.models import OutboxMessage, WaitlistEntry
from webapp.booking.onsale import waitlist
from webapp.extensions import db


@pytest.fixture
def app_config():
    return {"HOLD_TTL_SECONDS": 2}


def status_of(entry_id: int) -> str:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(WaitlistEntry, entry_id).status


def test_returned_seats_are_offered_emailed_and_passed_on(app, rds, procs):
    procs("listener")
    procs("worker", WAITLIST_OFFER_SECONDS="3", EMAIL_BACKEND="console")
    wait_for_listener(rds)
    event = make_event(rows=1, seats_per_row=3)
    hold_seats(event.id, "early", seat_ids(event))  # lapses after 2 s
    first = waitlist.join(event.id, "c1", "first@example.com", 2).entry.id
    second = waitlist.join(event.id, "c2", "second@example.com", 3).entry.id

    wait_until(lambda: status_of(first) == "offered", timeout=10)
    entry = db.session.get(WaitlistEntry, first)
    assert len(get_hold(entry.hold_id, "c1").seat_ids) == 2
    assert status_of(second) == "waiting"

    def sent():
        db.session.commit()
        return db.session.query(OutboxMessage).filter_by(status="sent").all()

    [mail] = wait_until(sent, timeout=10)
    assert mail.to == "first@example.com" and entry.token in mail.body

    # The offer lapses (3 s): its seats go back and on to the next group, who wants all 3.
    wait_until(lambda: status_of(second) == "offered", timeout=15)
    assert status_of(first) == "lapsed"
    entry = db.session.get(WaitlistEntry, second)
    assert len(get_hold(entry.hold_id, "c2").seat_ids) == 3
