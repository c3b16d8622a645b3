"""Hold edge cases (issue 14.12): a basket whose info is gone, seats added from another
address, extending a hold counted per address, a release racing a checkout."""

from __future__ import annotations

import pytest
import redis
from sqlalchemy import select

from tests.factories import make_event, seat_ids
from tests.unit.test_checkout import checkout
from webapp.booking import BookingError, extend_hold, hold_best_available, hold_seats, release_hold
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingSeat
from webapp.booking.orders import checkout as checkout_module
from webapp.booking.orders.boxoffice import release_any_hold
from webapp.extensions import db


def test_adding_to_a_hold_whose_info_is_gone_is_refused(app, rds):
    event = make_event()
    ids = seat_ids(event)
    basket = hold_seats(event.id, "alice", ids[:1])
    rds.delete(keys.hold_info(event.id, basket.hold_id))
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", ids[1:2], add_to=basket.hold_id)
    assert err.value.code == "hold_expired"
    assert not rds.exists(keys.hold_info(event.id, basket.hold_id))
    assert rds.get(keys.seat(event.id, ids[1])) is None


def test_seats_added_from_another_address_leave_with_the_basket(app, rds):
    event = make_event()
    ids = seat_ids(event)
    basket = hold_seats(event.id, "alice", ids[:1], client="10.0.0.1")
    hold_seats(event.id, "alice", ids[1:2], add_to=basket.hold_id, client="10.0.0.2")
    first, second = keys.client(event.id, "10.0.0.1"), keys.client(event.id, "10.0.0.2")
    assert rds.zcard(first) == 2 and rds.zcard(second) == 0  # counted where it started
    release_hold(basket.hold_id, "alice")
    assert rds.zcard(first) == 0 and rds.zcard(second) == 0


def test_extending_a_hold_extends_its_address_entries(app, rds):
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:2], client="10.0.0.1")
    longer = extend_hold(hold.hold_id, "alice")
    at = keys.client(event.id, "10.0.0.1")
    want = int((longer.expires_at - hold.expires_at).total_seconds() * 1000)
    assert want > 0
    for seat in ids[:2]:
        assert rds.zscore(at, seat) == rds.zscore(keys.held(event.id), seat)
    assert rds.pttl(at) > (longer.expires_at - hold.expires_at).total_seconds() * 1000


def test_staff_release_during_checkout_is_not_undone(app, rds, monkeypatch):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    real_insert = checkout_module._insert_booking

    def released_meanwhile(*args, **kwargs):
        release_any_hold(hold.hold_id)  # between the liveness check and the insert
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(checkout_module, "_insert_booking", released_meanwhile)
    status, body = checkout(hold)
    assert status == 410 and body["error"] == "hold_expired"
    db.session.commit()
    booking = db.session.scalar(select(Booking).where(Booking.hold_id == hold.hold_id))
    assert booking.status == "cancelled"
    assert not db.session.scalars(select(BookingSeat).where(BookingSeat.active)).all()
    assert rds.get(keys.seat(event.id, hold.seat_ids[0])) is None
    hold_seats(event.id, "bob", hold.seat_ids)  # the seat is on sale again, for real
    assert checkout(hold)[0] == 410  # a retry with the same key replays the refusal


def test_redis_lost_after_the_commit_leaves_the_acknowledged_booking(app, rds, monkeypatch):
    """CI caught it mid-rush: Redis restarted between the commit and the second look at the
    hold, the customer got 503 and the booking stayed pending, told as failed."""
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    real_insert = checkout_module._insert_booking

    class Unreachable:
        def info(self, *args):
            raise redis.ConnectionError("Connection refused")

    def redis_goes_away(*args, **kwargs):
        reply = real_insert(*args, **kwargs)
        monkeypatch.setattr(checkout_module, "store", Unreachable)
        return reply

    monkeypatch.setattr(checkout_module, "_insert_booking", redis_goes_away)
    status, body = checkout(hold)
    assert status == 201
    db.session.commit()
    booking = db.session.scalar(select(Booking).where(Booking.hold_id == hold.hold_id))
    assert booking.status == "pending" and body["booking"]["reference"] == booking.reference
    assert checkout(hold) == (status, body)  # the same key replays the acknowledgement


def test_release_racing_checkout_never_leaves_a_booking_on_a_released_hold(app, rds):
    """Real threads: checkout and the box office's release of the same hold at once, 25
    times. Whatever the order, the released hold ends with no active booking."""
    import threading

    event = make_event(rows=5, seats_per_row=10)
    ids = seat_ids(event)
    for i in range(25):
        hold = hold_seats(event.id, f"c{i}", ids[i : i + 1])
        barrier = threading.Barrier(2)

        def run(step, barrier=barrier):
            with app.app_context():
                barrier.wait()
                try:
                    step()
                except BookingError:
                    pass
                finally:
                    db.session.remove()

        def do_checkout(hold=hold, i=i):
            checkout_module.start_checkout(hold.hold_id, f"c{i}", "N", "n@example.com", f"k{i}")

        def do_release(hold=hold):
            release_any_hold(hold.hold_id)

        threads = [threading.Thread(target=run, args=(f,)) for f in (do_checkout, do_release)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        db.session.commit()
        active = db.session.scalars(
            select(BookingSeat).where(BookingSeat.active, BookingSeat.seat_id == ids[i])
        ).all()
        assert active == [], f"round {i}: a booking survived the release"
        assert rds.get(keys.seat(event.id, ids[i])) is None


@pytest.mark.parametrize(
    ("section", "wheelchair", "message"),
    [(["Stalls"], False, "Section must be a name."), (None, "yes", "Wheelchair must be true")],
)
def test_best_available_refuses_badly_typed_options_itself(app, section, wheelchair, message):
    """The domain checks its own input (not only the API route): a list as a section or
    a string as the wheelchair flag is refused with invalid_input, never a TypeError."""
    event = make_event()
    with pytest.raises(BookingError, match=message) as refused:
        hold_best_available(event.id, "alice", 2, section, wheelchair=wheelchair)
    assert refused.value.code == "invalid_input"
