"""Who takes the money: the built-in test provider or Stripe (PAYMENT_PROVIDER).

A charge row (Payment, kind "charge") names its provider when checkout makes it, so a
deployment that changes provider still settles, cancels and refunds its older charges
with the one that took them. Everything outside this module and stripe_provider asks
through `of(payment)` or `current()`.
"""

from __future__ import annotations

from typing import Protocol

from webapp.booking.context import setting
from webapp.booking.models import Payment
from webapp.booking.orders.stripe_provider import StripeProvider

NAMES = ("test", "stripe")


class PaymentProvider(Protocol):
    name: str

    def pay_url(self, payment_id: str) -> str:
        """Where the customer pays the charge `payment_id` (pay_...)."""

    def cancel(self, charge: Payment) -> None:
        """Make the charge impossible to pay (its booking ended before payment)."""

    def refund(self, charge: Payment, refund: Payment) -> str:
        """Give the charge's money back; returns the provider's refund id."""

    def refusal(self, charge: Payment, succeeded: bool) -> str | None:
        """Before settling a reported outcome: None when the provider itself confirms
        it (state, amount, currency, booking), else why it must not be believed."""


class TestProvider:
    """The built-in stand-in (webapp/testprovider): no money moves, so nothing to cancel
    or give back at a provider, and its signed webhooks are the whole truth."""

    name = "test"

    def pay_url(self, payment_id: str) -> str:
        return f"/pay/{payment_id}"

    def cancel(self, charge: Payment) -> None:
        return None

    def refund(self, charge: Payment, refund: Payment) -> str:
        return refund.public_id

    def refusal(self, charge: Payment, succeeded: bool) -> str | None:
        return None


def by_name(name: str) -> PaymentProvider:
    return StripeProvider() if name == "stripe" else TestProvider()


def current() -> PaymentProvider:
    """The provider new checkouts use."""
    return by_name(setting("PAYMENT_PROVIDER"))


def of(payment: Payment) -> PaymentProvider:
    """The provider that took this charge (or whose charge this refund gives back)."""
    return by_name(payment.provider)


def pay_url(payment_id: str) -> str:
    return current().pay_url(payment_id)


def check_settings(config: dict) -> None:
    """At start: a deployment asking for Stripe without its keys must not start (and must
    never fall back to the test provider, which takes "payments" with no money)."""
    name = config["PAYMENT_PROVIDER"]
    if name not in NAMES:
        raise RuntimeError(f"PAYMENT_PROVIDER must be one of {', '.join(NAMES)}, not {name!r}.")
    if name == "stripe":
        missing = [
            key
            for key in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET")
            if not config.get(key)
        ]
        if missing:
            raise RuntimeError(
                f"PAYMENT_PROVIDER=stripe needs {', '.join(missing)} (see README, Going live)."
            )
