"""The waiting list: joining when sold out, strict order, offers as holds, lapsed offers."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.factories import make_event, seat_ids
from webapp.booking import BookingError, expire_hold, hold_best_available, hold_seats, release_seats
from webapp.booking.models import OutboxMessage, WaitlistEntry, utcnow
from webapp.booking.onsale import waitlist
from webapp.booking.orders import outbox
from webapp.extensions import db


@pytest.fixture
def app_config():
    return {"WAITLIST_OFFER_SECONDS": 2, "PUBLIC_BASE_URL": "https://tickets.example"}


def sold_out_event():
    event = make_event(rows=1, seats_per_row=4)
    hold = hold_seats(event.id, "early", seat_ids(event))
    return event, hold


def entry(entry_id: int) -> WaitlistEntry:
    db.session.expire_all()
    return db.session.get(WaitlistEntry, entry_id)


def test_joining_is_only_for_sold_out_events_and_checks_its_input(app):
    event = make_event(rows=1, seats_per_row=4)
    with pytest.raises(BookingError) as err:
        waitlist.join(event.id, "x", "x@example.com", 2)
    assert err.value.code == "not_sold_out" and err.value.details["left"] == 4
    hold_seats(event.id, "early", seat_ids(event)[:3])
    with pytest.raises(BookingError):
        waitlist.join(event.id, "x", "x@example.com", 1)  # one seat left: buy it
    for email, quantity in (("nope", 2), ("x@example.com", 0), ("x@example.com", "2")):
        with pytest.raises(BookingError) as err:
            waitlist.join(event.id, "x", email, quantity)
        assert err.value.code == "invalid_input"
    with pytest.raises(BookingError) as err:
        waitlist.join(event.id, "x", "x@example.com", 99)
    assert err.value.code == "seat_limit"
    first = waitlist.join(event.id, "x", "x@example.com", 2)
    again = waitlist.join(event.id, "x", "x@example.com", 2)
    assert first.entry.id == again.entry.id and first.position == again.position == 1
    assert waitlist.join(event.id, "y", "y@example.com", 2).position == 2


def test_returned_seats_go_to_the_first_group_as_a_hold_with_an_email(app):
    event, early = sold_out_event()
    x = waitlist.join(event.id, "cx", "x@example.com", 2).entry
    y = waitlist.join(event.id, "cy", "y@example.com", 1).entry
    release_seats(early.hold_id, "early", early.seat_ids[:1])
    # One seat back: the head group wants two, so nobody is offered (strict order).
    assert waitlist.offer_next(event.id) == []
    release_seats(early.hold_id, "early", early.seat_ids[1:2])
    assert waitlist.offer_next(event.id) == [x.id]
    offered = entry(x.id)
    assert offered.status == "offered" and entry(y.id).status == "waiting"
    from webapp.booking import get_hold

    hold = get_hold(offered.hold_id, "cx")
    assert sorted(hold.seat_ids) == sorted(early.seat_ids[:2])
    assert (hold.expires_at - utcnow()).total_seconds() <= 2  # WAITLIST_OFFER_SECONDS
    # Offered seats are held: an ordinary buyer cannot have them.
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "walk-in", 1)
    assert err.value.code == "sold_out"
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert mail.to == "x@example.com" and mail.status == "queued"
    assert f"https://tickets.example/waitlist/{offered.token}" in mail.body
    assert outbox.send_pending() == {"sent": 1, "failed": 0, "retry": 0}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, mail.id).status == "sent"


def test_a_lapsed_offer_moves_on_to_the_next_group(app):
    event, early = sold_out_event()
    x = waitlist.join(event.id, "cx", "x@example.com", 2).entry
    y = waitlist.join(event.id, "cy", "y@example.com", 2).entry
    release_seats(early.hold_id, "early", early.seat_ids[:2])
    assert waitlist.offer_next(event.id) == [x.id]
    offer_hold = entry(x.id).hold_id
    time.sleep(2.2)  # WAITLIST_OFFER_SECONDS = 2
    assert expire_hold(offer_hold) == "released"  # what the expiry listener does
    assert waitlist.offer_next(event.id) == [y.id]
    assert entry(x.id).status == "lapsed" and entry(y.id).status == "offered"
    with pytest.raises(BookingError) as err:
        waitlist.claim(entry(x.id).token, "cx")
    assert err.value.code == "offer_lapsed"
    assert waitlist.claim(entry(y.id).token, "cy").id == y.id
    with pytest.raises(BookingError) as err:
        waitlist.claim("not-a-token", "cz")
    assert err.value.code == "offer_not_found"


def test_a_checked_out_offer_is_marked_booked(app):
    from webapp.booking import start_checkout

    event, early = sold_out_event()
    x = waitlist.join(event.id, "cx", "x@example.com", 2).entry
    release_seats(early.hold_id, "early", early.seat_ids[:2])
    waitlist.offer_next(event.id)
    status, _ = start_checkout(entry(x.id).hold_id, "cx", "X", "x@example.com", "k")
    assert status == 201
    waitlist.offer_next(event.id)
    assert entry(x.id).status == "booked"
