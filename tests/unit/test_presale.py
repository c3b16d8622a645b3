"""Presale codes: redeemed atomically (a single-use code raced by 50 customers admits
one), once per customer, within their dates, with a seat cap the holds obey."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import g

from tests.factories import make_event, seat_ids
from webapp.booking import hold_seats
from webapp.booking.errors import BookingError
from webapp.booking.models import Event, PresaleCode, PresaleRedemption, StaffAction, utcnow
from webapp.booking.onsale import presale, room
from webapp.extensions import db


def presale_event(**code):
    event = make_event(rows=2, seats_per_row=10)
    row = db.session.get(Event, event.id)
    row.sale_opens_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    room.forget(event.id)
    settings = {"max_uses": 1, "seat_cap": 2, "valid_from": None, "valid_until": None} | code
    presale.create_code(event.id, " fan-club ", actor="staff:boss@example.com", **settings)
    return event


def test_single_use_code_raced_by_fifty_customers_admits_one(app, rds):
    event_id = presale_event().id  # read here: threads must not load the main session's rows
    barrier = threading.Barrier(50)
    outcomes: list[str] = []

    def redeem(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                presale.redeem(event_id, f"c{i}", "FAN-CLUB")
                outcomes.append("pass")
            except BookingError as exc:
                outcomes.append(exc.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=redeem, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["code_used_up"] * 49 + ["pass"]
    db.session.commit()
    assert db.session.query(PresaleRedemption).count() == 1
    assert db.session.query(PresaleCode).one().uses == 1


def test_redeeming_again_costs_no_second_use(app, rds):
    event = presale_event(max_uses=2)
    first = presale.redeem(event.id, "ann", "fan-club")
    again = presale.redeem(event.id, "ann", "FAN-CLUB ")
    assert first and again
    assert db.session.query(PresaleCode).one().uses == 1
    presale.redeem(event.id, "bob", "fan-club")
    with pytest.raises(BookingError) as err:
        presale.redeem(event.id, "cat", "fan-club")
    assert err.value.code == "code_used_up"


def test_code_dates_unknown_codes_and_the_audit_trail(app, rds):
    event = presale_event(valid_from=utcnow() + timedelta(minutes=5))
    with pytest.raises(BookingError) as err:
        presale.redeem(event.id, "ann", "fan-club")
    assert err.value.code == "code_not_valid_now" and "valid from" in err.value.message
    for wrong in ("nope", "", None, 12, "x" * 500, "AB\x00CD", "\u008b\x00\u00eaL\u00bb"):
        with pytest.raises(BookingError) as err:
            presale.redeem(event.id, "ann", wrong)
        assert err.value.code == "code_not_found"
    action = db.session.query(StaffAction).one()
    assert action.actor == "staff:boss@example.com" and "FAN-CLUB" in action.detail
    with pytest.raises(BookingError) as err:  # the same code twice for one event
        presale.create_code(event.id, "fan-club", 1, 2, None, None, actor="staff:x")
    assert err.value.code == "invalid_input"


def test_the_code_pass_opens_the_sale_early_within_its_seat_cap(app, rds):
    event = presale_event(seat_cap=2)
    token = presale.redeem(event.id, "ann", "fan-club")
    with app.test_request_context():
        g.seat_cap = room.gate(event.id, "ann", token)
        assert g.seat_cap == 2
        with pytest.raises(BookingError) as err:
            hold_seats(event.id, "ann", seat_ids(event)[:3])
        assert err.value.code == "seat_limit" and "2" in err.value.message
        hold_seats(event.id, "ann", seat_ids(event)[:2])
    with pytest.raises(BookingError) as err:  # without the pass: not yet on sale
        room.gate(event.id, "bob", None)
    assert err.value.code == "sale_not_open"
