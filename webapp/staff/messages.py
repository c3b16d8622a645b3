"""Staff pages for the waiting list and the email outbox."""

from __future__ import annotations

from flask import render_template

from webapp.booking import get_event
from webapp.booking.onsale import waitlist
from webapp.booking.orders import outbox
from webapp.staff import bp
from webapp.staff.access import needs


@bp.get("/outbox")
@needs("ops")
def outbox_page():
    """Recent outgoing email and whether it was sent."""
    return render_template("staff/outbox.html", messages=outbox.recent())


@bp.get("/events/<int:event_id>/waitlist")
@needs("bookings")
def waitlist_page(event_id: int):
    """An event's waiting list."""
    return render_template(
        "staff/waitlist.html", event=get_event(event_id), entries=waitlist.entries(event_id)
    )
