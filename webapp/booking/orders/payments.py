"""Payment outcomes: confirm, decline, or refund when the seats are gone (invariant 6)."""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from webapp.booking import audit
from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds.holdstore import store
from webapp.booking.models import Booking, BookingSeat, Payment, Seat, utcnow
from webapp.booking.orders import booking_mail, expiry, giveback, outbox, providers
from webapp.database import write_transaction

log = logging.getLogger(__name__)

REFUND_REASON = (
    "Your payment arrived after your hold had lapsed and the seats were sold "
    "to someone else. The full amount has been refunded."
)
DECLINED_REASON = (
    "The payment was declined. Your seats are still held for you: pay again, with another "
    "card if need be, before the hold lapses."
)
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
    refunded. A decline only says so: the booking stays pending and its seats held,
    so the customer can pay again until the hold lapses (the lapse ends it).

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
        declined = s.execute(
            update(Booking)
            .where(Booking.id == booking.id, Booking.status == "pending")
            .values(status_reason=DECLINED_REASON, updated_at=utcnow())
        )
        if declined.rowcount:
            audit.record(s, booking.id, "pending", "pending", "Payment declined")


def _settle_success(payment_pk: int, booking_pk: int, after_decline: bool) -> None:
    with write_transaction(session()) as s:
        if not _claim_payment(s, payment_pk, "succeeded"):
            return
        booking = s.get(Booking, booking_pk)
        refusal = _try_confirm(s, booking, after_decline)
        confirmed = refusal is None
        if confirmed:
            booking.status_reason = None  # a decline before this success is history
            booking_mail.confirmed(s, booking)  # the tickets, in the same transaction
        else:
            refund_in(s, booking, refusal)
    outbox.kick()
    if not confirmed:
        refund_at_provider(booking)
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
    """Inside a transaction: refund what is left of the booking (all of it, or what
    earlier refunds of some seats left) and free its seats."""
    audit.record(s, booking.id, booking.status, "refunded", reason)
    booking.status = "refunded"
    booking.status_reason = reason
    left = booking.amount_cents - refunded_so_far(s, booking.id)
    booking_mail.refunded(s, booking, reason, left)
    s.execute(update(BookingSeat).where(BookingSeat.booking_id == booking.id).values(active=False))
    add_refund(s, booking, left)


def add_refund(s: Session, booking: Booking, amount_cents: int) -> Payment:
    """Inside a transaction: a refund of `amount_cents` of the booking's charge."""
    charge = _paid_charge(s, booking.id)
    provider = charge.provider if charge else "test"
    refund = Payment(
        public_id=f"ref_{secrets.token_urlsafe(16)}",
        booking_id=booking.id,
        kind="refund",
        # Money a provider holds goes back after this commits (refund_at_provider);
        # until it answers, the refund is pending and the sweep asks again.
        status="succeeded" if provider == "test" else "pending",
        amount_cents=amount_cents,
        currency=charge.currency if charge else setting("CURRENCY"),
        provider=provider,
    )
    s.add(refund)
    return refund


def refunded_so_far(s: Session, booking_pk: int) -> int:
    """What the booking's refunds (done or under way) give back, in minor units."""
    amounts = s.scalars(
        select(Payment.amount_cents).where(
            Payment.booking_id == booking_pk,
            Payment.kind == "refund",
            Payment.status.in_(("succeeded", "pending")),
        )
    )
    return sum(amounts)


def _paid_charge(s: Session, booking_pk: int) -> Payment | None:
    return s.scalar(
        select(Payment).where(
            Payment.booking_id == booking_pk,
            Payment.kind == "charge",
            Payment.status == "succeeded",
        )
    )


def refund_at_provider(booking: Booking) -> None:
    """After the refunding transaction: give the money back at the provider that took
    it, for each of the booking's refunds still pending there. Safe to repeat (the
    provider's idempotency key is the refund's id); a failure leaves it for the sweep."""
    s = session()
    s.commit()  # a fresh read of what the refunding transaction wrote
    refunds = s.scalars(
        select(Payment).where(
            Payment.booking_id == booking.id, Payment.kind == "refund", Payment.status == "pending"
        )
    ).all()
    charge = _paid_charge(s, booking.id)
    for refund in refunds:
        if charge is None:
            continue
        try:
            ref = providers.of(charge).refund(charge, refund)
        except Exception:  # noqa: BLE001 (any provider failure: retried by the sweep)
            log.exception(
                "refund %s of booking %s failed at the provider",
                refund.public_id,
                booking.reference,
            )
            continue
        with write_transaction(s) as tx:
            tx.execute(
                update(Payment)
                .where(Payment.id == refund.id, Payment.status == "pending")
                .values(
                    status="succeeded",
                    provider_ref=ref,
                    provider_status="succeeded",
                    updated_at=utcnow(),
                )
            )


def pending_refund_bookings() -> list[Booking]:
    """Bookings with a refund still owed at a provider (for the sweep)."""
    return list(
        session().scalars(
            select(Booking)
            .join(Payment, Payment.booking_id == Booking.id)
            .where(Payment.kind == "refund", Payment.status == "pending")
            .distinct()
        )
    )
