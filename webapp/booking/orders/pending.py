"""Pending bookings: the booking of a hold, and ending a pending booking (cancelled or
expired) with its seats freed in the database, exactly once however many callers race."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from webapp.booking import audit
from webapp.booking.context import session
from webapp.booking.holds.checked_out import booking_of_hold
from webapp.booking.models import Booking, BookingSeat, utcnow
from webapp.booking.orders import charge_closing
from webapp.database import write_transaction


def end_pending(booking: Booking, status: str, reason: str) -> bool:
    """Move a pending booking to `status` and free its seats in the database.

    Returns:
        True if this call ended it; False if it was no longer pending (someone
        else confirmed, expired or cancelled it first).
    """
    with write_transaction(session()) as s:
        ended = end_pending_in(s, [booking.id], status, reason)
    session().refresh(booking)
    return bool(ended)


def end_pending_of_hold(hold_id: str, reason: str) -> bool:
    """Cancel the hold's pending booking, if it has one, reading it afresh (a checkout may
    have committed it a moment ago)."""
    session().commit()  # end any read snapshot (SQLite) before looking
    booking = booking_of_hold(hold_id)
    return booking is not None and end_pending(booking, "cancelled", reason)


def end_pending_in(s: Session, booking_ids: list[int], status: str, reason: str) -> list[int]:
    """Inside an open transaction: end those of `booking_ids` still pending."""
    if not booking_ids:
        return []
    # A conditional UPDATE, so a concurrent confirm and expire cannot both win.
    ended = list(
        s.scalars(
            update(Booking)
            .where(Booking.id.in_(booking_ids), Booking.status == "pending")
            .values(status=status, status_reason=reason, updated_at=utcnow())
            .returning(Booking.id)
        )
    )
    if ended:
        s.execute(update(BookingSeat).where(BookingSeat.booking_id.in_(ended)).values(active=False))
        for booking_id in ended:
            audit.record(s, booking_id, "pending", status, reason)
        charge_closing.note_ended(s, ended)
    return ended
