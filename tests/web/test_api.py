"""The JSON API: shapes, status codes and error bodies."""

from __future__ import annotations

import pytest
import yaml

from tests.factories import make_event, seat_ids


def post(client, url, body=None, **headers):
    return client.post(url, json=body, headers=headers)


def test_events_and_seats(client, app):
    event = make_event()
    data = client.get("/api/v1/events").get_json()
    assert (
        data["events"][0] | {"id": event.id, "seats_total": 20, "seats_available": 20}
        == data["events"][0]
    )
    seats = client.get(f"/api/v1/events/{event.id}/seats").get_json()
    assert seats["event_id"] == event.id and len(seats["seats"]) == 20
    assert set(seats["seats"][0]) == {
        "id",
        "label",
        "section",
        "row",
        "number",
        "price_cents",
        "status",
        "kind",
        "restricted_view",
    }
    assert client.get("/api/v1/events/999/seats").status_code == 404


def test_hold_checkout_and_booking_flow(client, app):
    event = make_event()
    ids = seat_ids(event)[:2]
    r = post(client, f"/api/v1/events/{event.id}/holds", {"seat_ids": ids})
    assert r.status_code == 201
    hold = r.get_json()
    assert set(hold) >= {"hold_id", "seat_ids", "expires_at", "ttl_seconds"}
    seats = client.get(f"/api/v1/events/{event.id}/seats").get_json()["seats"]
    assert [s["status"] for s in seats[:3]] == ["mine", "mine", "available"]
    assert client.get("/api/v1/events").get_json()["events"][0]["seats_available"] == 18
    r = post(
        client,
        f"/api/v1/holds/{hold['hold_id']}/checkout",
        {"name": "Ann", "email": "ann@example.com"},
        **{"Idempotency-Key": "abc"},
    )
    assert r.status_code == 201
    booking = r.get_json()["booking"]
    again = post(
        client,
        f"/api/v1/holds/{hold['hold_id']}/checkout",
        {"name": "Ann", "email": "ann@example.com"},
        **{"Idempotency-Key": "abc"},
    )
    assert again.status_code == 201 and again.get_json() == r.get_json()
    got = client.get(f"/api/v1/bookings/{booking['reference']}")
    assert got.status_code == 200 and got.get_json()["booking"]["status"] == "pending"
    stranger = app.test_client()
    assert stranger.get(f"/api/v1/bookings/{booking['reference']}").status_code == 404


def test_hold_conflict_and_sold_out_bodies(client, app):
    event = make_event(rows=1, seats_per_row=2)
    ids = seat_ids(event)
    assert (
        post(client, f"/api/v1/events/{event.id}/holds", {"seat_ids": ids[:1]}).status_code == 201
    )
    other = app.test_client()
    r = post(other, f"/api/v1/events/{event.id}/holds", {"seat_ids": ids})
    assert r.status_code == 409
    body = r.get_json()
    assert body["error"] == "seats_unavailable" and body["seat_ids"] == ids[:1]
    assert "A1" in body["message"]
    assert post(other, f"/api/v1/events/{event.id}/holds", {"quantity": 1}).status_code == 201
    r = post(other, f"/api/v1/events/{event.id}/holds", {"quantity": 1})
    assert r.status_code == 409 and r.get_json()["error"] == "sold_out"


def test_release_hold(client, app):
    event = make_event()
    hold = post(client, f"/api/v1/events/{event.id}/holds", {"quantity": 2}).get_json()
    assert app.test_client().delete(f"/api/v1/holds/{hold['hold_id']}").status_code == 404
    assert client.delete(f"/api/v1/holds/{hold['hold_id']}").status_code == 204
    assert client.delete(f"/api/v1/holds/{hold['hold_id']}").status_code == 404


@pytest.mark.parametrize(
    "kwargs,status,code",
    [
        (
            {"data": "seat_ids=1", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        ({"data": "{not json", "content_type": "application/json"}, 422, "invalid_input"),
        ({"json": [1, 2]}, 422, "invalid_input"),
        ({"json": {}}, 422, "invalid_input"),
        ({"json": {"seat_ids": "all"}}, 422, "invalid_input"),
        ({"json": {"seat_ids": list(range(1, 10001))}}, 409, "seat_limit"),
        ({"json": {"quantity": -1}}, 422, "invalid_input"),
        ({"json": {"quantity": 10**12}}, 409, "seat_limit"),
        ({"json": {"quantity": 1, "section": 5}}, 422, "invalid_input"),
    ],
)
def test_bad_hold_requests_get_clear_errors(client, app, kwargs, status, code):
    event = make_event()
    r = client.post(f"/api/v1/events/{event.id}/holds", **kwargs)
    assert r.status_code == status
    body = r.get_json()
    assert body["error"] == code and body["message"]
    seats = client.get(f"/api/v1/events/{event.id}/seats").get_json()["seats"]
    assert {s["status"] for s in seats} == {"available"}


def test_checkout_errors(client, app):
    event = make_event()
    hold = post(client, f"/api/v1/events/{event.id}/holds", {"quantity": 1}).get_json()
    url = f"/api/v1/holds/{hold['hold_id']}/checkout"
    good = {"name": "Ann", "email": "ann@example.com"}
    r = post(client, url, good)
    assert r.status_code == 400 and r.get_json()["error"] == "idempotency_key_missing"
    r = post(client, url, {"name": "Ann", "email": "nope"}, **{"Idempotency-Key": "k"})
    assert r.status_code == 422 and "email" in r.get_json()["message"]
    assert post(client, url, good, **{"Idempotency-Key": "k"}).status_code == 201
    r = post(client, url, good | {"name": "Bob"}, **{"Idempotency-Key": "k"})
    assert r.status_code == 422 and r.get_json()["error"] == "idempotency_mismatch"
    r = post(client, "/api/v1/holds/1-nothing/checkout", good, **{"Idempotency-Key": "z"})
    assert r.status_code == 410


def test_unknown_routes_and_methods_are_json(client):
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    r = client.put("/api/v1/events")
    assert r.status_code == 405 and r.get_json()["error"]


def test_openapi_documents_every_route_and_error(client, app):
    spec = yaml.safe_load(client.get("/api/v1/openapi.yaml").data)
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{")
            assert path.replace(">", "}") in documented, rule.rule
    from webapp.booking.errors import ERRORS

    text = client.get("/api/v1/openapi.yaml").data.decode()
    for code in ERRORS:
        assert code in text, f"error {code} is not documented"


def test_rate_limit_answers_429(app, database_url, redis_url):
    from tests.conftest import base_config
    from webapp import create_app
    from webapp.extensions import db

    limited = create_app(
        base_config(database_url, redis_url, RATELIMIT_ENABLED=True, HOLD_RATE_LIMIT="3 per minute")
    )
    client = limited.test_client()
    with limited.app_context():
        event = make_event()
        codes = [
            post(client, f"/api/v1/events/{event.id}/holds", {"quantity": 1}).status_code
            for _ in range(5)
        ]
        r = post(client, f"/api/v1/events/{event.id}/holds", {"quantity": 1})
        db.session.remove()
        db.engine.dispose()
    assert codes == [201, 201, 201, 429, 429]
    assert r.get_json()["error"] == "too_many_requests" and "Retry-After" in r.headers
