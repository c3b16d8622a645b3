"""A customer's seat map in a real browser: holds, live updates, checkout, keyboard."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat
from tests.factories import make_event


@pytest.fixture
def event(app):
    return make_event(rows=4, seats_per_row=14, price_cents=4500, aisles_after=[7])


def test_hold_two_seats_see_countdown_and_check_out(server, new_page, event):
    page = new_page()
    open_event(page, server, event.id)
    seat(page, "B7").click()
    expect(seat(page, "B7")).to_have_class(re.compile(r"\bmine\b"))
    seat(page, "B8").click()
    expect(seat(page, "B8")).to_have_attribute("aria-pressed", "true")
    basket = page.locator("#basket")
    expect(basket).to_contain_text("Row B seat 7")
    expect(basket).to_contain_text("£90")
    expect(basket.locator(".remaining")).to_have_text(re.compile(r"^(9|10):\d\d$"))
    basket.get_by_role("link", name="Check out").click()
    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    expect(page.get_by_text("TEST PAYMENT PROVIDER")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("Pay £90")
    page.get_by_role("button", name="Pay £90").click()
    expect(page.locator("h1")).to_contain_text("Booking HF")
    expect(page.locator("#booking-status")).to_contain_text("B7")
    expect(page.locator("#booking-status")).to_contain_text(
        "Payment received — seats confirmed", timeout=10000
    )


def test_other_customer_sees_hold_live_and_click_is_refused(server, new_page, event):
    alice, bob = new_page(), new_page()
    open_event(alice, server, event.id)
    open_event(bob, server, event.id)
    seat(alice, "C12").click()
    expect(seat(alice, "C12")).to_have_class(re.compile(r"\bmine\b"))
    expect(seat(bob, "C12")).to_have_class(re.compile(r"\bheld\b"), timeout=2000)
    expect(seat(bob, "C12")).to_have_attribute("aria-label", re.compile("held by someone"))
    seat(bob, "C12").click()
    expect(bob.locator("#flash")).to_contain_text("someone just took C12", ignore_case=True)
    expect(seat(bob, "C12")).to_have_class(re.compile(r"\bheld\b"))
    expect(bob.locator("#basket")).to_contain_text("Click a seat")


def test_best_available_gives_adjacent_seats(server, new_page, event):
    page = new_page()
    open_event(page, server, event.id)
    page.get_by_label("How many seats").select_option("4")
    page.get_by_role("button", name="Find seats").click()
    mine = page.locator("#seatmap .seat.mine")
    expect(mine).to_have_count(4)
    rows = {m.get_attribute("data-price").split(" ")[0][0] for m in mine.all()}
    numbers = sorted(int(m.inner_text()) for m in mine.all())
    assert len(rows) == 1 and numbers == list(range(numbers[0], numbers[0] + 4))
    xs = sorted(int(m.get_attribute("data-x")) for m in mine.all())
    assert xs == list(range(xs[0], xs[0] + 4))  # no aisle between them


def test_keyboard_only_select_and_check_out(server, new_page, event):
    page = new_page()
    open_event(page, server, event.id)
    page.locator("#quantity").focus()  # start from a known place, then keyboard only
    for _ in range(10):
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.classList.contains('seat')"):
            break
    assert page.evaluate("document.activeElement.classList.contains('seat')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    label = page.evaluate("document.activeElement.dataset.price.split(' ')[0]")
    page.keyboard.press("Enter")
    expect(seat(page, label)).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.activeElement.dataset.price.split(' ')[0]") == label
    page.keyboard.press("Space")
    expect(seat(page, label)).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(seat(page, label)).to_have_attribute("aria-pressed", "true")
    link = page.locator("#basket > a", has_text="Check out")
    link.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into Name? find it by focus order from the page top
    page.get_by_label("Name").focus()
    page.keyboard.type("Key Board")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_text("TEST PAYMENT PROVIDER")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Pay")).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#booking-status")).to_contain_text(label)


def test_declined_payment_explains_and_lets_the_customer_pay_again(server, new_page, event):
    page = new_page()
    open_event(page, server, event.id)
    seat(page, "A1").click()
    expect(seat(page, "A1")).to_have_class(re.compile(r"\bmine\b"))
    page.get_by_role("link", name="Check out").click()
    page.get_by_label("Name").fill("Dee Klein")
    page.get_by_label("Email").fill("dee@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Decline the payment").click()
    status = page.locator("#booking-status")
    expect(status).to_contain_text("The payment was declined", timeout=10000)
    expect(status).to_contain_text("Your seats are still held")
    page.get_by_role("link", name=re.compile("^Pay again")).click()  # another card
    page.get_by_role("button", name=re.compile("^Pay")).click()
    expect(page.locator("#booking-status")).to_contain_text("Payment received", timeout=10000)


def test_a_live_poll_does_not_replace_an_unchanged_basket(server, new_page, event):
    """CI: "Check out" was clicked as a poll swapped in an identical basket, and the
    click was lost (the page stayed on the map). A poll that shows nothing new about
    the basket leaves its element in place."""
    page, other = new_page(), new_page()
    open_event(page, server, event.id)
    open_event(other, server, event.id)
    seat(page, "A3").click()
    expect(seat(page, "A3")).to_have_class(re.compile(r"\bmine\b"))
    page.wait_for_timeout(2500)  # polls sent around the click (every 1 s) have answered
    page.evaluate("document.getElementById('basket').dataset.marked = '1'")
    # Someone else's hold makes the next poll a 200 that carries the (unchanged)
    # basket; without it the poll carrying A3 may have come before the mark.
    with page.expect_response(lambda r: "/changes" in r.url and r.status == 200):
        seat(other, "D14").click()
    expect(seat(page, "D14")).to_have_class(re.compile(r"\bheld\b"))
    page.wait_for_timeout(300)  # its swap, if any, is done
    assert page.evaluate("document.getElementById('basket').dataset.marked") == "1"
    seat(page, "A4").click()  # a real change still comes through
    expect(page.locator("#basket")).to_contain_text("Row A seat 4")


def test_best_available_replaces_the_basket_unless_asked_to_add(server, new_page, event):
    """Issue 29.7: 2 picked + "best 3" made 5 scattered seats."""
    page = new_page()
    open_event(page, server, event.id)
    for label in ("D3", "D4"):
        seat(page, label).click()
        expect(seat(page, label)).to_have_class(re.compile(r"\bmine\b"))
    page.get_by_label("How many seats").select_option("3")
    page.get_by_role("button", name="Find seats").click()
    expect(page.locator("#flash")).to_contain_text("in place of your basket")
    expect(page.locator("#seatmap .seat.mine")).to_have_count(3)
    expect(seat(page, "D3")).not_to_have_class(re.compile(r"\bmine\b"))
    page.get_by_label("adds seats to these").check()
    page.get_by_label("How many seats").select_option("2")
    page.get_by_role("button", name="Find seats").click()
    expect(page.locator("#seatmap .seat.mine")).to_have_count(5)
