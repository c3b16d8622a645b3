"""Large venues open on a section overview and load one section's seats at a time."""

from __future__ import annotations

import re

import pytest

from tests.factories import seat_by_label
from webapp.booking import hold_seats
from webapp.booking.layout import SectionLayout, create_event
from webapp.booking.models import utcnow

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config():
    return {"LARGE_VENUE_SEATS": 30}


@pytest.fixture
def arena(app):
    return create_event(
        "Small Arena",
        "Big Night",
        utcnow().replace(year=2031),
        [
            SectionLayout("North", ["A", "B"], 10, 5000),
            SectionLayout("South", ["C", "D"], 10, [3000, 2500]),
        ],
    )


def test_overview_lists_sections_without_seat_cells(client, arena):
    hold_seats(arena.id, "x", [seat_by_label(arena, "A1").id])
    html = client.get(f"/events/{arena.id}").data.decode()
    assert 'class="seat ' not in html
    north = re.search(r"<strong>North</strong> <span>(.*?)</span>", html).group(1)
    assert north == "19 of 20 left" and "£25–£30" in html


def test_a_section_loads_on_its_own(client, arena):
    r = client.get(f"/events/{arena.id}/sections/South", headers=HX)
    html = r.data.decode()
    assert r.status_code == 200 and html.count('class="seat ') == 20
    assert 'id="section" name="section" value="South" hx-swap-oob="true"' in html
    assert "Row A seat" not in html
    page = client.get(f"/events/{arena.id}?section=North").data.decode()  # without JavaScript
    assert page.count('class="seat ') == 20 and 'aria-current="true"' in page
    assert client.get(f"/events/{arena.id}/sections/West", headers=HX).status_code == 404


def test_polling_sends_only_the_loaded_section(client, app, arena):
    page = client.get(f"/events/{arena.id}").data.decode()
    since = re.search(r'id="since" name="since" value="(\d+)"', page).group(1)
    hold_seats(arena.id, "x", [seat_by_label(arena, "A1").id, seat_by_label(arena, "C1").id])
    r = client.get(f"/events/{arena.id}/changes?since={since}&section=South", headers=HX)
    html = r.data.decode()
    assert html.count('class="seat ') == 1 and "Row C seat 1" in html
    assert 'id="sections"' in html and "19 of 20 left" in html
    none = client.get(f"/events/{arena.id}/changes?since={since}&section=", headers=HX)
    assert 'class="seat ' not in none.data.decode()
