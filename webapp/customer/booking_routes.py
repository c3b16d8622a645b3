"""A customer's booking: its page, tickets as PDF, and the event for a calendar; open
to the browser that booked, to anyone with the emailed link (booking_links), and to
staff who may look bookings up. "Find my booking" emails the link again."""

from __future__ import annotations

from flask import Response, render_template, request, session
from flask_login import current_user

from webapp.booking.errors import BookingError
from webapp.booking.orders import booking_links, booking_mail
from webapp.booking.reports.catalog import booking_event_id, get_any_booking, get_booking
from webapp.booking.tickets import ticket_codes, ticket_files
from webapp.customer import bp
from webapp.htmx import is_htmx
from webapp.identity import customer_id
from webapp.limits import limit_find_booking
from webapp.staff.access import may

# The bookings this browser opened with their emailed link (so the page's own polls,
# PDF and calendar links work without carrying the token).
OPENED = "opened_bookings"


@bp.route("/bookings/find", methods=["GET", "POST"])
@limit_find_booking
def find_booking():
    """Reference and email: the booking's link is emailed to its own address. The
    answer is the same whether or not they match (nothing to learn by guessing)."""
    sent = request.method == "POST"
    if sent:
        booking_mail.send_link(request.form.get("reference", ""), request.form.get("email", ""))
    return render_template("customer/find_booking.html", sent=sent)


@bp.get("/bookings/<reference>")
def booking_page(reference: str):
    """The booking: event, tickets with their QR codes once paid, and the status."""
    found = owned_booking(reference)
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
    link = booking_links.link(found)
    body = ticket_files.calendar_ics(found.reference, ticket_codes.details(found), link)
    return Response(body, mimetype="text/calendar", headers=_attachment(f"{reference}.ics"))


def owned_booking(reference: str):
    """The booking if it is this customer's, or this browser brought its link (`?k=`,
    remembered in the session); staff who may look up bookings open any of their
    events'.

    Raises:
        BookingError: booking_not_found otherwise."""
    if booking_links.opens(request.args.get("k"), reference):
        session[OPENED] = [r for r in session.get(OPENED, []) if r != reference][-19:] + [reference]
    if reference in session.get(OPENED, []) or _staff_may_open(reference):
        return get_any_booking(reference)
    return get_booking(reference, customer_id())


def _attachment(name: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _staff_may_open(reference: str) -> bool:
    # Customers poll their booking's page: only a staff session pays for the lookup of
    # the booking's event that the role's check needs.
    return current_user.is_authenticated and may("bookings", booking_event_id(reference))
