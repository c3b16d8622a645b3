"""Payment provider events: stored once by event id, then settled by a job (invariant 5)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.models import Payment, PaymentEvent, utcnow
from webapp.booking.payments import confirm_payment
from webapp.database import write_transaction

OUTCOMES = {"payment.succeeded": True, "payment.failed": False}


def record_payment_event(event_id: object, type_: object, payment_id: object) -> bool:
    """Store a provider event once.

    Returns:
        True for a new event (settle it), False for a duplicate delivery.

    Raises:
        BookingError: invalid_input for a malformed event, payment_not_found.
    """
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100:
        raise BookingError("invalid_input", "The event id must be a string of 1 to 100 characters.")
    if type_ not in OUTCOMES:
        raise BookingError("invalid_input", f"Unknown event type {type_!r}.")
    if (
        not isinstance(payment_id, str)
        or session().scalar(select(Payment.id).where(Payment.public_id == payment_id)) is None
    ):
        raise BookingError("payment_not_found")
    try:
        with write_transaction(session()) as s:
            s.add(PaymentEvent(event_id=event_id, type=type_, payment_id=payment_id))
        return True
    except IntegrityError:
        return False


def process_payment_event(event_id: str) -> str:
    """Settle the payment an event reports; safe to run any number of times.

    Returns:
        The booking's status afterwards, or "unknown_event".
    """
    event = session().scalar(select(PaymentEvent).where(PaymentEvent.event_id == event_id))
    if event is None:
        return "unknown_event"
    booking = confirm_payment(event.payment_id, OUTCOMES[event.type])
    with write_transaction(session()) as s:
        s.execute(
            update(PaymentEvent)
            .where(PaymentEvent.id == event.id, PaymentEvent.processed_at.is_(None))
            .values(processed_at=utcnow())
        )
    return booking.status


def stale_payment_events() -> list[str]:
    """Events still unprocessed after PAYMENT_EVENT_STALE_SECONDS (their job was lost)."""
    cutoff = utcnow() - timedelta(seconds=setting("PAYMENT_EVENT_STALE_SECONDS"))
    return list(
        session().scalars(
            select(PaymentEvent.event_id).where(
                PaymentEvent.processed_at.is_(None), PaymentEvent.received_at < cutoff
            )
        )
    )
