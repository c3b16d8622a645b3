"""start_checkout, confirm_payment, expire_hold and the idempotency rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from tests.factories import make_event, seat_ids
from webapp.booking import (
    BookingError,
    confirm_payment,
    expire_hold,
    hold_seats,
    release_hold,
    seat_states,
    start_checkout,
    sweep_expired,
)
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingSeat, Payment, utcnow
from webapp.extensions import db


def checkout(hold, customer="alice", key="k1", name="Alice Adams", email="alice@example.com"):
    return start_checkout(hold.hold_id, customer, name, email, key)


def status_of(event_id, label, customer=None):
    return {s.label: s.status for s in seat_states(event_id, customer).seats}[label]


def lapse(rds, hold, booking_ref=None):
    """Make a hold lapse now: drop its Redis timer and seat keys, move the deadline back."""
    for seat in hold.seat_ids:
        rds.delete(keys.seat(hold.event_id, seat))
    rds.delete(keys.hold_timer(hold.event_id, hold.hold_id))
    rds.zremrangebyscore(keys.held(hold.event_id), "-inf", "+inf")
    db.session.execute(
        update(Booking)
        .where(Booking.hold_id == hold.hold_id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def test_checkout_creates_pending_booking_with_payment(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:2])
    status, body = checkout(hold)
    assert status == 201
    b = body["booking"]
    assert b["status"] == "pending" and b["amount_cents"] == 4000
    assert sorted(b["seat_ids"]) == sorted(hold.seat_ids)
    assert body["payment_url"].startswith("/pay/pay_")
    assert status_of(event.id, "A1", "alice") == "mine"
    assert status_of(event.id, "A1", "bob") == "held"


def test_checkout_replays_same_key_and_refuses_changed_body(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    first = checkout(hold)
    assert checkout(hold) == first
    with pytest.raises(BookingError) as err:
        checkout(hold, name="Somebody Else")
    assert err.value.code == "idempotency_mismatch" and err.value.status == 422
    assert db.session.query(Booking).count() == 1


def test_checkout_requires_key(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    for bad, code in [
        (None, "idempotency_key_missing"),
        ("", "idempotency_key_missing"),
        ("x" * 300, "idempotency_key_invalid"),
        ("a\nb", "idempotency_key_invalid"),
    ]:
        with pytest.raises(BookingError) as err:
            checkout(hold, key=bad)
        assert err.value.code == code and err.value.status == 400
    assert db.session.query(Booking).count() == 0


@pytest.mark.parametrize(
    "name,email",
    [
        ("", "a@example.com"),
        ("  ", "a@example.com"),
        ("A", "not-an-email"),
        ("A", None),
        (None, "a@b.co"),
        ("x" * 201, "a@example.com"),
    ],
)
def test_checkout_refuses_bad_contact_details(app, name, email):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    with pytest.raises(BookingError) as err:
        checkout(hold, name=name, email=email)
    assert err.value.status == 422
    assert db.session.query(Booking).count() == 0


def test_checkout_of_someone_elses_or_second_checkout_of_hold(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    status, body = checkout(hold, customer="mallory")
    assert status == 404 and body["error"] == "hold_not_found"
    assert checkout(hold)[0] == 201
    status, body = checkout(hold, key="another")
    assert status == 409 and body["error"] == "hold_checked_out"


def test_checkout_of_lapsed_hold_is_gone(app, rds):
    app.config["HOLD_TTL_SECONDS"] = 1
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    rds.delete(keys.hold_timer(event.id, hold.hold_id))
    status, body = checkout(hold)
    assert status == 410 and body["error"] == "hold_expired"
    rds.delete(keys.hold_info(event.id, hold.hold_id))
    assert checkout(hold, key="k2")[0] == 410


def test_unique_index_refuses_second_active_booking_of_a_seat(app):
    """The last line of defence, on its own: no code path needed."""
    event = make_event()
    seat = seat_ids(event)[0]
    hold = hold_seats(event.id, "alice", [seat])
    _, body = checkout(hold)
    booking = db.session.scalar(select(Booking))
    db.session.add(
        BookingSeat(
            booking_id=booking.id, event_id=event.id, seat_id=seat, price_cents=1, active=True
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(
        BookingSeat(
            booking_id=booking.id, event_id=event.id, seat_id=seat, price_cents=1, active=False
        )
    )
    db.session.commit()  # inactive rows are history and may repeat


def test_redis_flushed_between_hold_and_checkout_never_double_books(app, rds):
    event = make_event()
    seat = seat_ids(event)[0]
    a = hold_seats(event.id, "alice", [seat])
    assert checkout(a)[0] == 201
    rds.flushall()  # Redis forgets every hold
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [seat])  # the database still knows
    assert err.value.code == "seats_unavailable"
    assert status_of(event.id, "A1") == "held"


def test_redis_flushed_mid_checkout_database_decides(app, rds):
    """Both customers hold the seat in Redis (a flush in between); only one can check out."""
    event = make_event()
    seat = seat_ids(event)[0]
    a = hold_seats(event.id, "alice", [seat])
    rds.delete(keys.seat(event.id, seat))  # Redis lost Alice's seat key only
    b = hold_seats(event.id, "bob", [seat])
    assert checkout(a)[0] == 201
    status, body = checkout(b, customer="bob")
    assert status == 409 and body["error"] == "seats_unavailable"
    active = db.session.scalars(select(BookingSeat).where(BookingSeat.active)).all()
    assert len(active) == 1


def test_payment_confirms_and_marks_seats_sold(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:2])
    _, body = checkout(hold)
    payment_id = body["payment_url"].rsplit("/", 1)[1]
    booking = confirm_payment(payment_id, True)
    assert booking.status == "confirmed"
    assert status_of(event.id, "A1", "alice") == "booked"
    assert rds.get(keys.seat(event.id, hold.seat_ids[0])) == "sold"
    assert not rds.exists(keys.hold_info(event.id, hold.hold_id))
    assert confirm_payment(payment_id, True).status == "confirmed"  # twice is harmless
    assert confirm_payment(payment_id, False).status == "confirmed"  # a late contradiction too
    with pytest.raises(BookingError):
        release_hold(hold.hold_id, "alice")


def test_declined_payment_keeps_the_seats_held_until_the_hold_lapses(app, rds):
    """Issues 26 and 29.1: a decline used to cancel the booking and free the seats at
    once; the customer may now pay again (another card) while the hold lasts."""
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    payment_id = body["payment_url"].rsplit("/", 1)[1]
    booking = confirm_payment(payment_id, False)
    assert booking.status == "pending" and "pay again" in booking.status_reason
    assert status_of(event.id, "A1", "alice") == "mine"
    with pytest.raises(BookingError):
        hold_seats(event.id, "bob", hold.seat_ids)
    booking = confirm_payment(payment_id, True)  # the second card
    assert booking.status == "confirmed" and booking.status_reason is None
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) != "expired"  # paid: the lapse no longer ends it


def test_unknown_payment(app):
    with pytest.raises(BookingError) as err:
        confirm_payment("pay_nope", True)
    assert err.value.status == 404


def test_late_payment_confirms_when_seats_still_free(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    booking = confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    assert booking.status == "confirmed"
    assert status_of(event.id, "A1") == "booked"


def test_late_payment_after_resale_is_refunded(app, rds):
    event = make_event()
    seat = seat_ids(event)[:1]
    a = hold_seats(event.id, "alice", seat)
    _, body = checkout(a)
    lapse(rds, a)
    b = hold_seats(event.id, "bob", seat)  # Alice's lapsed booking does not block Bob
    assert checkout(b, customer="bob", key="kb")[0] == 201
    booking = confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    assert booking.status == "refunded" and "refunded" in booking.status_reason
    refunds = db.session.scalars(select(Payment).where(Payment.kind == "refund")).all()
    assert [r.amount_cents for r in refunds] == [booking.amount_cents]
    active = db.session.scalars(select(BookingSeat).where(BookingSeat.active)).all()
    assert [row.booking.customer_id for row in active] == ["bob"]


def test_late_payment_loses_to_newer_hold_even_before_its_checkout(app, rds):
    """Fencing: Bob holds the seat after Alice's hold lapsed; Alice's late payment is refunded."""
    event = make_event()
    seat = seat_ids(event)[:1]
    a = hold_seats(event.id, "alice", seat)
    _, body = checkout(a)
    lapse(rds, a)
    hold_seats(event.id, "bob", seat)
    booking = confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    assert booking.status == "refunded"


def test_expire_hold_is_idempotent_and_spares_live_and_confirmed(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = checkout(hold)
    assert expire_hold(hold.hold_id) == "alive"
    lapse(rds, hold)
    assert expire_hold(hold.hold_id) == "expired"
    assert expire_hold(hold.hold_id) in ("gone", "released")
    assert db.session.scalar(select(Booking)).status == "expired"
    assert status_of(event.id, "A1") == "available"
    other = hold_seats(event.id, "bob", seat_ids(event)[1:2])
    _, body = checkout(other, customer="bob", key="kb")
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    assert expire_hold(other.hold_id) == "confirmed"
    assert expire_hold("garbage") == "invalid"


def test_sweep_expires_pending_past_deadline(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    checkout(hold)
    assert sweep_expired() == 0
    lapse(rds, hold)
    assert sweep_expired(utcnow() + timedelta(seconds=60)) == 1
    assert sweep_expired(utcnow() + timedelta(seconds=60)) == 0


def test_release_after_checkout_cancels_pending_booking(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    checkout(hold)
    release_hold(hold.hold_id, "alice")
    assert db.session.scalar(select(Booking)).status == "cancelled"
    assert status_of(event.id, "A1") == "available"


def test_bought_seats_count_towards_customer_limit(app):
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:6])
    _, body = checkout(hold)
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    hold_seats(event.id, "alice", ids[6:8])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", ids[8:9])
    assert err.value.code == "seat_limit"


def test_best_available_after_redis_loss_skips_database_taken_seats(app, rds):
    """Redis forgot everything; best available must still never offer a taken seat."""
    from webapp.booking import hold_best_available

    event = make_event(rows=1, seats_per_row=4)
    ids = seat_ids(event)
    sold = hold_seats(event.id, "alice", ids[1:3])  # the two centre seats, the best ones
    _, body = checkout(sold)
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    pending = hold_seats(event.id, "bob", ids[3:4])
    checkout(pending, customer="bob", key="kb")
    rds.flushall()
    got = hold_best_available(event.id, "carol", 1)
    assert got.seat_ids == [ids[0]]  # the only seat the database says is free
    assert rds.get(keys.seat(event.id, ids[1])) == "sold"  # marks were rebuilt
    assert rds.get(keys.seat(event.id, ids[3])) == pending.hold_id
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "dave", 1)
    assert err.value.code == "sold_out"


def test_a_retry_after_the_claim_lapsed_replays_and_books_nothing_more(app, rds):
    """The key's claim lives in Redis for a minute; the database keeps the answer. A retry
    once the claim is gone (lapsed, or Redis lost it) runs into the stored answer."""
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:2])
    first = checkout(hold)
    assert first[0] == 201
    for claim in rds.scan_iter("hf:idem:*"):
        rds.delete(claim)
    assert checkout(hold) == first
    for claim in rds.scan_iter("hf:idem:*"):
        rds.delete(claim)
    with pytest.raises(BookingError) as err:
        checkout(hold, name="Someone Else")
    assert err.value.code == "idempotency_mismatch"
    assert db.session.scalar(select(func.count(Booking.id))) == 1


def test_a_key_claimed_by_a_request_still_running_is_refused(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    rds.set("hf:idem:checkout:alice:k1", "1", px=60_000)  # another request holds the claim
    with pytest.raises(BookingError) as err:
        checkout(hold)
    assert err.value.code == "idempotency_in_flight" and err.value.status == 409
    assert db.session.scalar(select(func.count(Booking.id))) == 0
