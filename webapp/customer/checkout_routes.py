"""Checkout from the basket: the contact form, then on to payment."""

from __future__ import annotations

import uuid

from flask import current_app, redirect, render_template, request, url_for

from webapp import booking
from webapp.booking.errors import BookingError
from webapp.booking.holds import ticket_types
from webapp.customer import bp
from webapp.customer.basket import current_basket, forget_basket
from webapp.errors import returns_to
from webapp.gate import require_pass_or_hold
from webapp.identity import customer_id
from webapp.limits import limit_checkout


@bp.route("/events/<int:event_id>/checkout", methods=["GET", "POST"])
@returns_to("customer.event")
@limit_checkout
@require_pass_or_hold
def checkout(event_id: int):
    """The contact form for the basket; sent, a pending booking and on to payment."""
    hold = current_basket(event_id)
    if request.method == "GET":
        if hold is None:
            raise BookingError("basket_empty")
        return render_template("customer/checkout.html", **_checkout_form(event_id, hold))
    form = request.form
    status, body = booking.submit_checkout_form(
        hold.hold_id if hold else None,
        customer_id(),
        form.get("name"),
        form.get("email"),
        form.get("idempotency_key"),
    )
    if status != 201:
        shown = _checkout_form(event_id, hold, form.get("idempotency_key"))
        return render_template(
            "customer/checkout.html", **shown, error=body["message"], form=form
        ), status
    forget_basket(event_id)
    return checkout_done(body)


def _checkout_form(event_id: int, hold, key: str | None = None) -> dict:
    return {
        "hold": hold,
        "event": booking.get_event(event_id),  # the page names what is being bought
        "key": key or uuid.uuid4().hex,
        "priced": ticket_types.price_hold(event_id, hold.hold_id, hold.seat_ids),
    }


def checkout_done(body: dict):
    """After checkout: to the payment page (the test provider's), else the booking page."""
    if current_app.config["TEST_PAYMENT_PROVIDER"]:
        return redirect(body["payment_url"], 303)
    return redirect(url_for("customer.booking_page", reference=body["booking"]["reference"]), 303)
