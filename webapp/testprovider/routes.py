"""The test provider's hosted payment page."""

from __future__ import annotations

import secrets

from flask import abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select

from webapp.booking.context import public_url, session
from webapp.booking.models import Payment
from webapp.identity import customer_id
from webapp.queues import enqueue_delivery
from webapp.testprovider import bp

EVENT_TYPES = {"pay": "payment.succeeded", "decline": "payment.failed"}


@bp.before_request
def enabled_only():
    if not current_app.config["TEST_PAYMENT_PROVIDER"]:
        abort(404)


def _own_payment(payment_id: str) -> Payment:
    payment = session().scalar(select(Payment).where(Payment.public_id == payment_id))
    # A card charge (Stripe) is never the test provider's to "pay", even where both run.
    if (
        payment is None
        or payment.provider != "test"
        or payment.booking.customer_id != customer_id()
    ):
        abort(404, "That payment does not exist.")
    return payment


@bp.get("/pay/<payment_id>")
def pay_page(payment_id: str):
    """The test provider's payment page: pay or decline."""
    return render_template("testprovider/pay.html", payment=_own_payment(payment_id))


@bp.post("/pay/<payment_id>")
def pay(payment_id: str):
    """Record the customer's choice by scheduling the provider's webhook(s).

    Test options (form fields): delay (seconds), copies (deliveries of the same
    event), scenario=decline_then_pay (a failed event, then a succeeded one, the
    second delivered `delay` seconds before the first: out of order).
    """
    payment = _own_payment(payment_id)
    action = request.form.get("action")
    if action not in EVENT_TYPES:
        abort(400, "Choose pay or decline.")
    default_delay = current_app.config["TEST_PROVIDER_DELAY_SECONDS"]
    delay = min(max(request.form.get("delay", default=default_delay, type=float), 0.0), 3600.0)
    copies = min(max(request.form.get("copies", default=1, type=int), 1), 10)
    # From configuration, never the request: a forged Host header must not steer a
    # correctly signed webhook to another address.
    url = public_url(url_for("webhooks.payments"))
    if request.form.get("scenario") == "decline_then_pay":
        _deliver(url, payment_id, "payment.failed", delay, 1)
        _deliver(url, payment_id, "payment.succeeded", 0.0, 1)
    else:
        _deliver(url, payment_id, EVENT_TYPES[action], delay, copies)
    return redirect(url_for("customer.booking_page", reference=payment.booking.reference), 303)


def _deliver(url: str, payment_id: str, type_: str, delay: float, copies: int) -> None:
    payload = {
        "id": f"evt_{secrets.token_hex(12)}",
        "type": type_,
        "data": {"payment_id": payment_id},
    }
    for _ in range(copies):
        enqueue_delivery(current_app._get_current_object(), url, payload, delay)
