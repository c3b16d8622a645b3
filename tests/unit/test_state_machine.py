"""Property-based: random hold/release/checkout/pay/expire sequences never break an invariant.

Runs the real domain against the real Redis and database; after every step a
checker looks for the first violated invariant of ARCHITECTURE.md.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from flask import current_app
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select, update

from tests.conftest import clean_database
from tests.factories import make_event, seat_ids
from webapp.booking import (
    BookingError,
    confirm_payment,
    expire_hold,
    hold_best_available,
    hold_seats,
    release_hold,
    seat_states,
    start_checkout,
)
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingSeat, Payment, utcnow
from webapp.extensions import db

CUSTOMERS = st.sampled_from(["ann", "bob", "cat"])


def run_domain(call):
    """Run a domain call; a refusal is a legal outcome, anything else propagates."""
    try:
        return call()
    except BookingError:
        db.session.rollback()
        return None


class Booking_Machine(RuleBasedStateMachine):
    holds = Bundle("holds")
    payments = Bundle("payments")

    def __init__(self):
        super().__init__()
        self.rds = current_app.extensions["holdfast_redis"]
        self.rds.flushall()
        clean_database()
        self.event = make_event(rows=1, seats_per_row=6)
        self.ids = seat_ids(self.event)
        self.keys_used = 0

    @rule(
        target=holds,
        customer=CUSTOMERS,
        picks=st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True),
    )
    def hold(self, customer, picks):
        hold = run_domain(lambda: hold_seats(self.event.id, customer, [self.ids[p] for p in picks]))
        return (customer, hold.hold_id) if hold else (customer, f"{self.event.id}-none")

    @rule(target=holds, customer=CUSTOMERS, n=st.integers(1, 3))
    def best(self, customer, n):
        hold = run_domain(lambda: hold_best_available(self.event.id, customer, n))
        return (customer, hold.hold_id) if hold else (customer, f"{self.event.id}-none")

    @rule(held=holds, as_other=st.booleans())
    def release(self, held, as_other):
        customer, hold_id = held
        run_domain(lambda: release_hold(hold_id, "mallory" if as_other else customer))

    @rule(target=payments, held=holds)
    def checkout(self, held):
        customer, hold_id = held
        self.keys_used += 1
        status, body = start_checkout(
            hold_id, customer, "N", "n@example.com", f"key-{self.keys_used}"
        )
        return body["payment_url"].rsplit("/", 1)[1] if status == 201 else "pay_none"

    @rule(payment=payments, succeeded=st.booleans())
    def pay(self, payment, succeeded):
        run_domain(lambda: confirm_payment(payment, succeeded))

    @rule(held=holds)
    def lapse(self, held):
        """The hold's time runs out (Redis keys go, the booking's deadline passes)."""
        _, hold_id = held
        info = self.rds.hgetall(keys.hold_info(self.event.id, hold_id))
        for seat in (info.get("seats") or "").split(","):
            if seat and self.rds.get(keys.seat(self.event.id, int(seat))) == hold_id:
                self.rds.delete(keys.seat(self.event.id, int(seat)))
                self.rds.zrem(keys.held(self.event.id), seat)
        self.rds.delete(keys.hold_timer(self.event.id, hold_id))
        db.session.execute(
            update(Booking)
            .where(Booking.hold_id == hold_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        expire_hold(hold_id)

    @rule()
    def redis_forgets(self):
        """Redis loses everything (restart without persistence)."""
        self.rds.flushall()

    @invariant()
    def one_seat_one_sale(self):
        db.session.commit()
        active = db.session.scalars(select(BookingSeat.seat_id).where(BookingSeat.active)).all()
        twice = [s for s, n in Counter(active).items() if n > 1]
        assert not twice, f"seats in two active bookings: {twice}"

    @invariant()
    def nobody_pays_for_nothing(self):
        paid = db.session.scalars(
            select(Booking)
            .join(Payment)
            .where(Payment.kind == "charge", Payment.status == "succeeded")
        ).all()
        for booking in paid:
            assert booking.status in ("confirmed", "refunded"), booking.status
            if booking.status == "refunded":
                assert any(p.kind == "refund" for p in booking.payments)

    @invariant()
    def confirmed_means_seats_and_booked_on_the_map(self):
        states = {s.id: s.status for s in seat_states(self.event.id).seats}
        for booking in db.session.scalars(select(Booking).where(Booking.status == "confirmed")):
            for bs in booking.seats:
                assert bs.active and states[bs.seat_id] == "booked"


@pytest.mark.slow
def test_random_operations_keep_every_invariant(app):
    run_state_machine_as_test(
        Booking_Machine,
        settings=settings(
            max_examples=150,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
