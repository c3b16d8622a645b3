"""Issue 29.7: best available added to the basket (2 picked + "best 3" = 5 scattered
seats), and in the arena the page stayed on the block in view. Now it replaces the
basket unless asked to add, and a large venue's page moves to the found seats."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_by_label, small_arena
from webapp.booking import get_hold

HX = {"HX-Request": "true"}


def basket_of(client, event_id):
    with client.session_transaction() as s:
        hold_id = s.get("baskets", {}).get(str(event_id))
        customer = s.get("cid")
    hold = get_hold(hold_id, customer)
    return sorted(hold.seat_ids) if hold else []


def pick(client, event, *labels):
    for label in labels:
        r = client.post(f"/events/{event.id}/toggle", data={"seat": seat_by_label(event, label).id})
        assert r.status_code in (200, 303), r.data


@pytest.fixture
def hall(app):
    return make_event(rows=3, seats_per_row=10)


def test_best_available_replaces_the_basket(client, hall):
    pick(client, hall, "C3", "C4")
    r = client.post(f"/events/{hall.id}/best", data={"quantity": "3"}, headers=HX)
    assert r.status_code == 200 and "in place of your basket" in r.get_data(as_text=True)
    seats = basket_of(client, hall.id)
    assert len(seats) == 3  # not 5
    c3 = seat_by_label(hall, "C3").id
    assert c3 not in seats  # row A is better: C3 went back on sale


def test_best_available_adds_when_asked(client, hall):
    pick(client, hall, "C3", "C4")
    r = client.post(f"/events/{hall.id}/best", data={"quantity": "3", "mode": "add"}, headers=HX)
    assert r.status_code == 200 and "We added 3 seats" in r.get_data(as_text=True)
    assert len(basket_of(client, hall.id)) == 5


def test_a_refused_search_leaves_the_basket_as_it_was(client, hall):
    pick(client, hall, "C3", "C4")
    before = basket_of(client, hall.id)
    r = client.post(
        f"/events/{hall.id}/best", data={"quantity": "3", "section": "Nowhere"}, headers=HX
    )
    assert 400 <= r.status_code < 500
    assert basket_of(client, hall.id) == before
    r = client.post(f"/events/{hall.id}/best", data={"quantity": "99"}, headers=HX)
    assert 400 <= r.status_code < 500 and basket_of(client, hall.id) == before


@pytest.fixture
def app_config():
    return {"LARGE_VENUE_SEATS": 30}


def test_a_large_venue_page_moves_to_the_section_of_the_found_seats(client, app):
    arena = small_arena()
    r = client.post(
        f"/events/{arena.id}/best",
        data={"quantity": "2", "section": "South", "shown_section": "North"},
        headers=HX,
    )
    assert r.status_code == 200
    assert r.headers["HX-Location"] == f"/events/{arena.id}?section=South"
    same = client.post(
        f"/events/{arena.id}/best",
        data={"quantity": "2", "section": "South", "shown_section": "South"},
        headers=HX,
    )
    assert "HX-Location" not in same.headers
