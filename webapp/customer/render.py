"""HTMX responses for the seat map: changed cells, the basket and a message, out of band."""

from __future__ import annotations

from flask import render_template

from webapp import booking
from webapp.booking.holds import Hold
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
        event_id=event_id,
    )
    return html, status
