"""The staff seat map (issue 28): sections in the venue's order with row labels, seats
that can be chosen for block, unblock or release, and a large venue drawn as its plan
and then one section's seats (it was not drawn at all)."""

from __future__ import annotations

import re

import pytest

from tests.factories import seat_by_label, small_arena
from webapp.booking import get_hold, hold_seats
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.staff.users import create_staff

PASSWORD = "a long enough password"


@pytest.fixture
def app_config():
    return {"LARGE_VENUE_SEATS": 30}


@pytest.fixture
def desk(client):
    create_staff("desk@example.com", PASSWORD)
    client.post("/staff/login", data={"email": "desk@example.com", "password": PASSWORD})
    return client


def theatre():
    # Stalls first (nearest the stage), then the Circle: alphabetical order put Circle first.
    return create_event(
        "Little Theatre",
        "Play",
        utcnow().replace(year=2031),
        [SectionLayout("Stalls", ["A", "B"], 6, 3000), SectionLayout("Circle", ["C"], 6, 2000)],
    )


def test_sections_in_venue_order_with_row_labels_and_seat_buttons(desk, app):
    event = theatre()
    html = desk.get(f"/staff/events/{event.id}").get_data(as_text=True)
    assert html.index("<h3>Stalls</h3>") < html.index("<h3>Circle</h3>")
    rows = re.findall(r'<span class="row-label" aria-hidden="true">(\w+)</span>', html)
    assert rows == ["A", "B", "C"]
    assert re.search(r'<button type="button" class="seat available" data-label="A1"', html)
    assert 'formaction="/staff/events/' in html and "Release their holds" in html


def test_release_the_holds_of_seats_chosen_on_the_map(desk, app):
    event = theatre()
    ann = hold_seats(event.id, "ann", [seat_by_label(event, x).id for x in ("A1", "A2")])
    bob = hold_seats(event.id, "bob", [seat_by_label(event, "B3").id])
    r = desk.post(f"/staff/events/{event.id}/holds/release", data={"labels": "a2"})
    assert r.status_code == 303
    assert "Released the holds of A1, A2" in desk.get(r.headers["Location"]).get_data(as_text=True)
    assert get_hold(ann.hold_id, "ann") is None and get_hold(bob.hold_id, "bob") is not None
    r = desk.post(f"/staff/events/{event.id}/holds/release", data={"labels": "C1"})
    assert "None of those seats is held" in desk.get(r.headers["Location"]).get_data(as_text=True)
    r = desk.post(f"/staff/events/{event.id}/holds/release", data={"labels": "Z9"})
    assert "Unknown seats: Z9" in desk.get(r.headers["Location"]).get_data(as_text=True)
    assert get_hold(bob.hold_id, "bob") is not None


def test_a_large_venue_shows_its_plan_then_one_sections_seats(desk, app):
    arena = small_arena()
    html = desk.get(f"/staff/events/{arena.id}").get_data(as_text=True)
    assert 'class="plan-svg"' in html and 'class="seat ' not in html
    assert f'href="/staff/events/{arena.id}?section=North"' in html
    north = desk.get(f"/staff/events/{arena.id}?section=North").get_data(as_text=True)
    assert 'data-label="A1"' in north and 'data-label="C1"' not in north
    assert "section=North" in north.split('id="event-live"')[0].rsplit("hx-get", 1)[1]
