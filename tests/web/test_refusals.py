"""Refusals of form posts: routes never catch BookingError; errors.py answers a plain
browser with a flash message and a redirect to the page the view names, htmx with a
fragment, the API with JSON."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_by_label
from webapp.booking import hold_seats
from webapp.staff.users import create_staff

HX = {"HX-Request": "true"}


def refused_back_to(client, response, location: str, message: str) -> None:
    assert response.status_code == 303, response.data[:300]
    assert response.headers["Location"] == location
    assert message in client.get(location).data.decode()


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("toggle", {"seat": "A3"}, "someone just took A3"),
        ("best", {"quantity": "0"}, "Quantity must be a whole number"),
        ("standing", {"area": "Nowhere", "quantity": "2"}, "no section called"),
        ("basket/ticket-type", {"seat": "A3", "ticket_type": "child"}, "Your hold has lapsed"),
        ("waitlist", {"email": "x", "quantity": "2"}, "There are still 19 seats on sale"),
        ("presale", {"code": "NOPE"}, "That presale code is not valid"),
        ("checkout", {"name": "Ann", "email": "ann@example.com"}, "Your basket is empty"),
    ],
)
def test_plain_form_refusals_flash_and_return_to_the_event(client, app, path, form, message):
    event = make_event()
    hold_seats(event.id, "someone-else", [seat_by_label(event, "A3").id])
    if "seat" in form:
        form = {**form, "seat": seat_by_label(event, form["seat"]).id}
    r = client.post(f"/events/{event.id}/{path}", data=form)
    refused_back_to(client, r, f"/events/{event.id}", message)


def test_checkout_page_without_a_basket_goes_back_to_the_event(client, app):
    event = make_event()
    r = client.get(f"/events/{event.id}/checkout")
    refused_back_to(client, r, f"/events/{event.id}", "Your basket is empty")


def test_htmx_refusal_of_a_map_action_answers_the_map_not_a_redirect(client, app):
    event = make_event()
    r = client.post(
        f"/events/{event.id}/basket/ticket-type",
        data={"seat": seat_by_label(event, "A3").id, "ticket_type": "child"},
        headers=HX,
    )
    html = r.data.decode()
    assert r.status_code == 410 and "Your hold has lapsed" in html
    assert 'id="basket"' in html and "<html" not in html


def test_the_api_gets_json_for_the_same_refusal(client, app):
    event = make_event()
    r = client.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 0})
    assert r.status_code == 422 and r.json["error"] == "invalid_input"


@pytest.fixture
def staff_client(client, app):
    create_staff("desk@example.com", "pw")
    r = client.post("/staff/login", data={"email": "desk@example.com", "password": "pw"})
    assert r.status_code == 303
    return client


def test_staff_refusals_flash_and_return_to_the_page_they_name(staff_client, app):
    event = make_event()
    r = staff_client.post(f"/staff/events/{event.id}/room/rate", data={"admit_per_minute": "-3"})
    refused_back_to(staff_client, r, f"/staff/events/{event.id}/room", "People let in a minute")
    r = staff_client.post(f"/staff/events/{event.id}/holds/{event.id}-nohold/release")
    refused_back_to(staff_client, r, f"/staff/events/{event.id}", "That hold does not exist")
    r = staff_client.post("/staff/bookings/HFNOTHERE/refund", data={"reason": "x"})
    assert r.status_code == 303 and r.headers["Location"] == "/staff/bookings/HFNOTHERE"


def test_api_refuses_null_where_the_schema_does_not_allow_it(client, app):
    """Schemathesis found {"seat_ids": [1], "standing": null} accepted once the route's
    own type check moved into the domain (where None means "no standing places")."""
    event = make_event()
    url = f"/api/v1/events/{event.id}/holds"
    r = client.post(url, json={"seat_ids": [seat_by_label(event, "A1").id], "standing": None})
    assert r.status_code == 422 and r.json["message"] == "'standing' cannot be null."
    r = client.post(url, json={"quantity": 1, "section": None})  # null section: anywhere
    assert r.status_code == 201
