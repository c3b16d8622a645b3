"""Stripe: one PaymentIntent per charge, created on the server with the official library,
confirmed on the server with the card token Stripe.js made in the customer's browser,
re-read from Stripe before any reported outcome is believed, cancelled when the booking
ends unpaid, refunded with an idempotency key.

Every call sends only parameters localstripe (the tests' Stripe) also accepts, except
where STRIPE_API_BASE is unset (real Stripe) and the standard form is used instead: a
token confirmed through `payment_method_data`, which localstripe does not implement.
"""

from __future__ import annotations

import stripe

from webapp.booking.context import setting, shared
from webapp.booking.models import Payment


def client() -> stripe.StripeClient:
    def make() -> stripe.StripeClient:
        base = setting("STRIPE_API_BASE")
        return stripe.StripeClient(
            setting("STRIPE_SECRET_KEY"),
            base_addresses={"api": base} if base else None,
            max_network_retries=2,  # with idempotency keys, as Stripe recommends
        )

    return shared("holdfast_stripe", make)


def construct_event(body: bytes, header: str | None) -> stripe.Event:
    """A webhook's event, or ValueError / SignatureVerificationError (Stripe's 300 s)."""
    return stripe.Webhook.construct_event(body, header or "", setting("STRIPE_WEBHOOK_SECRET"))


def intent_of_event(event: stripe.Event) -> str | None:
    """The PaymentIntent an event is about (an intent, a charge or a dispute)."""
    obj = event.data.object.to_dict()
    found = obj.get("id") if obj.get("object") == "payment_intent" else obj.get("payment_intent")
    return found if isinstance(found, str) else None


class StripeProvider:
    name = "stripe"

    def pay_url(self, payment_id: str) -> str:
        return f"/pay/card/{payment_id}"

    def create_intent(self, charge: Payment) -> stripe.PaymentIntent:
        """A new intent for the charge: amount and currency from the server's priced
        booking, its reference in the metadata, keyed by the charge so a retry (or a
        second tab) gets Stripe's first answer back instead of a second intent."""
        return client().v1.payment_intents.create(
            params={
                "amount": charge.amount_cents,
                "currency": charge.currency.lower(),
                # Cards only: confirmed on the server, so no redirecting method (which
                # would need a return_url) may be offered.
                "payment_method_types": ["card"],
                "metadata": {"booking": charge.booking.reference, "payment": charge.public_id},
            },
            options={"idempotency_key": f"holdfast-intent-{charge.public_id}"},
        )

    def retrieve(self, charge: Payment) -> stripe.PaymentIntent:
        return client().v1.payment_intents.retrieve(charge.provider_ref)

    def confirm_with_token(self, charge: Payment, token: str) -> stripe.PaymentIntent:
        """Pay the intent with a card token from Stripe.js (`createToken`). A decline
        raises stripe.CardError; 3-D Secure leaves it in requires_action."""
        intents = client().v1.payment_intents
        if setting("STRIPE_API_BASE"):  # localstripe: the card of the token, then confirm
            card = client().v1.tokens.retrieve(token).card.id
            intents.update(charge.provider_ref, params={"payment_method": card})
            return intents.confirm(charge.provider_ref)
        return intents.confirm(
            charge.provider_ref,
            params={
                "payment_method_data": {"type": "card", "card": {"token": token}},
                "use_stripe_sdk": True,  # the page's Stripe.js handles 3-D Secure
            },
        )

    def cancel(self, charge: Payment) -> None:
        if charge.provider_ref:  # else the card page was never opened: nothing to pay
            self.cancel_intent(charge.provider_ref)

    def cancel_intent(self, intent_id: str) -> None:
        try:
            client().v1.payment_intents.cancel(intent_id)
        except stripe.InvalidRequestError:
            # Already succeeded, processing or cancelled: a payment that made it is
            # settled by its webhook (confirmed if the seats are free, else refunded).
            return

    def refund(self, charge: Payment, refund: Payment) -> str:
        made = client().v1.refunds.create(
            params={"payment_intent": charge.provider_ref, "amount": refund.amount_cents},
            options={"idempotency_key": f"holdfast-{refund.public_id}"},
        )
        return made.id

    def refusal(self, charge: Payment, succeeded: bool) -> str | None:
        """The intent as Stripe has it now, never the webhook's copy: a success is
        believed only for this charge's amount, currency and booking."""
        if not charge.provider_ref:
            return "The charge has no PaymentIntent."
        intent = self.retrieve(charge)
        if succeeded and intent.status != "succeeded":
            return f"Stripe says the intent is {intent.status}, not succeeded."
        if intent.amount != charge.amount_cents or intent.currency != charge.currency.lower():
            return (
                f"Stripe's intent is for {intent.amount} {intent.currency}, the booking for "
                f"{charge.amount_cents} {charge.currency.lower()}."
            )
        metadata = intent.metadata.to_dict() if intent.metadata else {}
        if metadata.get("booking") != charge.booking.reference:
            return "Stripe's intent belongs to another booking."
        return None
