"""Seat attributes (wheelchair, companion, restricted view) and general-admission areas."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests.factories import make_event, seat_by_label
from webapp.booking import (
    BookingError,
    hold_best_available,
    hold_seats,
    seat_states,
    standing_areas,
    start_checkout,
)
from webapp.booking.models import BookingSeat, Seat
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.extensions import db


def accessible_event():
    return make_event(
        rows=2,
        seats_per_row=6,
        wheelchair=["A1", "A2"],
        companion=["A3"],
        restricted=["B6"],
    )


def festival(capacity: int = 5):
    return create_event(
        "Festival Hall",
        "Gig",
        datetime(2030, 6, 1, 20),
        [
            SectionLayout("Balcony", ["A"], 6, 4000),
            SectionLayout("Floor", [], 0, 3000, standing=capacity),
        ],
    )


def test_seat_attributes_are_stored_and_reported(app):
    event = accessible_event()
    seats = {s.label: s for s in seat_states(event.id).seats}
    assert seats["A1"].kind == "wheelchair" and seats["A3"].kind == "companion"
    assert seats["B6"].restricted and not seats["B5"].restricted
    assert seats["A4"].kind == "seat"


def test_best_available_skips_wheelchair_spaces_unless_asked(app):
    event = accessible_event()
    wheelchair = {seat_by_label(event, label).id for label in ("A1", "A2")}
    for n in range(5):
        hold = hold_best_available(event.id, f"c{n}", 2)
        assert not wheelchair & set(hold.seat_ids)
    # Only wheelchair spaces and their companion seat are left in row A...
    hold = hold_best_available(event.id, "wheels", 2, wheelchair=True)
    labels = {s.label for s in seat_states(event.id, "wheels").seats if s.status == "mine"}
    assert labels & {"A1", "A2"} and labels <= {"A1", "A2", "A3"}
    assert len(hold.seat_ids) == 2


def test_standing_places_are_taken_by_number_with_seats_in_one_step(app):
    event = festival()
    seat = seat_by_label(event, "A3").id
    hold = hold_seats(event.id, "alice", [seat], standing={"Floor": 3})
    assert len(hold.seat_ids) == 4
    [floor] = standing_areas(event.id)
    assert (floor.name, floor.total, floor.available) == ("Floor", 5, 2)
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [], standing={"Floor": 3})
    assert err.value.code == "standing_full" and err.value.details["left"] == 2
    assert err.value.message == "Sorry, only 2 standing places are left in Floor."


def test_a_refused_seat_takes_no_places_and_a_full_area_takes_no_seats(app):
    event = festival()
    a4 = seat_by_label(event, "A4").id
    hold_seats(event.id, "alice", [a4])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [a4], standing={"Floor": 2})
    assert err.value.code == "seats_unavailable"
    assert standing_areas(event.id)[0].available == 5
    hold_seats(event.id, "carol", [], standing={"Floor": 5})
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [seat_by_label(event, "A1").id], standing={"Floor": 1})
    assert err.value.message == "Sorry, Floor is full."
    assert {s.label: s.status for s in seat_states(event.id).seats}["A1"] == "available"


@pytest.mark.parametrize(
    "standing",
    [{"Floor": 0}, {"Floor": -1}, {"Floor": "2"}, {"Floor": True}, ["Floor"], {"Floor": 1.5}],
)
def test_malformed_standing_requests_are_refused(app, standing):
    event = festival()
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [], standing=standing)
    assert err.value.code == "invalid_input"


def test_unknown_area_and_places_by_id_are_refused(app):
    event = festival()
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [], standing={"Balcony": 1})
    assert err.value.code == "section_not_found"
    place = db.session.scalar(select(Seat.id).where(Seat.kind == "standing"))
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [place])
    assert err.value.code == "invalid_input"


def test_the_database_caps_an_area_when_redis_forgets(app, rds):
    """Sold places are rows with the partial unique index: Redis loss cannot oversell."""
    event = festival(capacity=3)
    hold = hold_seats(event.id, "alice", [], standing={"Floor": 3})
    status, _ = start_checkout(hold.hold_id, "alice", "Alice", "a@example.com", "k1")
    assert status == 201
    rds.flushall()
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [], standing={"Floor": 1})
    assert err.value.code == "standing_full"
    active = db.session.scalar(
        select(func.count()).select_from(BookingSeat).where(BookingSeat.active)
    )
    assert active == 3
