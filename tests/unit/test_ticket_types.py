"""Ticket types per price zone: chosen per seat, priced and totalled by the server."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_by_label
from webapp.booking import BookingError, hold_seats, start_checkout
from webapp.booking.holds import ticket_types
from webapp.booking.reports.catalog import get_booking


def family_event():
    return make_event(
        rows=2, seats_per_row=6, price_cents=4000, ticket_types={"child": 1500, "concession": 3000}
    )


def test_basket_total_follows_the_chosen_types_and_checkout_charges_it(app):
    event = family_event()
    a1, a2, a3 = (seat_by_label(event, label).id for label in ("A1", "A2", "A3"))
    hold = hold_seats(event.id, "mum", [a1, a2, a3])
    ticket_types.choose(hold.hold_id, "mum", a2, "child")
    priced = ticket_types.choose(hold.hold_id, "mum", a3, "concession")
    lines = priced.lines
    assert priced.total_cents == 8500
    assert [(line.seat.label, line.ticket_type, line.price_cents) for line in lines] == [
        ("A1", "adult", 4000),
        ("A2", "child", 1500),
        ("A3", "concession", 3000),
    ]
    assert [o.code for o in lines[0].choices] == ["adult", "child", "concession"]
    status, body = start_checkout(hold.hold_id, "mum", "Mum", "mum@example.com", "key-1")
    assert status == 201 and body["booking"]["amount_cents"] == 8500
    booking = get_booking(body["booking"]["reference"], "mum")
    assert sorted((bs.ticket_type, bs.price_cents) for bs in booking.seats) == [
        ("adult", 4000),
        ("child", 1500),
        ("concession", 3000),
    ]
    assert booking.payments[0].amount_cents == 8500


def test_types_can_be_changed_back_and_unknown_types_are_refused(app):
    event = family_event()
    a1 = seat_by_label(event, "A1").id
    hold = hold_seats(event.id, "dad", [a1])
    ticket_types.choose(hold.hold_id, "dad", a1, "child")
    assert ticket_types.choose(hold.hold_id, "dad", a1, "adult").lines[0].price_cents == 4000
    with pytest.raises(BookingError) as err:
        ticket_types.choose(hold.hold_id, "dad", a1, "student")
    assert err.value.code == "ticket_type_unknown"
    assert err.value.message == "A1 can be booked as Adult, Child and Concession only."


def test_only_the_holder_may_choose_and_only_for_seats_in_the_hold(app):
    event = family_event()
    a1, b1 = seat_by_label(event, "A1").id, seat_by_label(event, "B1").id
    hold = hold_seats(event.id, "dad", [a1])
    with pytest.raises(BookingError) as err:
        ticket_types.choose(hold.hold_id, "stranger", a1, "child")
    assert err.value.code == "hold_not_found"
    with pytest.raises(BookingError) as err:
        ticket_types.choose(hold.hold_id, "dad", b1, "child")
    assert err.value.code == "invalid_input"
    start_checkout(hold.hold_id, "dad", "Dad", "dad@example.com", "k")
    with pytest.raises(BookingError) as err:
        ticket_types.choose(hold.hold_id, "dad", a1, "child")
    assert err.value.code == "hold_checked_out"


def test_zones_without_extra_types_offer_adult_only(app):
    event = make_event()
    a1 = seat_by_label(event, "A1").id
    hold = hold_seats(event.id, "x", [a1])
    with pytest.raises(BookingError) as err:
        ticket_types.choose(hold.hold_id, "x", a1, "child")
    assert err.value.code == "ticket_type_unknown"
