"""The emails a booking sends: its tickets when confirmed, a note when refunded. Each is
written to the outbox in the transaction that made the change (outbox.py)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from webapp.booking.context import session
from webapp.booking.models import Booking, Event
from webapp.booking.money import money
from webapp.booking.orders import booking_links, outbox
from webapp.booking.venues import local_time
from webapp.database import write_transaction


def _when(event: Event) -> str:
    return f"{local_time.shown(event.starts_at, event)} at {event.venue.name}"


def confirmed(s: Session, booking: Booking) -> None:
    """Inside the confirming transaction: the tickets email (PDF and calendar attached)."""
    event = s.get(Event, booking.event_id)
    link = booking_links.link(booking)  # opens on any device, not only the one that paid
    seats = "\n".join(
        f"  - {bs.seat.section}, {bs.seat.label} ({bs.ticket_type}), {money(bs.price_cents)}"
        for bs in booking.seats
    )
    body = (
        f"Hello {booking.name},\n\nYour booking {booking.reference} is confirmed.\n\n"
        f"{event.name}\n{_when(event)}\n\n{seats}\nTotal {money(booking.amount_cents)}\n\n"
        f"Your tickets are attached (one per seat, each with its QR code); show them at "
        f"the door on your phone or printed. The booking: {link}\n"
    )
    outbox.add(s, booking.email, f"Your tickets: {event.name}", body, tickets_of=booking.id)


def refunded(s: Session, booking: Booking, reason: str, amount_cents: int | None = None) -> None:
    """Inside the refunding transaction: tell the customer their money is coming back
    (`amount_cents`: what this refund gives back, when earlier ones gave some)."""
    event = s.get(Event, booking.event_id)
    amount = booking.amount_cents if amount_cents is None else amount_cents
    whole = amount == booking.amount_cents
    body = (
        f"Hello {booking.name},\n\nBooking {booking.reference} for {event.name} "
        f"({_when(event)}) is refunded{' in full' if whole else ''}: {money(amount)}.\n"
        f"{reason}\nIts tickets no longer admit.\n"
    )
    outbox.add(s, booking.email, f"Refund: {event.name}", body)


def seats_refunded(s: Session, booking: Booking, labels: list[str], amount: int, reason: str):
    """Inside the refunding transaction: some of the booking's tickets are refunded; the
    others still admit."""
    event = s.get(Event, booking.event_id)
    body = (
        f"Hello {booking.name},\n\nFrom booking {booking.reference} for {event.name} "
        f"({_when(event)}), {', '.join(labels)} {'is' if len(labels) == 1 else 'are'} "
        f"refunded: {money(amount)}.\n{reason}\nThose tickets no longer admit; "
        f"your other tickets still do.\n"
    )
    outbox.add(s, booking.email, f"Refund of some tickets: {event.name}", body)


def send_link(reference: str, email: str) -> None:
    """ "Find my booking": email the booking's link to its own address if `reference` and
    `email` name the same booking; nothing otherwise (the page answers the same)."""
    reference = (reference or "").strip().upper()[:16]
    email = (email or "").strip().lower()[:254]
    if not reference or not email:
        return
    booking = session().scalar(
        select(Booking).where(Booking.reference == reference, func.lower(Booking.email) == email)
    )
    if booking is None:
        return
    with write_transaction(session()) as s:
        event = s.get(Event, booking.event_id)
        body = (
            f"Hello {booking.name},\n\nHere is the link to booking {booking.reference} "
            f"for {event.name} ({_when(event)}); it opens the booking and its tickets on "
            f"any device:\n{booking_links.link(booking)}\n\n"
            f"If you did not ask for it, you can ignore this email.\n"
        )
        outbox.add(s, booking.email, f"Your booking: {event.name}", body)
    outbox.kick()
