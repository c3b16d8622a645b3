"""Payment webhooks through a real gunicorn and a real RQ worker."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import requests
from sqlalchemy import func, select, update

from tests.factories import make_event, seat_ids
from tests.workers.conftest import WEBHOOK_SECRET, kill_worker_while_it_waits, wait_until
from webapp.booking import hold_seats, start_checkout
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingSeat, Payment, PaymentEvent, utcnow
from webapp.extensions import db
from webapp.webhooks import signature


def checkout(event, customer="alice", seats=None, key="k"):
    hold = hold_seats(event.id, customer, seats or seat_ids(event)[:2])
    status, body = start_checkout(hold.hold_id, customer, "A", "a@example.com", key)
    assert status == 201
    return hold, body["booking"]["reference"], body["payment_url"].rsplit("/", 1)[1]


def post_event(base, event_id, payment_id, type_="payment.succeeded"):
    body = json.dumps({"id": event_id, "type": type_, "data": {"payment_id": payment_id}}).encode()
    return requests.post(
        f"{base}/webhooks/payments",
        data=body,
        timeout=30,
        headers={
            "Content-Type": "application/json",
            signature.HEADER: signature.sign(WEBHOOK_SECRET, body),
        },
    )


def status_of(reference) -> str:
    db.session.commit()
    return db.session.scalar(select(Booking.status).where(Booking.reference == reference))


def settled(reference, want):
    def check():
        return status_of(reference) == want

    check.__name__ = f"booking {reference} becomes {want}"
    return check


def charges(reference):
    db.session.commit()
    rows = db.session.execute(
        select(Payment.kind, Payment.status).join(Booking).where(Booking.reference == reference)
    ).all()
    return sorted(tuple(r) for r in rows)


def race(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        barrier.wait()
        results[i] = fn(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_webhook_delivered_five_times_at_once_confirms_once(app, web, procs, rds):
    procs("worker")
    event = make_event()
    hold, reference, payment_id = checkout(event)
    responses = race(5, lambda i: post_event(web, "evt_same", payment_id))
    assert [r.status_code for r in responses] == [200] * 5
    assert sorted(r.json()["duplicate"] for r in responses) == [False, True, True, True, True]
    wait_until(settled(reference, "confirmed"))
    assert charges(reference) == [("charge", "succeeded")]
    assert db.session.scalar(select(func.count(PaymentEvent.id))) == 1
    # The database commits first, then the seat is marked sold in Redis.
    wait_until(lambda: rds.get(keys.seat(event.id, hold.seat_ids[0])) == "sold", timeout=5)


def test_five_distinct_success_events_still_confirm_once(app, web, procs):
    procs("worker")
    event = make_event()
    _, reference, payment_id = checkout(event)
    race(5, lambda i: post_event(web, f"evt_{i}", payment_id))
    wait_until(settled(reference, "confirmed"))
    wait_until(
        lambda: (
            db.session.scalar(
                select(func.count(PaymentEvent.id)).where(PaymentEvent.processed_at.is_not(None))
            )
            == 5
            or db.session.commit()
        )
    )
    assert charges(reference) == [("charge", "succeeded")]


def test_decline_keeps_the_booking_and_its_seats_for_another_card(app, web, procs, rds):
    procs("worker")
    event = make_event()
    hold, reference, payment_id = checkout(event)
    post_event(web, "evt_no", payment_id, "payment.failed")
    wait_until(lambda: charges(reference) == [("charge", "failed")])
    assert status_of(reference) == "pending"
    assert rds.exists(keys.seat(event.id, hold.seat_ids[0]))  # still held
    post_event(web, "evt_yes", payment_id, "payment.succeeded")  # paid with another card
    wait_until(settled(reference, "confirmed"))


def test_out_of_order_failed_after_succeeded_keeps_the_sale(app, web, procs):
    procs("worker")
    event = make_event()
    _, reference, payment_id = checkout(event)
    post_event(web, "evt_ok", payment_id, "payment.succeeded")
    wait_until(settled(reference, "confirmed"))
    post_event(web, "evt_late_fail", payment_id, "payment.failed")
    wait_until(
        lambda: (
            db.session.commit()
            or db.session.scalar(
                select(PaymentEvent.processed_at).where(PaymentEvent.event_id == "evt_late_fail")
            )
        )
    )
    assert status_of(reference) == "confirmed"


def test_payment_after_expiry_with_seat_resold_is_refunded(app, web, procs, rds):
    procs("worker")
    event = make_event()
    seats = seat_ids(event)[:1]
    hold, reference, payment_id = checkout(event, seats=seats)
    rds.delete(keys.hold_timer(event.id, hold.hold_id), keys.seat(event.id, seats[0]))
    rds.zrem(keys.held(event.id), seats[0])
    db.session.execute(
        update(Booking)
        .where(Booking.reference == reference)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    _, other_ref, _ = checkout(event, customer="bob", seats=seats, key="kb")
    post_event(web, "evt_late", payment_id)
    wait_until(settled(reference, "refunded"))
    assert charges(reference) == [("charge", "succeeded"), ("refund", "succeeded")]
    assert status_of(other_ref) == "pending"
    active = db.session.scalars(select(BookingSeat).where(BookingSeat.active)).all()
    assert [row.booking.reference for row in active] == [other_ref]


def test_worker_killed_mid_confirmation_is_recovered_exactly_once(app, web, procs, database_url):
    """SIGKILL the worker while it confirms payments (it waits on a database lock).

    Five payments are queued; the worker dies inside the first. Recovery: the
    sweep re-enqueues payment events still unprocessed after
    PAYMENT_EVENT_STALE_SECONDS (1 s here, 30 s by default). RQ itself would also
    retry the abandoned job once its started-registry entry expires (job timeout
    30 s + 60 s) at the next registry clean-up (every 30 s in our worker).
    """
    event = make_event()
    ids = seat_ids(event)
    bookings = [checkout(event, f"c{i}", ids[i : i + 1], f"k{i}") for i in range(5)]
    for i, (_, _, payment_id) in enumerate(bookings):
        post_event(web, f"evt_kill_{i}", payment_id)  # stored and queued; no worker yet
    kill_worker_while_it_waits(
        app, procs, "SELECT id FROM payments WHERE public_id = %s FOR UPDATE", bookings[0][2]
    )
    assert status_of(bookings[0][1]) == "pending"
    procs("scheduler")
    procs("worker")  # it schedules the sweep; the sweep finds the stale events
    for _, reference, _ in bookings:
        wait_until(settled(reference, "confirmed"), timeout=30)
        assert charges(reference) == [("charge", "succeeded")]  # once each, no refund
