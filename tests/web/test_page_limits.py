"""The pages' forms share the API's rate limits (issue 14.7), with a message in the page."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_ids


@pytest.fixture
def app_config() -> dict:
    return {
        "RATELIMIT_ENABLED": True,
        "HOLD_RATE_LIMIT": "5 per minute",
        "HOLD_RATE_LIMIT_PER_ADDRESS": "8 per minute",
        "CHECKOUT_RATE_LIMIT": "2 per minute",
    }


HTMX = {"HX-Request": "true"}


def test_seat_toggles_stop_at_the_limit_with_a_message(app, client):
    event = make_event(rows=2, seats_per_row=10)
    ids = seat_ids(event)
    url = f"/events/{event.id}/toggle"
    codes = [client.post(url, data={"seat": s}, headers=HTMX).status_code for s in ids[:5]]
    assert codes == [200] * 5
    r = client.post(url, data={"seat": ids[5]}, headers=HTMX)
    assert r.status_code == 429 and "going too fast" in r.data.decode()
    r = client.post(url, data={"seat": ids[5]})  # a plain form post: a page that says why
    assert r.status_code == 429 and "Wait a moment" in r.data.decode()
    for path, data in (
        ("best", {"quantity": "1"}),
        ("waitlist", {"email": "a@example.com", "quantity": "1"}),
    ):
        assert client.post(f"/events/{event.id}/{path}", data=data).status_code == 429
    api = client.post(f"/api/v1/events/{event.id}/holds", json={"seat_ids": ids[6:7]})
    assert api.status_code == 429  # the API and the pages share one allowance


def test_address_allowance_covers_many_sessions(app):
    """Each session takes a seat and gives it back (so no seat cap is reached): the
    address's allowance of 8 runs out across the sessions."""
    event = make_event(rows=2, seats_per_row=10)
    ids = seat_ids(event)
    url = f"/events/{event.id}/toggle"
    codes = []
    for s in ids[:5]:
        browser = app.test_client()
        codes += [browser.post(url, data={"seat": s}, headers=HTMX).status_code for _ in "on"]
    assert codes == [200] * 8 + [429, 429]
    assert (
        app.test_client()
        .post(url, data={"seat": ids[9]}, headers=HTMX, environ_base={"REMOTE_ADDR": "10.9.8.7"})
        .status_code
        == 200
    )  # another address has its own allowance


def test_checkout_posts_are_limited(app, client):
    event = make_event(rows=2, seats_per_row=10)
    client.post(f"/events/{event.id}/toggle", data={"seat": seat_ids(event)[0]}, headers=HTMX)
    url = f"/events/{event.id}/checkout"
    assert client.get(url).status_code == 200
    bad = {"name": "", "email": "nope", "idempotency_key": "k"}
    codes = [client.post(url, data=bad).status_code for _ in range(3)]
    assert codes[:2] != [429, 429] and codes[2] == 429
    assert client.get(url).status_code == 200  # viewing the page is not counted
