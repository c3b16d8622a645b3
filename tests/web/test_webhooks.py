"""The webhook endpoint: signature checks, deduplication, clear refusals."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from tests.factories import make_event, seat_ids
from webapp.booking import hold_seats, start_checkout
from webapp.booking.models import PaymentEvent
from webapp.extensions import db
from webapp.webhooks import signature

SECRET = "whsec_unit"


@pytest.fixture
def app_config():
    return {"PAYMENT_WEBHOOK_SECRET": SECRET}


@pytest.fixture
def payment_id(app):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = start_checkout(hold.hold_id, "alice", "A", "a@example.com", "k")
    return body["payment_url"].rsplit("/", 1)[1]


def deliver(client, payload, secret=SECRET, timestamp=None, raw=None):
    body = raw if raw is not None else json.dumps(payload).encode()
    header = signature.sign(secret, body, timestamp)
    return client.post(
        "/webhooks/payments",
        data=body,
        headers={"Content-Type": "application/json", signature.HEADER: header},
    )


def events_recorded() -> int:
    return db.session.scalar(select(func.count(PaymentEvent.id)))


def event(payment_id, event_id="evt_1", type_="payment.succeeded"):
    return {"id": event_id, "type": type_, "data": {"payment_id": payment_id}}


def test_valid_webhook_is_recorded_once(client, payment_id, app):
    first = deliver(client, event(payment_id))
    assert first.status_code == 200 and first.get_json() == {"received": True, "duplicate": False}
    again = deliver(client, event(payment_id))
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert events_recorded() == 1
    queue = app.extensions["holdfast_queue"]
    assert [j.func_name for j in queue.get_jobs()] == ["workers.jobs.process_payment_event"]


@pytest.mark.parametrize(
    "case", ["wrong_secret", "stale", "future", "missing", "garbled", "tampered"]
)
def test_bad_signatures_are_401_and_record_nothing(client, payment_id, case):
    body = json.dumps(event(payment_id)).encode()
    headers = {"Content-Type": "application/json"}
    if case == "wrong_secret":
        headers[signature.HEADER] = signature.sign("nope", body)
    elif case == "stale":
        headers[signature.HEADER] = signature.sign(SECRET, body, int(time.time()) - 301)
    elif case == "future":
        headers[signature.HEADER] = signature.sign(SECRET, body, int(time.time()) + 301)
    elif case == "garbled":
        headers[signature.HEADER] = "t=abc,v1"
    elif case == "tampered":
        headers[signature.HEADER] = signature.sign(SECRET, body)
        body = body.replace(b"succeeded", b"failed")
    r = client.post("/webhooks/payments", data=body, headers=headers)
    assert r.status_code == 401 and r.get_json()["error"] == "bad_signature"
    assert events_recorded() == 0


@pytest.mark.parametrize(
    "raw,status",
    [
        (b"{not json", 422),
        (b"[1]", 422),
        (json.dumps({"id": "e", "type": "refund.made", "data": {"payment_id": "x"}}).encode(), 422),
        (json.dumps({"id": "", "type": "payment.failed", "data": {}}).encode(), 422),
        (
            json.dumps(
                {"id": "e2", "type": "payment.failed", "data": {"payment_id": "pay_unknown"}}
            ).encode(),
            404,
        ),
    ],
)
def test_malformed_events_are_4xx_and_record_nothing(client, payment_id, raw, status):
    r = deliver(client, None, raw=raw)
    assert r.status_code == status and r.get_json()["message"]
    assert events_recorded() == 0
