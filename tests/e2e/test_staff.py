"""A box-office refund reaches a customer's open seat map within two seconds."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat, staff_login
from tests.factories import make_event, seat_by_label
from webapp.booking import confirm_payment, hold_seats, start_checkout
from webapp.staff.users import create_staff


def test_staff_refund_frees_seat_on_customer_map(app, server, new_page):
    event = make_event(rows=3, seats_per_row=10)
    create_staff("desk@example.com", "s3cret-desk")
    hold = hold_seats(event.id, "buyer", [seat_by_label(event, "B4").id])
    _, body = start_checkout(hold.hold_id, "buyer", "Bea Buyer", "bea@example.com", "k")
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)

    customer = new_page()
    open_event(customer, server, event.id)
    expect(seat(customer, "B4")).to_have_class(re.compile(r"\bbooked\b"))

    staff = new_page()
    staff_login(staff, server, "desk@example.com", "s3cret-desk")
    staff.get_by_role("link", name="Bookings").click()
    staff.get_by_label("Reference, email or seat").fill("bea@example.com")
    staff.get_by_role("button", name="Search").click()
    staff.locator("#bookings a").first.click()
    staff.get_by_role("button", name="Refund the chosen tickets…").click()
    expect(staff.locator("h1")).to_have_text("Refund £20?")  # asked first, naming the amount
    staff.get_by_role("button", name="Refund £20").click()
    expect(staff.locator("#history")).to_contain_text("staff:desk@example.com")

    expect(seat(customer, "B4")).to_have_class(re.compile(r"\bavailable\b"), timeout=2000)
