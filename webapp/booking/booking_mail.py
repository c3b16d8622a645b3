"""The emails a booking sends: its tickets when confirmed, a note when refunded. Each is
written to the outbox in the transaction that made the change (outbox.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from webapp.booking import outbox
from webapp.booking.context import public_url
from webapp.booking.models import Booking, Event
from webapp.booking.tickets import money


def _when(event: Event) -> str:
    return f"{event.starts_at:%A %d %B %Y, %H:%M} at {event.venue.name}"


def confirmed(s: Session, booking: Booking) -> None:
    """Inside the confirming transaction: the tickets email (PDF and calendar attached)."""
    event = s.get(Event, booking.event_id)
    link = public_url(f"/bookings/{booking.reference}")
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
