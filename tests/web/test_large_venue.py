"""Large venues open on a section overview and load one section's seats at a time."""

from __future__ import annotations

import re

import pytest

from tests.factories import seat_by_label, small_arena
from webapp.booking import hold_seats
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import SectionLayout, create_event

HX = {"HX-Request": "true"}


@pytest.fixture
def app_config():
    return {"LARGE_VENUE_SEATS": 30}


@pytest.fixture
def arena(app):
    return small_arena()


def test_overview_lists_sections_without_seat_cells(client, arena):
    hold_seats(arena.id, "x", [seat_by_label(arena, "A1").id])
    html = client.get(f"/events/{arena.id}").data.decode()
    assert 'class="seat ' not in html
    assert 'aria-label="North: 19 of 20 left, £50"' in html
    assert 'aria-label="South: 20 of 20 left, £25 to £30"' in html


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
    assert 'id="sections"' in html and "North: 19 of 20 left" in html
    none = client.get(f"/events/{arena.id}/changes?since={since}&section=", headers=HX)
    assert 'class="seat ' not in none.data.decode()


def polygons(html: str) -> dict[str, tuple[str, list[tuple[float, float]]]]:
    """Section name -> (shading, corners) from the overview's SVG plan."""
    found = {}
    for name, level, points in re.findall(
        r'aria-label="([^:"]+):[^"]*"[^>]*>\s*<title>[^<]*</title>\s*'
        r'<polygon class="plan-section (\w+)" points="([^"]+)"',
        html,
    ):
        corners = [tuple(float(v) for v in p.split(",")) for p in points.split()]
        found[name] = (level, corners)
    return found


def test_overview_is_a_plan_set_out_below_the_stage_without_places(client, arena):
    plan = polygons(client.get(f"/events/{arena.id}").data.decode())
    assert set(plan) == {"North", "South"}
    (_, north), (_, south) = plan["North"], plan["South"]
    # 10 seats across, 2 rows deep, side by side below the stage (y > its front edge, 12)
    assert max(x for x, _ in north) - min(x for x, _ in north) == pytest.approx(10)
    assert max(y for _, y in north) - min(y for _, y in north) == pytest.approx(2)
    assert min(y for _, y in north + south) > 12
    assert max(x for x, _ in north) < min(x for x, _ in south)


def test_places_from_the_layout_text_and_shading_by_what_is_left(client, app):
    event = create_event(
        "Placed Arena",
        "Placed Night",
        utcnow().replace(year=2031),
        [
            SectionLayout("East", ["A", "B"], 10, 5000, at=(100.0, 0.0), turned=270.0),
            SectionLayout("West", ["C", "D"], 10, 5000, at=(-100.0, 0.0), turned=90.0),
        ],
    )
    east_ids = [seat_by_label(event, f"{r}{n}").id for r in "AB" for n in range(1, 11)]
    for i in range(0, 20, 4):  # 20 seats, held four at a time by different people
        hold_seats(event.id, f"c{i}", east_ids[i : i + 4])
    plan = polygons(client.get(f"/events/{event.id}").data.decode())
    level, east = plan["East"]
    assert level == "none" and plan["West"][0] == "plenty"
    # turned a quarter: 2 rows wide, 10 seats tall, centred on (100, 0)
    assert max(x for x, _ in east) - min(x for x, _ in east) == pytest.approx(2, abs=0.2)
    assert max(y for _, y in east) - min(y for _, y in east) == pytest.approx(10, abs=0.2)
    assert sum(x for x, _ in east) / 4 == pytest.approx(100, abs=0.2)
    hold_seats(event.id, "w", [seat_by_label(event, f"C{n}").id for n in range(1, 7)])
    hold_seats(event.id, "w2", [seat_by_label(event, f"D{n}").id for n in range(1, 7)])
    plan = polygons(client.get(f"/events/{event.id}").data.decode())
    assert plan["West"][0] == "some"  # 8 of 20 left
    hold_seats(event.id, "w3", [seat_by_label(event, f"C{n}").id for n in range(7, 11)])
    hold_seats(event.id, "w4", [seat_by_label(event, "D7").id])
    plan = polygons(client.get(f"/events/{event.id}").data.decode())
    assert plan["West"][0] == "few"  # 3 of 20 left


def test_a_basket_the_cookie_missed_shows_on_the_overview(client, arena):
    """The section overview has no seat map to tell whether the customer holds seats:
    its own read of the holds (the same round trip) says so, and the basket the cookie
    missed is found again there."""
    from tests.web.test_customer_flow import _cookie_of_before

    client.get(f"/events/{arena.id}")
    seat = seat_by_label(arena, "A1")
    _cookie_of_before(
        client, lambda: client.post(f"/events/{arena.id}/toggle", data={"seat": seat.id})
    )
    html = client.get(f"/events/{arena.id}").data.decode()
    assert html.count('class="basket-line"') == 1 and "Check out" in html
