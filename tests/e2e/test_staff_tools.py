"""Staff tools in a real browser (issue 28): rq-dashboard lists the queues under its own
content security policy; seats chosen by clicking the staff map; refunds ask first."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import staff_login
from tests.factories import confirmed_booking, make_event
from webapp.booking import seat_states
from webapp.staff.users import create_staff


def test_rq_dashboard_lists_the_queues(server, new_page):
    """It stayed on "Loading..." for ever: its scripts need eval, which the CSP blocked."""
    create_staff("admin@example.com", "s3cret-admin")
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff_login(page, server, "admin@example.com", "s3cret-admin")
    page.goto(f"{server}/staff/rq/")
    queues = page.locator("table#queues, #queues")
    expect(queues.first).to_contain_text("holdfast", timeout=10000)  # webapp.queues
    expect(page.get_by_text("Loading...")).to_have_count(0)
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_seats_chosen_on_the_staff_map_are_blocked_and_stay_chosen(server, new_page):
    event = make_event(rows=2, seats_per_row=6)
    create_staff("admin@example.com", "s3cret-admin")
    page = new_page()
    staff_login(page, server, "admin@example.com", "s3cret-admin")
    page.goto(f"{server}/staff/events/{event.id}")
    for label in ("A1", "A2", "B6"):
        page.locator(f'.staff-map .seat[data-label="{label}"]').click()
    page.locator('.staff-map .seat[data-label="B6"]').click()  # and B6 unchosen again
    expect(page.get_by_role("textbox", name=re.compile("^Seats"))).to_have_value("A1 A2")
    with page.expect_response(lambda r: f"/staff/events/{event.id}" in r.url and r.ok):
        pass  # a live refresh redraws the map...
    expect(page.locator('.staff-map .seat[data-label="A2"]')).to_have_attribute(
        "aria-pressed", "true"
    )  # ...and the chosen seats are still marked
    page.get_by_role("button", name="Block", exact=True).click()
    expect(page.locator("#flash")).to_contain_text("Blocked A1, A2")
    states = {s.label: s.status for s in seat_states(event.id).seats}
    assert states["A1"] == states["A2"] == "blocked" and states["B6"] == "available"


def test_refund_asks_naming_the_amount_before_it_acts(server, new_page):
    event = make_event(rows=1, seats_per_row=6, price_cents=2500)
    reference = confirmed_booking(event, "cy", ("A1", "A2"), "cy@example.com").reference
    create_staff("admin@example.com", "s3cret-admin")
    page = new_page()
    staff_login(page, server, "admin@example.com", "s3cret-admin")
    page.goto(f"{server}/staff/bookings/{reference}")
    page.get_by_role("checkbox", name=re.compile(r"\bA1\b")).uncheck()
    page.get_by_role("button", name="Refund the chosen tickets…").click()
    expect(page.locator("h1")).to_have_text("Refund £25?")
    expect(page.locator("#refund-quote")).to_contain_text("A2")
    page.get_by_role("button", name="Refund £25").click()
    expect(page.locator("#flash")).to_contain_text("Refunded A2")
    states = {s.label: s.status for s in seat_states(event.id).seats}
    assert states["A1"] == "booked" and states["A2"] == "available"
