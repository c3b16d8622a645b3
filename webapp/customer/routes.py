"""Customer page routes."""

from __future__ import annotations

from flask import render_template

from webapp import booking
from webapp.booking.catalog import get_booking, list_events
from webapp.customer import bp
from webapp.identity import customer_id


@bp.get("/")
def index():
    return render_template("customer/index.html", events=list_events())


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    seat_map = booking.seat_states(event_id, customer_id())
    return render_template("customer/event.html", seat_map=seat_map)


@bp.get("/bookings/<reference>")
def booking_page(reference: str):
    return render_template("customer/booking.html", booking=get_booking(reference, customer_id()))
