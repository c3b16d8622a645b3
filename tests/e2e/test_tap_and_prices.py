"""Issue 29.3 and 29.8 in a real browser, on a phone (390 x 844, touch) and a desktop.

- A tap on seats drawn smaller than 24 px zooms there instead of taking a seat a finger
  cannot aim at; the tapped seat is then >= 24 px, in view and clear of the sticky row
  labels, and the next tap takes it.
- Prices are on the map: a bar of the zone's colour on every free seat, a legend naming
  each price, best available kept to a budget, the arena plan's blocks showing their
  prices; on a phone the plan fits the screen and a chosen block's seats are brought
  into view.
Screenshots of each view are kept under tests/e2e/artifacts/."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import seat
from tests.e2e.test_phone import DESKTOP, PHONE, keep, open_page, overflow
from tests.factories import make_event, seat_by_label
from webapp.booking import hold_seats

SIZE = "el => { const r = el.getBoundingClientRect(); return Math.min(r.width, r.height); }"


def clear_of_its_label(page: Page, label: str) -> bool:
    """The seat is wholly inside the panel and no row label overlaps it."""
    return seat(page, label).evaluate(
        """el => {
          const r = el.getBoundingClientRect();
          const v = el.closest('.map-viewport').getBoundingClientRect();
          const l = el.parentElement.querySelector('.row-label').getBoundingClientRect();
          return r.left >= v.left && r.right <= v.right && r.top >= v.top
            && r.bottom <= v.bottom && r.left >= l.right; }"""
    )


def test_a_tap_on_small_seats_zooms_there_then_a_tap_takes_the_seat(server, device, theatre):
    page = device(PHONE)
    open_page(page, f"{server}/events/{theatre.id}")
    assert seat(page, "F15").evaluate(SIZE) < 24  # opened fitted: the whole row in view
    expect(page.locator(".map-hint")).to_have_text("Tap the map to zoom in there.")
    seat(page, "F15").tap()
    page.wait_for_timeout(300)
    expect(seat(page, "F15")).not_to_have_class(re.compile(r"\bmine\b"))  # zoomed, not taken
    assert seat(page, "F15").evaluate(SIZE) >= 24
    assert clear_of_its_label(page, "F15")
    expect(page.locator(".map-hint")).to_have_text("Drag or swipe to see more seats.")
    keep(page, "phone-theatre-tap-zoomed")
    seat(page, "F15").tap()
    expect(seat(page, "F15")).to_have_class(re.compile(r"\bmine\b"), timeout=5000)
    assert overflow(page) == 0
    # A seat at the row's start, under where the sticky label sits once panned: the
    # panel moves so the label does not cover it.
    page.locator(".map-viewport").evaluate("v => { v.scrollLeft = 40; }")
    seat(page, "F1").focus()
    assert clear_of_its_label(page, "F1")


def test_a_desktop_map_at_a_tappable_size_takes_the_seat_at_once(server, device, theatre):
    page = device(DESKTOP)
    open_page(page, f"{server}/events/{theatre.id}")
    assert seat(page, "F15").evaluate(SIZE) >= 24
    expect(page.locator(".map-hint")).to_have_text("")
    seat(page, "F15").click()
    expect(seat(page, "F15")).to_have_class(re.compile(r"\bmine\b"), timeout=5000)


def test_prices_on_the_map_legend_and_best_available_up_to_a_price(server, device, theatre):
    for name, settings in (("desktop", DESKTOP), ("phone", PHONE)):
        page = device(settings)
        open_page(page, f"{server}/events/{theatre.id}")
        legend = page.locator("ul.legend.prices li")
        expect(legend).to_have_text(["£45", "£35", "£25"])
        bars = {
            label: seat(page, label).evaluate("el => getComputedStyle(el).boxShadow")
            for label in ("A5", "E5", "J5")
        }
        assert "rgb(11, 107, 203)" in bars["A5"]  # £45
        assert "rgb(130, 80, 223)" in bars["E5"]  # £35
        assert "rgb(10, 125, 140)" in bars["J5"]  # £25
        swatches = legend.locator(".swatch").evaluate_all(
            "els => els.map(e => getComputedStyle(e).boxShadow)"
        )
        assert [bars["A5"], bars["E5"], bars["J5"]] == swatches  # the legend matches the map
        keep(page, f"{name}-theatre-prices")
    page.select_option("#quantity", "2")
    page.select_option("#best-price", label="Up to £25")
    page.get_by_role("button", name="Find seats").tap()
    mine = page.locator("#seatmap .seat.mine")
    expect(mine).to_have_count(2, timeout=5000)
    labels = mine.evaluate_all("els => els.map(e => e.dataset.price)")
    assert all("£25" in text and text.startswith("J") for text in labels), labels


def test_phone_arena_plan_fits_shows_prices_and_brings_the_block_into_view(server, device, arena):
    page = device(PHONE)
    open_page(page, f"{server}/events/{arena.id}")
    plan = page.locator(".plan-svg").bounding_box()
    assert plan["x"] >= 0 and plan["x"] + plan["width"] <= 390  # the whole plan on screen
    block = page.locator('#sections a[aria-label^="Block E:"]')
    expect(block.locator(".plan-price")).to_have_text(re.compile(r"^£\d+"))
    page.evaluate("window.scrollTo(0, 0)")
    block.tap()
    expect(seat(page, "E12-40")).to_be_attached()
    page.wait_for_function(
        """() => { const t = document.getElementById('seatmap-area').getBoundingClientRect().top;
                   return t >= 0 && t < window.innerHeight * 0.6; }"""
    )
    keep(page, "phone-arena-block-loaded")
    seat(page, "E12-20").tap()  # 7.75 px seats: this tap zooms
    page.wait_for_timeout(300)
    assert seat(page, "E12-20").evaluate(SIZE) >= 24
    assert clear_of_its_label(page, "E12-20")
    keep(page, "phone-arena-tap-zoomed")


def test_list_mode_counts_a_rows_free_seats_as_they_change(server, device, app):
    event = make_event(rows=2, seats_per_row=6)
    page = device(DESKTOP)
    open_page(page, f"{server}/events/{event.id}?view=list")
    row_a = page.locator(".list-row").first
    expect(row_a.locator(".free-count")).to_have_text("(6 free)")
    hold_seats(event.id, "someone-else", [seat_by_label(event, "A2").id])
    expect(row_a.locator(".free-count")).to_have_text("(5 free)", timeout=5000)
