"""Payment outcomes: confirm, decline, or refund when the seats are gone (invariant 6)."""

from __future__ import annotations

import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking import audit, booking_mail, expiry, giveback, outbox, pending
from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.holdstore import store
from webapp.booking.models import Booking, BookingSeat, Payment, Seat, utcnow
from webapp.database import write_transaction

REFUND_REASON = (
    "Your payment arrived after your hold had lapsed and the seats were sold "
    "to someone else. The full amount has been refunded."
)
DECLINED_REASON = "The payment was declined, so the seats went back on sale."
CANCELLED_REFUND = (
    "Your payment arrived after this booking had been cancelled, so it was not taken up. "
    "The full amount has been refunded."
)
BLOCKED_REFUND = (
    "Your payment arrived after the box office took these seats off sale. "
    "The full amount has been refunded."
)


def confirm_payment(payment_id: str, succeeded: bool) -> Booking:
    """Settle a charge reported by the payment provider; safe to call any number of times.

    A success confirms the booking if its hold is live, or if it lapsed but the
    seats are still free (the unique index decides); otherwise the booking is
    refunded. A decline cancels the booking and releases its hold at once.

    Args:
        payment_id: the payment's public id (pay_...).
        succeeded: what the provider reported.

    Returns:
        The booking in its final state.

    Raises:
        BookingError: payment_not_found.
    """
    payment = session().scalar(select(Payment).where(Payment.public_id == payment_id))
    if payment is None or payment.kind != "charge":
        raise BookingError("payment_not_found")
    booking = payment.booking
    # Settled already: a duplicate or stale callback changes nothing. The one
    # exception is a success after a failure (the customer retried): money was
    # taken, so it must end in seats or a refund.
    if payment.status == "succeeded" or (payment.status == "failed" and not succeeded):
        return booking
    if succeeded:
        _settle_success(payment.id, booking.id, after_decline=payment.status == "failed")
    else:
        _settle_decline(payment.id, booking)
    session().refresh(booking)
    return booking


def _claim_payment(s: Session, payment_pk: int, status: str) -> bool:
    """Inside a transaction: mark the charge settled unless someone else already did."""
    settled_from = ("pending", "failed") if status == "succeeded" else ("pending",)
    result = s.execute(
        update(Payment)
        .where(Payment.id == payment_pk, Payment.status.in_(settled_from))
        .values(status=status, updated_at=utcnow())
    )
    return result.rowcount == 1


def _settle_decline(payment_pk: int, booking: Booking) -> None:
    with write_transaction(session()) as s:
        if not _claim_payment(s, payment_pk, "failed"):
            return
    if pending.end_pending(booking, "cancelled", DECLINED_REASON):
        giveback.settle_seats(booking, "release")


def _settle_success(payment_pk: int, booking_pk: int, after_decline: bool) -> None:
    with write_transaction(session()) as s:
        if not _claim_payment(s, payment_pk, "succeeded"):
            return
        booking = s.get(Booking, booking_pk)
        refusal = _try_confirm(s, booking, after_decline)
        confirmed = refusal is None
        if confirmed:
            booking_mail.confirmed(s, booking)  # the tickets, in the same transaction
        else:
            refund_in(s, booking, refusal)
    outbox.kick()
    giveback.settle_seats(booking, "sell" if confirmed else "release")


def _try_confirm(s: Session, booking: Booking, after_decline: bool) -> str | None:
    """Inside a transaction: confirm the booking if it still may own its seats.

    Returns None when confirmed, else the reason the money goes back. A payment that
    arrives late confirms only a booking that lapsed (or was declined and paid again),
    never one someone cancelled, and never onto a seat taken off sale meanwhile.
    """
    now = utcnow()
    seat_ids = [bs.seat_id for bs in booking.seats]
    # Locking the seat rows orders this against staff blocking them (boxoffice.set_blocked
    # updates the same rows, then checks for bookings).
    blocked = s.scalars(select(Seat.blocked).where(Seat.id.in_(seat_ids)).with_for_update()).all()
    if any(blocked):
        return BLOCKED_REFUND
    # Conditional, so an expiry racing with this confirm cannot both succeed.
    in_time = s.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == "pending", Booking.expires_at > now)
        .values(status="confirmed", updated_at=now)
    )
    if in_time.rowcount == 1:
        s.refresh(booking)
        audit.record(s, booking.id, "pending", "confirmed", "Payment received")
        return None
    s.refresh(booking)
    previous = booking.status
    if not (previous == "expired" or (previous == "cancelled" and after_decline)):
        return CANCELLED_REFUND  # released by the customer or the box office
    # Late payment: the hold lapsed. A newer hold on any seat wins (fencing, invariant 8).
    fences = store().seat_fences(booking.event_id, seat_ids)
    if any(f > booking.fence for f in fences.values()):
        return REFUND_REASON
    try:
        with s.begin_nested():
            expiry.expire_lapsed_on_seats(s, booking.event_id, seat_ids, now, keep=booking.id)
            s.execute(
                update(BookingSeat).where(BookingSeat.booking_id == booking.id).values(active=True)
            )
            booking.status = "confirmed"
            booking.status_reason = None
            s.flush()
            audit.record(
                s, booking.id, previous, "confirmed", "Late payment; the seats were still free"
            )
    except IntegrityError:
        s.refresh(booking)
        return REFUND_REASON  # the unique index says someone else has a seat now
    return None


def refund_in(s: Session, booking: Booking, reason: str = REFUND_REASON) -> None:
    """Inside a transaction: refund the booking in full and free its seats."""
    audit.record(s, booking.id, booking.status, "refunded", reason)
    booking.status = "refunded"
    booking.status_reason = reason
    booking_mail.refunded(s, booking, reason)
    s.execute(update(BookingSeat).where(BookingSeat.booking_id == booking.id).values(active=False))
    s.add(
        Payment(
            public_id=f"ref_{secrets.token_urlsafe(16)}",
            booking_id=booking.id,
            kind="refund",
            status="succeeded",
            amount_cents=booking.amount_cents,
        )
    )
