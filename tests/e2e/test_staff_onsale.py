"""The staff event page mid-rush in a browser: 150 live holds and sales, and the page
stays under two screens tall; the hold summary updates live."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import staff_login
from tests.factories import make_event, seat_ids
from tests.unit.test_doors import sold
from webapp.booking import hold_seats
from webapp.staff.users import create_staff

VIEWPORT = {"width": 1280, "height": 800}


def test_staff_event_page_mid_rush_fits_two_screens(server, browser, app, artifacts_dir):
    event = make_event(rows=10, seats_per_row=24)
    ids = seat_ids(event)
    for i in range(150):
        hold_seats(event.id, f"rush-{i}", [ids[i]])
    sold(event, "buyer", ("J20", "J21", "J22"))
    create_staff("desk@example.com", "s3cret-desk")
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        staff_login(page, server, "desk@example.com", "s3cret-desk")
        page.goto(f"{server}/staff/events/{event.id}")
        expect(page.get_by_role("heading", name="Live holds: 150 (150 seats)")).to_be_visible()
        expect(page.locator("#holds tbody tr")).to_have_count(20)
        expect(page.get_by_role("img", name="Seats per minute")).to_contain_text("held")
        hold_seats(event.id, "one-more", [ids[200]])  # the live refresh shows it
        expect(page.get_by_role("heading", name="Live holds: 151 (151 seats)")).to_be_visible(
            timeout=6000
        )
        height = page.evaluate("document.documentElement.scrollHeight")
        page.screenshot(path=str(artifacts_dir / "staff-event-mid-rush.png"), full_page=True)
        assert height <= 2 * VIEWPORT["height"], height
    finally:
        context.close()
