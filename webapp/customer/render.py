"""HTMX responses for the seat map: changed cells, the basket and a message, out of band."""

from __future__ import annotations

from flask import g, render_template, request

from webapp import booking
from webapp.booking.errors import BookingError
from webapp.booking.holds.holds import Hold
from webapp.customer.basket import current_basket, priced_basket
from webapp.errors import refusal_response
from webapp.htmx import is_htmx
from webapp.identity import customer_id


def map_update(
    event_id: int, seat_ids: list[int], message: str | None, status: int, hold: Hold | None
):
    """Re-render just `seat_ids` (as this customer sees them now), the basket and a message."""
    seats = booking.seat_states(event_id, customer_id(), seat_ids).seats if seat_ids else []
    html = render_template(
        "partials/map_update.html",
        seats=seats,
        message=message,
        is_error=status >= 400,
        hold=hold,
        priced=priced_basket(hold),
        event_id=event_id,
    )
    return html, status


def refused(exc: BookingError):
    """A refusal of a seat-map action sent by htmx: the refused seat's cell as it is now,
    the basket and the message, out of band. Anything else: errors.refusal_response."""
    g.refusal = exc.code  # see errors.refusal_response
    event_id = (request.view_args or {}).get("event_id")
    if not (is_htmx() and request.method == "POST" and event_id is not None):
        return refusal_response(exc)
    seat = request.form.get("seat", type=int)
    seats = [seat] if seat else []
    return map_update(event_id, seats, exc.message, exc.status, current_basket(event_id))
