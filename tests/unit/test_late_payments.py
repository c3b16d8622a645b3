"""Late payments (issue 14.1): a payment that arrives after the booking ended never
confirms a booking someone cancelled, nor a seat staff took off sale; it is refunded."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_event, seat_ids
from tests.unit.test_checkout import checkout, lapse
from webapp.booking import confirm_payment, expire_hold, hold_seats, release_hold
from webapp.booking.holds import keys
from webapp.booking.holds.holdstore import store
from webapp.booking.models import BookingSeat, Payment, Seat
from webapp.booking.orders.boxoffice import release_any_hold, set_blocked
from webapp.extensions import db


def payment_of(body) -> str:
    return body["payment_url"].rsplit("/", 1)[1]


def assert_refunded_and_blocked(booking, rds, event, seat):
    assert booking.status == "refunded"
    assert "refunded" in booking.status_reason
    refunds = db.session.scalars(select(Payment).where(Payment.kind == "refund")).all()
    assert [r.amount_cents for r in refunds] == [booking.amount_cents]
    assert not db.session.scalars(select(BookingSeat).where(BookingSeat.active)).all()
    assert db.session.get(Seat, seat).blocked
    assert rds.get(keys.seat(event.id, seat)) == "blocked"


def test_payment_after_staff_released_and_blocked_the_seat_is_refunded(app, rds):
    event = make_event()
    seat = seat_ids(event)[0]
    hold = hold_seats(event.id, "alice", [seat])
    _, body = checkout(hold)
    release_any_hold(hold.hold_id)
    set_blocked(event.id, ["A1"], True)
    booking = confirm_payment(payment_of(body), True)
    assert_refunded_and_blocked(booking, rds, event, seat)
    assert "box office" in booking.status_reason


def test_payment_after_lapse_then_block_is_refunded(app, rds):
    event = make_event()
    seat = seat_ids(event)[0]
    hold = hold_seats(event.id, "alice", [seat])
    _, body = checkout(hold)
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    set_blocked(event.id, ["A1"], True)
    booking = confirm_payment(payment_of(body), True)
    assert_refunded_and_blocked(booking, rds, event, seat)


def test_payment_after_staff_release_alone_is_refunded(app, rds):
    """Staff cancelled the booking: even with the seat still free, the money goes back."""
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    release_any_hold(hold.hold_id)
    booking = confirm_payment(payment_of(body), True)
    assert booking.status == "refunded" and "cancelled" in booking.status_reason
    assert rds.get(keys.seat(event.id, hold.seat_ids[0])) is None


def test_payment_after_customer_released_is_refunded(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    release_hold(hold.hold_id, "alice")
    assert confirm_payment(payment_of(body), True).status == "refunded"


def test_paid_after_decline_still_confirms_while_free(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    assert confirm_payment(payment_of(body), False).status == "pending"
    assert confirm_payment(payment_of(body), True).status == "confirmed"


def test_sell_never_overwrites_blocked(app, rds):
    event = make_event()
    seat = seat_ids(event)[0]
    rds.set(keys.seat(event.id, seat), "blocked")
    assert store().finish(event.id, "h-x", "alice", [seat], "sell") == []
    assert rds.get(keys.seat(event.id, seat)) == "blocked"
    assert rds.hget(keys.tag(event.id) + ":bought", "alice") is None


# Fencing (issue 14.4): every take of a seat gets a number above any earlier take's.


def test_seat_added_to_an_older_basket_beats_an_older_late_payment(app, rds):
    """Alice's basket is older than Bob's hold; once Bob's hold lapsed and Alice added
    the seat, Bob's late payment must lose to her live hold."""
    event = make_event()
    a1, a2 = seat_ids(event)[:2]
    basket = hold_seats(event.id, "alice", [a1])
    bob = hold_seats(event.id, "bob", [a2])
    _, body = checkout(bob, customer="bob", key="kb")
    lapse(rds, bob)
    assert expire_hold(bob.hold_id) == "expired"
    grown = hold_seats(event.id, "alice", [a2], add_to=basket.hold_id)
    assert grown.fence > bob.fence > basket.fence
    assert store().seat_fences(event.id, [a2])[a2] == grown.fence
    assert store().info(event.id, basket.hold_id)["fence"] == grown.fence
    assert confirm_payment(payment_of(body), True).status == "refunded"
    status, _ = checkout(basket, customer="alice", key="ka")
    assert status == 201  # her checkout of both seats goes through


def test_fences_keep_rising_after_the_counter_goes_back(app, rds):
    """A counter restored from an older snapshot (or a lagging replica) must not hand
    out a number already used."""
    event = make_event()
    ids = seat_ids(event)
    first = hold_seats(event.id, "alice", ids[:1])
    rds.set(keys.fence(event.id), 5)
    second = hold_seats(event.id, "bob", ids[1:2])
    assert second.fence > first.fence
    rds.delete(keys.fence(event.id))
    third = hold_seats(event.id, "carol", ids[2:3])
    assert third.fence > second.fence
