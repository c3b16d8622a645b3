"""GET the card page; POST the card token it made."""

from __future__ import annotations

from flask import jsonify, render_template, request

from webapp.booking.orders.card_payments import card_page, pay_with_card
from webapp.cardpay import bp
from webapp.identity import customer_id


@bp.get("/pay/card/<payment_id>")
def pay_page(payment_id: str):
    """The card form for a pending booking (Stripe Elements), with what it costs."""
    page = card_page(payment_id, customer_id())
    return render_template("cardpay/pay.html", page=page, booking=page.charge.booking)


@bp.post("/pay/card/<payment_id>")
def pay(payment_id: str):
    """{"token": "tok_..."} from Stripe.js: succeeded, requires_action, or declined."""
    body = request.get_json(silent=True) if request.is_json else None
    token = body.get("token") if isinstance(body, dict) else None
    outcome = pay_with_card(payment_id, customer_id(), token)
    status = 402 if outcome["status"] == "declined" else 200
    return jsonify(outcome), status
