"""The door page with the network down: codes are verified on the device (WebCrypto
HMAC under the event's key), admitted once, queued, and sent when the network returns;
a ticket admitted at two doors meanwhile is shown as a conflict."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import staff_login
from tests.factories import make_event
from tests.unit.test_doors import sold
from webapp.booking import doors, ticket_codes
from webapp.booking.boxoffice import cancel_and_refund
from webapp.booking.models import CheckIn
from webapp.extensions import db
from webapp.staff.users import create_staff


def test_offline_door_admits_queues_and_reports_conflicts(server, new_page, app):
    app.config["SECRET_KEY"] = "e2e"  # the server's: codes made here must verify there
    event = make_event(rows=1, seats_per_row=8)
    _, codes = sold(event, labels=("A1", "A2", "A3"))
    refunded, refunded_codes = sold(event, "bob", ("A6",))
    reference = refunded.reference
    create_staff("gate@example.com", "s3cret-gate")
    cancel_and_refund(reference, "The box office moved them.")
    page = new_page()
    staff_login(page, server, "gate@example.com", "s3cret-gate")
    page.goto(f"{server}/staff/events/{event.id}/door")
    expect(page.locator("#door-network")).to_contain_text("Ready for offline checks (4 tickets)")
    page.get_by_label("Door").fill("West")
    page.context.set_offline(True)
    code = page.get_by_label("Ticket code")
    result = page.locator("#door-result")
    code.fill(codes[0])
    code.press("Enter")
    expect(result).to_have_class(re.compile(r"\badmit\b"))
    expect(result).to_contain_text("Ann Door")
    code.fill(codes[0])
    code.press("Enter")
    expect(result).to_contain_text("NOT ADMITTED (offline)")
    expect(result).to_contain_text("Already admitted")
    code.fill(ticket_codes.code_for(event.id, 424242)[:-1] + "Q")
    code.press("Enter")
    expect(result).to_contain_text("Not a genuine ticket")
    code.fill(refunded_codes[0])
    code.press("Enter")
    expect(result).to_contain_text("refunded")
    # Meanwhile another door, online, admits the second ticket; this door does too.
    assert doors.check_in(event.id, codes[1], "East", "staff:x").admitted
    code.fill(codes[1])
    code.press("Enter")
    expect(result).to_have_class(re.compile(r"\badmit\b"))
    expect(page.locator("#door-network")).to_contain_text("2 scan(s) waiting")
    assert db.session.query(CheckIn).count() == 1  # nothing reached the server yet
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#door-network")).to_contain_text("Sent 2 offline scan(s); 1 conflict")
    conflicts = page.locator("#door-conflicts")
    expect(conflicts).to_be_visible()
    expect(conflicts).to_contain_text(codes[1])
    expect(conflicts).to_contain_text("East")
    db.session.commit()
    doors_used = sorted(c.door for c in db.session.query(CheckIn))
    assert doors_used == ["East", "West (offline)"]
