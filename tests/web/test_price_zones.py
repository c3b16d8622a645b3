"""Issue 29.8: prices on the map. Every free seat carries its price zone (a coloured bar
and a legend naming each price), the API lists the zones, and best available keeps to
a budget ("up to £35")."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from tests.factories import seat_by_label
from webapp.booking import get_hold, hold_best_available, hold_seats
from webapp.booking.errors import BookingError
from webapp.booking.venues import geometry
from webapp.booking.venues.price_zones import zones as price_zones
from webapp.booking.venues.venues import SectionLayout, create_event
from webapp.seed import THEATRE, theatre_layout

HX = {"HX-Request": "true"}


@pytest.fixture
def theatre(app):
    return create_event(THEATRE, "Hamlet", datetime(2030, 1, 1, 19, 30), theatre_layout())


@pytest.fixture
def tiers(app):
    """Rows A-B at £45, C at £35, D at £25: 4 seats a row, no aisle."""
    layout = [SectionLayout("Stalls", list("ABCD"), 4, [4500, 4500, 3500, 2500])]
    return create_event("Test Hall", "Tiers", datetime(2030, 1, 1, 19, 30), layout)


def test_the_theatre_has_three_zones_dearest_first(theatre):
    zones = price_zones(theatre.id)
    assert [(z.index, z.price_cents) for z in zones] == [(0, 4500), (1, 3500), (2, 2500)]
    assert sum(z.seats for z in zones) == 240


def test_every_free_seat_on_the_page_names_its_zone_and_the_legend_each_price(client, theatre):
    html = client.get(f"/events/{theatre.id}").get_data(as_text=True)
    legend = re.search(r'<ul class="legend prices".*?</ul>', html, re.S).group(0)
    assert [m for m in re.findall(r'swatch zone" data-zone="(\d)"></span>(£[\d.]+)<', legend)] == [
        ("0", "£45"), ("1", "£35"), ("2", "£25"),
    ]  # fmt: skip
    zone = dict(
        re.findall(
            r'id="seat-(\d+)" class="seat available[^"]*" data-x="\d+" data-zone="(\d)"', html
        )
    )
    assert len(zone) == 240
    a1, e1, j1 = (str(seat_by_label(theatre, x).id) for x in ("A1", "E1", "J1"))
    assert (zone[a1], zone[e1], zone[j1]) == ("0", "1", "2")


def test_the_api_lists_the_zones(client, theatre):
    body = client.get(f"/api/v1/events/{theatre.id}/seats").get_json()
    assert body["price_zones"] == [
        {"price_cents": 4500, "seats": 80},
        {"price_cents": 3500, "seats": 80},
        {"price_cents": 2500, "seats": 80},
    ]


def test_best_available_keeps_to_the_budget(client, tiers):
    r = client.post(
        f"/api/v1/events/{tiers.id}/holds", json={"quantity": 2, "max_price_cents": 3500}
    )
    assert r.status_code == 201, r.get_json()
    labels = sorted(labels_of(tiers, r.get_json()["seat_ids"]))
    # The best pair at £35 or less, not row A; C2-C3 would strand C1 and C4 (the
    # no-orphan rule, on as venues get it, holds for budgets too).
    assert labels == ["C1", "C2"]


def test_the_budget_sells_its_last_seats_and_then_says_so(app, tiers):
    d = [seat_by_label(tiers, f"D{n}").id for n in range(1, 5)]
    hold_seats(tiers.id, "other", d)  # row D gone: only C is at £35 or less
    hold = hold_best_available(tiers.id, "me", 4, max_price_cents=3500)
    assert sorted(labels_of(tiers, hold.seat_ids)) == ["C1", "C2", "C3", "C4"]
    with pytest.raises(BookingError) as refused:
        hold_best_available(tiers.id, "you", 1, max_price_cents=3500)
    assert refused.value.code == "sold_out_at_price"
    assert "£35 or less" in refused.value.message
    # Any price still finds a seat in rows A-B.
    assert len(hold_best_available(tiers.id, "you", 1).seat_ids) == 1


@pytest.mark.parametrize("bad", [0, -5, "35", 12.5, True])
def test_a_bad_budget_is_a_clear_422_and_holds_nothing(client, tiers, bad):
    r = client.post(
        f"/api/v1/events/{tiers.id}/holds", json={"quantity": 1, "max_price_cents": bad}
    )
    assert r.status_code == 422
    assert "highest price" in r.get_json()["message"]
    assert all(
        s["status"] == "available"
        for s in client.get(f"/api/v1/events/{tiers.id}/seats").get_json()["seats"]
    )


def test_the_page_form_offers_each_lower_price_and_keeps_to_it(client, tiers):
    html = client.get(f"/events/{tiers.id}").get_data(as_text=True)
    options = re.findall(r'<option value="(\d+)">Up to (£[\d.]+)</option>', html)
    assert options == [("3500", "£35"), ("2500", "£25")]
    r = client.post(
        f"/events/{tiers.id}/best", data={"quantity": "2", "max_price": "2500"}, headers=HX
    )
    assert r.status_code == 200
    with client.session_transaction() as s:
        hold = get_hold(s["baskets"][str(tiers.id)], s["cid"])
    assert sorted(labels_of(tiers, hold.seat_ids)) == ["D1", "D2"]
    r = client.post(
        f"/events/{tiers.id}/best", data={"quantity": "2", "max_price": "cheap"}, headers=HX
    )
    assert r.status_code == 422 and "highest price" in r.get_data(as_text=True)


def labels_of(event, ids):
    layout = geometry.layout_of(event.id)
    return [layout.seat(i).label for i in ids]
