"""RQ jobs: thin, idempotent, each calls one domain function.

The worker process builds the app once and pushes its context (workers/worker.py),
so these functions run with the database and Redis wired up.
"""

from __future__ import annotations

import json

import requests
from flask import current_app

from webapp import booking
from webapp.booking.audit import acting_as
from webapp.booking.onsale import room, waitlist
from webapp.booking.orders import charge_closing, expiry, outbox, payment_events, payments
from webapp.queues import requeue_payment_events
from webapp.webhooks import signature


def expire_hold(hold_id: str) -> str:
    """End one hold if it lapsed (kept for jobs queued before the due sets)."""
    with acting_as("fallback job"):
        return booking.expire_hold(hold_id)


def release_due_holds() -> int:
    """Fallback for lost keyspace notifications, every second: end every hold whose
    deadline + grace has passed, in every event's due set."""
    with acting_as("fallback job"):
        return expiry.release_due()


def admit_waiting() -> int:
    """Every second: each waiting room lets its next people in."""
    return room.admit_all()


def sweep_expired() -> dict:
    """Periodic safety net: expire lapsed pending bookings, re-run lost payment events."""
    stale = payment_events.stale_payment_events()
    requeued = requeue_payment_events(current_app.extensions["holdfast_queue"], stale)
    with acting_as("sweeper"):
        expired = booking.sweep_expired()
    sent = outbox.send_pending()  # retries what a lost or failed send job left queued
    owed = payments.pending_refund_bookings()
    for refunded in owed:  # refunds a provider did not take the first time
        payments.refund_at_provider(refunded)
    return {
        "expired": expired,
        "payment_events_requeued": requeued,
        "emails": sent,
        "refunds_retried": len(owed),
    }


def offer_waitlist(event_id: int) -> list[int]:
    """Offer seats that came back to the waiting list, first group first."""
    with acting_as("waiting list"):
        return waitlist.offer_next(event_id)


def send_outbox() -> dict:
    """Send queued emails."""
    return outbox.send_pending()


def process_payment_event(event_id: str) -> str:
    """Settle the payment a provider event reports; returns the booking's status."""
    with acting_as("webhook"):
        return payment_events.process_payment_event(event_id)


def close_charges(booking_ids: list[int]) -> int:
    """Cancel at the provider the charges of bookings that ended unpaid."""
    return charge_closing.close_charges(booking_ids)


def deliver_webhook(url: str, payload: dict) -> int:
    """The test provider's delivery: sign at send time, POST, raise on failure (RQ retries)."""
    body = json.dumps(payload).encode()
    header = signature.sign(current_app.config["PAYMENT_WEBHOOK_SECRET"], body)
    response = requests.post(
        url,
        data=body,
        timeout=10,
        headers={"Content-Type": "application/json", signature.HEADER: header},
    )
    response.raise_for_status()
    return response.status_code
