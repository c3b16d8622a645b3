"""Issue 29.4 and 29.5 in a real browser, on a desktop and a phone: the basket warns at
2 minutes left and offers "Add 2 minutes"; a lapse is announced over the page and the
checkout form is switched off; one line per seat (seat, type, price)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat
from tests.e2e.test_phone import DESKTOP, PHONE
from tests.factories import make_event
from webapp.booking.models import utcnow
from webapp.booking.venues.venues import SectionLayout, create_event


@pytest.fixture
def e2e_env():
    return {"HOLD_TTL_SECONDS": "100"}  # under the 2-minute warning from the first click


SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


@SIZES
def test_the_basket_warns_and_adds_two_minutes_once(server, device, size):  # noqa: F811
    event = make_event(rows=2, seats_per_row=8)
    page = device(size)
    open_event(page, server, event.id)
    seat(page, "A3").click()
    expect(seat(page, "A3")).to_have_class(re.compile(r"\bmine\b"))
    warning = page.locator("#basket .hold-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Less than 2 minutes left")
    expect(page.locator(".bar-countdown.warn")).to_have_count(1)  # the phone bar warns too
    warning.get_by_role("button", name="Add 2 minutes").click()
    expect(page.locator("#basket .remaining")).to_have_text(re.compile(r"^3:\d\d$"))
    expect(warning).to_be_hidden()
    expect(page.locator("#basket .hold-warning button")).to_have_count(0)  # once only


@SIZES
def test_a_lapse_is_announced_and_checkout_is_switched_off(server, device, size):  # noqa: F811
    event = make_event(rows=2, seats_per_row=8)
    page = device(size)
    page.clock.install()
    open_event(page, server, event.id)
    seat(page, "B2").click()
    expect(seat(page, "B2")).to_have_class(re.compile(r"\bmine\b"))
    page.goto(f"{server}/events/{event.id}/checkout")
    page.get_by_label("Name").fill("Late Larry")
    page.clock.fast_forward("01:45")  # past the hold's 100 s on this page's clock
    notice = page.locator(".hold-lapsed-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your hold has lapsed")
    expect(page.get_by_role("button", name="Continue to payment")).to_be_disabled()
    assert notice.bounding_box()["y"] < size["viewport"]["height"]  # on screen at any size


def test_the_basket_has_one_line_per_seat_with_its_type_and_price(server, new_page, app):
    layout = [SectionLayout("Stalls", ["A"], 10, 4500, ticket_types={"child": 2000})]
    event = create_event("Line Hall", "Lines", utcnow().replace(year=2031), layout)
    page = new_page()
    open_event(page, server, event.id)
    for label in ("A3", "A4"):  # nobody stranded (the no-orphan rule is on)
        seat(page, label).click()
        expect(seat(page, label)).to_have_class(re.compile(r"\bmine\b"))
    page.get_by_label("Ticket type for A3").select_option("child")
    lines = page.locator("#basket .basket-line")
    expect(lines.nth(0)).to_contain_text("seat 3")
    expect(lines.nth(0).locator(".line-price")).to_have_text("£20")
    expect(lines.nth(1).locator(".line-price")).to_have_text("£45")
    for i in range(2):  # the seat, its type and its price on one line
        boxes = [
            lines.nth(i).locator(c).bounding_box()
            for c in (".line-seat", ".line-type", ".line-price")
        ]
        middles = [b["y"] + b["height"] / 2 for b in boxes]
        assert max(middles) - min(middles) < 12, boxes
