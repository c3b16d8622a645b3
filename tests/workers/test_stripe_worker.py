"""Stripe's signed webhooks through a real gunicorn and RQ worker: a worker SIGKILLed
while it settles them still confirms each booking exactly once, with no refund."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import make_event, seat_ids
from tests.stripe_fake import WEBHOOK_SECRET, card_token, stripe_settings
from tests.workers.conftest import kill_worker_while_it_waits, wait_until
from tests.workers.test_payments import charges, settled, status_of
from webapp.booking import hold_seats, start_checkout
from webapp.booking.models import Payment, PaymentEvent
from webapp.booking.orders import card_payments
from webapp.booking.orders.stripe_provider import client as stripe_api
from webapp.devtools.localstripe_server import register_webhook
from webapp.extensions import db


@pytest.fixture
def app_config(localstripe):
    return stripe_settings(localstripe)


@pytest.fixture
def proc_env(database_url, redis_url, localstripe) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": "0",
        "PAYMENT_EVENT_STALE_SECONDS": "1",
        **stripe_settings(localstripe),
    }


def paid_at_stripe(event, customer, seat, localstripe):
    """A booking whose intent Stripe took the money for (the browser finished 3-D
    Secure): only Stripe's webhook tells Holdfast."""
    hold = hold_seats(event.id, customer, [seat])
    _, body = start_checkout(hold.hold_id, customer, "A", "a@example.com", f"k-{customer}")
    payment_id = body["payment_url"].rsplit("/", 1)[1]
    card_payments.card_page(payment_id, customer)
    db.session.commit()
    intent = db.session.scalar(select(Payment.provider_ref).where(Payment.public_id == payment_id))
    card = stripe_api().v1.tokens.retrieve(card_token(localstripe)).card.id
    stripe_api().v1.payment_intents.update(intent, params={"payment_method": card})
    stripe_api().v1.payment_intents.confirm(intent)
    return body["booking"]["reference"], intent


def test_worker_killed_settling_stripe_events_confirms_each_once(
    app, web, procs, localstripe, database_url
):
    register_webhook(localstripe, "tests", f"{web}/webhooks/stripe", WEBHOOK_SECRET)
    event = make_event(price_cents=2500)
    ids = seat_ids(event)
    bookings = [paid_at_stripe(event, f"c{i}", ids[i], localstripe) for i in range(3)]

    def stored():
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(PaymentEvent)) == 3

    wait_until(stored, timeout=20)  # verified and queued by gunicorn; no worker yet
    kill_worker_while_it_waits(
        app, procs, "SELECT id FROM payments WHERE provider_ref = %s FOR UPDATE", bookings[0][1]
    )
    assert status_of(bookings[0][0]) == "pending"
    procs("scheduler")
    procs("worker")
    for reference, intent in bookings:
        wait_until(settled(reference, "confirmed"), timeout=30)
        assert charges(reference) == [("charge", "succeeded")]
        assert stripe_api().v1.refunds.list(params={"payment_intent": intent}).data == []
