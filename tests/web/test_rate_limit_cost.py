"""Rate limits on the on-sale routes cost only their counters: no Redis round trip per
answer for X-RateLimit headers, while a refusal still says when to come back."""

from __future__ import annotations

import pytest

from tests.factories import make_event
from tests.unit.test_hot_path import Counted


@pytest.fixture
def app_config() -> dict:
    return {"RATELIMIT_ENABLED": True, "HOLD_RATE_LIMIT": "3 per minute"}


def hold(client, event_id: int):
    return client.post(f"/api/v1/events/{event_id}/holds", json={"quantity": 1})


def test_a_hold_costs_its_script_and_the_two_limit_counters(app, client):
    event = make_event(rows=2, seats_per_row=10)
    assert hold(client, event.id).status_code == 201  # primes the event, loads scripts
    with Counted() as sent:
        r = hold(client, event.id)
    assert r.status_code == 201
    assert not [h for h, _ in r.headers.items() if h.startswith("X-RateLimit")]
    # hold.lua, the per-customer counter and the per-address counter; the window's reset
    # time for X-RateLimit-Reset was a fourth.
    assert sent.redis == 3


def test_a_refusal_says_how_long_to_wait(app, client):
    event = make_event(rows=2, seats_per_row=10)
    codes = [hold(client, event.id).status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    r = hold(client, event.id)
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 61  # the window, rounded up a second
