"""List mode (section → row → seat) with the keyboard only, an axe check, and the
no-orphan refusal as a customer reads it."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_event, seat
from tests.factories import make_event

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


def tab_to(page: Page, condition: str, limit: int = 80) -> None:
    """Press Tab until `condition` (JS, on `el` = the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {condition}; }})()"):
            return
    raise AssertionError(f"never focused an element where {condition}")


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings (evaluated through the devtools protocol,
    so the page's strict CSP does not block it)."""
    page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => (await axe.run(document)).violations
             .filter(v => ['serious', 'critical'].includes(v.impact))
             .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target).join(' | '))"""
    )
    return found


def test_keyboard_only_booking_of_two_adjacent_seats_in_list_mode(server, new_page, app):
    event = make_event(rows=3, seats_per_row=8, price_cents=3000, no_orphans=True)
    page = new_page()
    page.goto(f"{server}/events/{event.id}?view=list")
    page.wait_for_function("window.htmx !== undefined")
    page.locator(".view-switch a").focus()  # a known start; keyboard only from here
    tab_to(page, "el.tagName === 'SUMMARY' && el.textContent.includes('Row B')")
    page.keyboard.press("Enter")  # open row B
    tab_to(page, "el.getAttribute('aria-label')?.startsWith('Row B seat 4,')")
    page.keyboard.press("Enter")
    b4 = page.locator("#seatlist .seat[aria-label^='Row B seat 4,']")
    expect(b4).to_have_attribute("aria-pressed", "true")
    expect(b4).to_have_attribute("aria-label", re.compile("in your basket"))
    # Focus stays on the seat after its button is swapped, so Tab moves on to B5.
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith(
        "Row B seat 4,"
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.locator("#seatlist .seat[aria-label^='Row B seat 5,']")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#basket")).to_contain_text("£60")
    tab_to(page, "el.textContent.trim() === 'Check out'")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("/checkout"))
    tab_to(page, "el.name === 'name'")
    page.keyboard.type("Keyboard User")
    page.keyboard.press("Tab")
    page.keyboard.type("keys@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_text("TEST PAYMENT PROVIDER")).to_be_visible()
    tab_to(page, "el.textContent.trim().startsWith('Pay £60')")
    page.keyboard.press("Enter")
    status = page.locator("#booking-status")
    expect(status).to_contain_text("B4")
    expect(status).to_contain_text("B5")


def test_list_mode_updates_live_and_refuses_like_the_map(server, new_page, app):
    event = make_event(rows=2, seats_per_row=6, no_orphans=True)
    alice, bob = new_page(), new_page()
    open_event(alice, server, event.id)
    bob.goto(f"{server}/events/{event.id}?view=list")
    bob.wait_for_function("window.htmx !== undefined")
    seat(alice, "A3").click()
    expect(seat(alice, "A3")).to_have_class(re.compile(r"\bmine\b"))
    bob.get_by_text("Row A", exact=False).first.click()
    a3 = bob.locator("#seatlist .seat[aria-label^='Row A seat 3,']")
    expect(a3).to_have_attribute("aria-label", re.compile("held by someone"), timeout=3000)
    bob.locator("#seatlist .seat[aria-label^='Row A seat 5,']").click()
    expect(bob.locator("#flash")).to_contain_text("That would leave A4 on its own")


def test_orphan_refusal_is_explained_on_the_map(server, new_page, app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=True)
    page = new_page()
    open_event(page, server, event.id)
    seat(page, "A2").click()
    expect(page.locator("#flash")).to_contain_text("That would leave A1 on its own — pick A1 too")
    expect(seat(page, "A2")).to_have_class(re.compile(r"\bavailable\b"))
    seat(page, "A1").click()
    seat(page, "A2").click()
    expect(page.locator("#seatmap .seat.mine")).to_have_count(2)


def test_event_page_has_no_serious_accessibility_violations(server, new_page, app):
    event = make_event(
        rows=2, seats_per_row=6, wheelchair=["A1"], companion=["A2"], restricted=["B6"]
    )
    page = new_page()
    page.goto(f"{server}/events/{event.id}?view=list")
    page.wait_for_function("window.htmx !== undefined")
    assert serious_violations(page) == []
    open_event(page, server, event.id)
    assert serious_violations(page) == []


def test_ticket_type_is_chosen_with_the_keyboard_and_keeps_focus(server, new_page, app):
    """The basket is swapped out of band after a change; htmx restores focus by id."""
    event = make_event(rows=1, seats_per_row=6, price_cents=4000, ticket_types={"child": 1500})
    page = new_page()
    open_event(page, server, event.id)
    since = int(page.locator("#since").input_value())
    seat(page, "A1").click()
    select = page.locator("#basket select")
    expect(select).to_have_count(1)
    # Wait for the live poll to deliver the hold (it swaps the basket once more); then
    # nothing else replaces the basket while the keyboard works in it.
    expect(page.locator("#since")).to_have_value(str(since + 1))
    # On a slow database (CI, PostgreSQL) the poll that delivers the hold can still be
    # settling: let one more poll cycle (1 s) pass before the keyboard starts.
    page.wait_for_timeout(1200)
    expect(page.locator("#basket select")).to_have_count(1)
    select.focus()
    page.keyboard.press("ArrowDown")  # Adult -> Child (chromium changes the value at once)
    expect(page.locator("#basket .total")).to_contain_text("£15")
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    assert page.evaluate("document.activeElement.value") == "child"
