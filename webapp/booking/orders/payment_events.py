"""Payment provider events: stored once by event id, then settled by a job (invariant 5)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.booking import audit
from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.models import Payment, PaymentEvent, utcnow
from webapp.booking.orders import card_payments, stripe_provider
from webapp.booking.orders.payments import confirm_payment
from webapp.database import write_transaction

# The test provider's events, then Stripe's (re-read from Stripe before they count).
OUTCOMES = {"payment.succeeded": True, "payment.failed": False}
STRIPE_OUTCOMES = {"payment_intent.succeeded": True, "payment_intent.payment_failed": False}
# Stripe events that change no booking but that staff must see on it.
STRIPE_NOTES = {
    "charge.refunded": "Stripe: the charge was refunded.",
    "charge.dispute.created": "Stripe: the customer disputed the charge.",
    "charge.dispute.closed": "Stripe: the dispute was closed.",
}


def record_payment_event(event_id: object, type_: object, payment_id: object) -> bool:
    """Store a provider event once.

    Returns:
        True for a new event (settle it), False for a duplicate delivery.

    Raises:
        BookingError: invalid_input for a malformed event, payment_not_found.
    """
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 100:
        raise BookingError("invalid_input", "The event id must be a string of 1 to 100 characters.")
    if type_ not in OUTCOMES and type_ not in STRIPE_OUTCOMES and type_ not in STRIPE_NOTES:
        raise BookingError("invalid_input", f"Unknown event type {type_!r}.")
    provider = (
        session().scalar(select(Payment.provider).where(Payment.public_id == payment_id))
        if isinstance(payment_id, str)
        else None
    )
    # The test provider's signed events settle only its own charges: its secret must not
    # be a way to mark a Stripe charge paid.
    if provider is None or (type_ in OUTCOMES) != (provider == "test"):
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
    if event.type in OUTCOMES:
        outcome = confirm_payment(event.payment_id, OUTCOMES[event.type]).status
    else:
        outcome = _settle_stripe(event)
    with write_transaction(session()) as s:
        s.execute(
            update(PaymentEvent)
            .where(PaymentEvent.id == event.id, PaymentEvent.processed_at.is_(None))
            .values(processed_at=utcnow())
        )
    return outcome


def record_stripe_event(body: bytes, header: str | None) -> tuple[str | None, str]:
    """A Stripe webhook: verified with Stripe's library, stored once by its id.

    Returns:
        (event id to settle or None, what happened: "new", "duplicate", "ignored: why").

    Raises:
        ValueError or stripe.SignatureVerificationError: not a genuine, fresh event.
    """
    event = stripe_provider.construct_event(body, header)
    if event.type not in STRIPE_OUTCOMES and event.type not in STRIPE_NOTES:
        return None, f"ignored: Holdfast does not act on {event.type}"
    intent = stripe_provider.intent_of_event(event)
    charge = (
        session().scalar(select(Payment.public_id).where(Payment.provider_ref == intent))
        if intent
        else None
    )
    if charge is None:  # another application's payment on the same Stripe account
        return None, "ignored: not a Holdfast payment"
    is_new = record_payment_event(event.id, event.type, charge)
    return (event.id, "new") if is_new else (None, "duplicate")


def _settle_stripe(event: PaymentEvent) -> str:
    charge = session().scalar(select(Payment).where(Payment.public_id == event.payment_id))
    if event.type in STRIPE_NOTES:
        with write_transaction(session()) as s:
            status = charge.booking.status
            audit.record(s, charge.booking_id, status, status, STRIPE_NOTES[event.type])
            s.execute(
                update(Payment)
                .where(Payment.id == charge.id)
                .values(provider_status=event.type.split(".", 1)[1])
            )
        return charge.booking.status
    outcome = card_payments.settle_reported(charge, STRIPE_OUTCOMES[event.type])
    if outcome.startswith("refused"):
        with write_transaction(session()) as s:
            status = charge.booking.status
            audit.record(s, charge.booking_id, status, status, f"Stripe event {outcome}")
    return outcome


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
