"""A customer's booking: its page, tickets as PDF, and the event for a calendar."""

from __future__ import annotations

from flask import Response, render_template, url_for

from webapp.booking import ticket_codes, ticket_files
from webapp.booking.catalog import booking_event_id, get_any_booking, get_booking
from webapp.booking.context import public_url
from webapp.booking.errors import BookingError
from webapp.customer import bp
from webapp.htmx import is_htmx
from webapp.identity import customer_id
from webapp.staff.access import may


@bp.get("/bookings/<reference>")
def booking_page(reference: str):
    """The booking: event, tickets with their QR codes once paid, and the status."""
    found = get_booking(reference, customer_id())
    template = "partials/booking_status.html" if is_htmx() else "customer/booking.html"
    return render_template(template, booking=found, details=ticket_codes.details(found))


@bp.get("/bookings/<reference>/tickets.pdf")
def tickets_pdf(reference: str):
    """The tickets as a PDF: one a page, with the QR code (the owner's or staff's)."""
    found = owned_booking(reference)
    if found.status != "confirmed":
        raise BookingError("booking_not_found")
    body = ticket_files.tickets_pdf(found.reference, found.name, ticket_codes.details(found))
    return Response(
        body, mimetype="application/pdf", headers=_attachment(f"tickets-{reference}.pdf")
    )


@bp.get("/bookings/<reference>/calendar.ics")
def calendar_file(reference: str):
    """The event for a calendar (the owner's or staff's)."""
    found = owned_booking(reference)
    link = public_url(url_for("customer.booking_page", reference=found.reference))
    body = ticket_files.calendar_ics(found.reference, ticket_codes.details(found), link)
    return Response(body, mimetype="text/calendar", headers=_attachment(f"{reference}.ics"))


def owned_booking(reference: str):
    """The booking if it is this customer's; staff who may look up bookings open any
    of their events'."""
    if may("bookings", booking_event_id(reference)):
        return get_any_booking(reference)
    return get_booking(reference, customer_id())


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}
