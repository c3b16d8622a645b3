"""The test payment provider (issue 14.2): off unless asked for, and its webhook goes to
the configured site address whatever Host header the request carried."""

from __future__ import annotations

import pytest

from tests.conftest import base_config
from tests.factories import make_event, seat_ids
from webapp import create_app
from webapp.booking import hold_seats, start_checkout

FORGED = "http://attacker.example:9999"


@pytest.fixture
def app_config() -> dict:
    return {"PUBLIC_BASE_URL": "https://tickets.example/"}


def pending_payment(client) -> str:
    event = make_event()
    with client.session_transaction(base_url=FORGED) as sess:
        sess["cid"] = "alice"
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    _, body = start_checkout(hold.hold_id, "alice", "Alice", "alice@example.com", "k1")
    return body["payment_url"]


def test_forged_host_does_not_steer_the_webhook(app, client):
    url = pending_payment(client)
    queue = app.extensions["holdfast_queue"]
    r = client.post(url, data={"action": "pay", "delay": "0"}, base_url=FORGED)
    assert r.status_code == 303
    (job,) = queue.jobs
    assert job.args[0] == "https://tickets.example/webhooks/payments"


def test_provider_is_off_unless_turned_on(monkeypatch, database_url, redis_url):
    monkeypatch.delenv("TEST_PAYMENT_PROVIDER", raising=False)
    config = base_config(database_url, redis_url)
    del config["TEST_PAYMENT_PROVIDER"]
    off = create_app(config)
    assert off.config["TEST_PAYMENT_PROVIDER"] is False
    assert off.test_client().get("/pay/pay_anything").status_code == 404
    monkeypatch.setenv("TEST_PAYMENT_PROVIDER", "1")
    assert create_app(config).config["TEST_PAYMENT_PROVIDER"] is True
