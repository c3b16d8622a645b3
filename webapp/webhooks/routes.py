"""POST /webhooks/payments: verify, store once, settle in the background."""

from __future__ import annotations

import json

import stripe
from flask import current_app, jsonify, request

from webapp.booking.errors import BookingError
from webapp.booking.orders.payment_events import record_payment_event, record_stripe_event
from webapp.extensions import csrf
from webapp.queues import enqueue_payment_event
from webapp.webhooks import bp, signature

csrf.exempt(bp)  # authenticated by the HMAC signature instead


MAX_BODY = 64 * 1024  # a provider event is a few hundred bytes


@bp.post("/payments")
def payments():
    """A signed payment webhook: settles the charge once however often it arrives."""
    header = request.headers.get(signature.HEADER)
    try:
        signature.check_header(header)  # before reading a byte of the body
        if (request.content_length or 0) > MAX_BODY:
            raise BookingError("payload_too_large", limit=MAX_BODY)
        request.max_content_length = MAX_BODY  # also caps a body sent without a length
        body = request.get_data(cache=False)
        signature.verify(current_app.config["PAYMENT_WEBHOOK_SECRET"], body, header)
    except signature.SignatureError as exc:
        return jsonify({"error": "bad_signature", "message": str(exc)}), 401
    event = _parse(body)
    data = event.get("data") if isinstance(event.get("data"), dict) else {}
    is_new = record_payment_event(event.get("id"), event.get("type"), data.get("payment_id"))
    if is_new:
        enqueue_payment_event(current_app.extensions["holdfast_queue"], event["id"])
    return jsonify({"received": True, "duplicate": not is_new}), 200


@bp.post("/stripe")
def stripe_events():
    """Stripe's webhook (enable payment_intent.succeeded, payment_intent.payment_failed,
    charge.refunded, charge.dispute.created): verified, stored once, settled by a job."""
    if (request.content_length or 0) > MAX_BODY:
        raise BookingError("payload_too_large", limit=MAX_BODY)
    request.max_content_length = MAX_BODY
    body = request.get_data(cache=False)
    try:
        event_id, outcome = record_stripe_event(body, request.headers.get("Stripe-Signature"))
    except (ValueError, stripe.SignatureVerificationError) as exc:
        # 400, as Stripe's own examples answer: the event is not believed, nothing changed.
        return jsonify({"error": "bad_signature", "message": str(exc)}), 400
    if event_id is not None:
        enqueue_payment_event(current_app.extensions["holdfast_queue"], event_id)
    return jsonify({"received": True, "outcome": outcome}), 200


def _parse(body: bytes) -> dict:
    try:
        event = json.loads(body)
    except ValueError:
        raise BookingError("invalid_input", "The webhook body is not valid JSON.") from None
    if not isinstance(event, dict):
        raise BookingError("invalid_input", "The webhook body must be a JSON object.")
    return event
