"""Paying a booking by card (Stripe): the card page's intent, and a card token turned
into a payment. Settling stays in payments.confirm_payment, whoever reports first (this
request or Stripe's webhook), so a success is confirmed exactly once either way."""

from __future__ import annotations

import re
from dataclasses import dataclass

import stripe
from sqlalchemy import select, update

from webapp.booking.context import session, setting
from webapp.booking.errors import BookingError
from webapp.booking.models import Payment, utcnow
from webapp.booking.orders import payments
from webapp.booking.orders.stripe_provider import StripeProvider
from webapp.database import write_transaction

TOKEN = re.compile(r"tok_[A-Za-z0-9_]{1,250}")


@dataclass(frozen=True)
class CardPage:
    charge: Payment
    client_secret: str
    publishable_key: str
    js_url: str


def card_page(payment_id: str, customer: str) -> CardPage:
    """What the card page needs: the charge, its intent's client secret, Stripe.js.

    Raises:
        BookingError: payment_not_found, payment_closed, payment_unavailable.
    """
    charge = _payable(payment_id, customer)
    intent = _intent(charge)
    return CardPage(
        charge, intent.client_secret, setting("STRIPE_PUBLISHABLE_KEY"), setting("STRIPE_JS_URL")
    )


def pay_with_card(payment_id: str, customer: str, token: object) -> dict:
    """Pay the charge with a Stripe.js card token.

    Returns:
        {"status": "succeeded" | "processing"} (the booking page shows the rest),
        {"status": "requires_action", "client_secret"} (3-D Secure, in the browser),
        or {"status": "declined", "message"}: the seats stay held and the customer may
        try another card until the hold lapses.

    Raises:
        BookingError: invalid_input, payment_not_found, payment_closed,
            payment_unavailable.
    """
    if not isinstance(token, str) or not TOKEN.fullmatch(token):
        raise BookingError("invalid_input", "The card details did not reach us; try again.")
    charge = _payable(payment_id, customer)
    if charge.status == "succeeded":
        return {"status": "succeeded"}
    _intent(charge)
    try:
        intent = StripeProvider().confirm_with_token(charge, token)
    except stripe.CardError as exc:
        _note_state(charge, "requires_payment_method")
        return {"status": "declined", "message": exc.user_message or "Your card was declined."}
    except stripe.InvalidRequestError:
        return {"status": "declined", "message": "That card could not be used; try another."}
    except stripe.StripeError:
        raise BookingError("payment_unavailable") from None
    _note_state(charge, intent.status)
    if intent.status == "requires_action":
        return {"status": "requires_action", "client_secret": intent.client_secret}
    if intent.status == "succeeded":
        settle_reported(charge, succeeded=True)
    return {"status": intent.status}


def settle_reported(charge: Payment, succeeded: bool) -> str:
    """Settle what Stripe reported about the charge, once Stripe itself says so.

    Returns:
        The booking's status, or "refused: <why>" when Stripe's intent does not match.
    """
    try:
        refusal = StripeProvider().refusal(charge, succeeded)
    except stripe.StripeError:
        raise BookingError("payment_unavailable") from None
    if refusal:
        return f"refused: {refusal}"
    return payments.confirm_payment(charge.public_id, succeeded).status


def _payable(payment_id: str, customer: str) -> Payment:
    charge = session().scalar(select(Payment).where(Payment.public_id == payment_id))
    if charge is None or charge.kind != "charge" or charge.booking.customer_id != customer:
        raise BookingError("payment_not_found")
    if charge.provider != "stripe":
        raise BookingError("payment_not_found")
    booking = charge.booking
    if charge.status == "succeeded":
        return charge
    if booking.status != "pending":
        raise BookingError("payment_closed", why=booking.status_reason or "it has ended.")
    if booking.expires_at <= utcnow():
        raise BookingError("payment_closed", why="the hold on its seats has lapsed.")
    return charge


def _intent(charge: Payment) -> stripe.PaymentIntent:
    """The charge's one intent: made on first use and stored; a request that loses the
    race to store it (two tabs) cancels its own and uses the stored one."""
    provider = StripeProvider()
    try:
        if charge.provider_ref:
            return provider.retrieve(charge)
        intent = provider.create_intent(charge)
        with write_transaction(session()) as s:
            stored = s.execute(
                update(Payment)
                .where(Payment.id == charge.id, Payment.provider_ref.is_(None))
                .values(provider_ref=intent.id, provider_status=intent.status)
            ).rowcount
        session().refresh(charge)
        if stored or charge.provider_ref == intent.id:
            return intent
        stored_intent = provider.retrieve(charge)
        provider.cancel_intent(intent.id)
        return stored_intent
    except stripe.StripeError:
        raise BookingError("payment_unavailable") from None


def _note_state(charge: Payment, state: str) -> None:
    with write_transaction(session()) as s:
        s.execute(update(Payment).where(Payment.id == charge.id).values(provider_status=state))
    session().refresh(charge)
