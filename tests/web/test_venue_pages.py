"""Seat attributes and standing areas on the customer pages."""

from __future__ import annotations

from tests.unit.test_venue_features import accessible_event, festival

HX = {"HX-Request": "true"}


def test_attributes_are_in_the_map_and_the_aria_label(client, app):
    event = accessible_event()
    html = client.get(f"/events/{event.id}").data.decode()
    assert 'aria-label="Row A seat 1, £20, wheelchair space, available"' in html
    assert 'aria-label="Row A seat 3, £20, companion seat, available"' in html
    assert 'aria-label="Row B seat 6, £20, restricted view, available"' in html
    assert 'class="seat available wheelchair"' in html
    assert 'name="wheelchair"' in html  # best available can ask for spaces


def test_standing_area_box_adds_places_to_the_basket(client, app):
    event = festival(capacity=4)
    page = client.get(f"/events/{event.id}").data.decode()
    assert "4 of 4 places left" in page and 'class="seat ' in page
    assert "Floor 1" not in page  # places are not drawn as seats
    r = client.post(
        f"/events/{event.id}/standing", data={"area": "Floor", "quantity": "3"}, headers=HX
    )
    assert r.status_code == 200
    body = r.data.decode()
    assert "3 places in Floor added to your basket." in body
    assert "1 of 4 places left" in body and 'id="standing"' in body
    r = client.post(
        f"/events/{event.id}/standing", data={"area": "Floor", "quantity": "2"}, headers=HX
    )
    assert r.status_code == 409
    assert "Sorry, only 1 standing place is left in Floor." in r.data.decode()


def test_standing_refuses_nonsense_quantities(client, app):
    event = festival()
    for quantity in ("", "0", "abc", "-2"):
        r = client.post(
            f"/events/{event.id}/standing", data={"area": "Floor", "quantity": quantity}, headers=HX
        )
        assert r.status_code == 422, quantity


def test_api_holds_standing_places_with_seats(client, app):
    event = festival()
    seats = client.get(f"/api/v1/events/{event.id}/seats").get_json()["seats"]
    a1 = next(s["id"] for s in seats if s["label"] == "A1")
    r = client.post(
        f"/api/v1/events/{event.id}/holds", json={"seat_ids": [a1], "standing": {"Floor": 2}}
    )
    assert r.status_code == 201 and len(r.get_json()["seat_ids"]) == 3
    r = client.post(f"/api/v1/events/{event.id}/holds", json={"standing": {"Floor": 9}})
    assert r.status_code == 409 and r.get_json()["error"] in ("standing_full", "seat_limit")


def test_basket_offers_ticket_types_and_totals_them(client, app):
    from tests.factories import make_event, seat_by_label

    event = make_event(price_cents=4000, ticket_types={"child": 1500})
    a1 = seat_by_label(event, "A1").id
    client.post(f"/events/{event.id}/toggle", data={"seat": a1}, headers=HX)
    page = client.get(f"/events/{event.id}").data.decode()
    assert f'id="type-{a1}"' in page and "Child £15" in page
    r = client.post(
        f"/events/{event.id}/basket/ticket-type",
        data={"seat": a1, "ticket_type": "child"},
        headers=HX,
    )
    assert r.status_code == 200 and "Total <strong>£15</strong>" in r.data.decode()
    r = client.post(
        f"/events/{event.id}/basket/ticket-type",
        data={"seat": a1, "ticket_type": "pensioner"},
        headers=HX,
    )
    assert r.status_code == 409 and "A1 can be booked as Adult and Child only." in r.data.decode()
    r = client.post(
        f"/events/{event.id}/checkout",
        data={"name": "Kid's Mum", "email": "mum@example.com", "idempotency_key": "k1"},
    )
    assert r.status_code == 303
    from webapp.booking.models import Booking
    from webapp.extensions import db

    reference = db.session.query(Booking.reference).scalar()
    page = client.get(f"/bookings/{reference}").data.decode()
    assert "(A1) · Child — £15" in page and "Total <strong>£15</strong>" in page
    hold_id = client.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 1}).get_json()
    r = client.post(
        f"/api/v1/holds/{hold_id['hold_id']}/ticket-types",
        json={"seat_id": hold_id["seat_ids"][0], "ticket_type": "child"},
    )
    assert r.status_code == 200 and r.get_json()["total_cents"] == 1500
