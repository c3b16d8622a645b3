"""The door page with the network down: codes are verified on the device (Ed25519 under
the event's public key, WebCrypto or the vendored @noble/ed25519), admitted once,
queued, and sent when the network returns; a ticket admitted at two doors meanwhile is
shown as a conflict."""

from __future__ import annotations

import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from playwright.sync_api import expect
from sqlalchemy import update

from tests.e2e.helpers import staff_login
from tests.factories import make_event
from tests.unit.test_doors import sold
from tests.unit.test_ticket_signing import forged_with
from webapp.booking.models import BookingSeat, CheckIn
from webapp.booking.orders.boxoffice import cancel_and_refund
from webapp.booking.tickets import doors, ticket_codes
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
    code.fill(forged_with(Ed25519PrivateKey.generate(), event.id, 424242))
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


def test_the_door_list_stays_current_online_and_logout_wipes_it(server, new_page, app):
    """Issue 27.5 and 27.6: the list was loaded once (online scans and refunds never
    reached it, so offline the door admitted them), only "already" was a conflict after
    sync, and logout left the ticket key and every name in localStorage."""
    app.config["SECRET_KEY"] = "e2e"
    event = make_event(rows=1, seats_per_row=8)
    _, codes = sold(event, labels=("A1", "A2"))
    refunded, refunded_codes = sold(event, "bob", ("A5",))
    later, later_codes = sold(event, "cy", ("A7",))
    create_staff("gate@example.com", "s3cret-gate")
    page = new_page()
    staff_login(page, server, "gate@example.com", "s3cret-gate")
    page.goto(f"{server}/staff/events/{event.id}/door")
    expect(page.locator("#door-network")).to_contain_text("(4 tickets)")
    manifest = page.request.get(f"{server}/staff/events/{event.id}/door/manifest")
    assert manifest.headers["cache-control"] == "no-store"
    # Online: another door admits A1, the box office refunds Bob, this door admits A2.
    assert doors.check_in(event.id, codes[0], "East", "staff:x").admitted
    cancel_and_refund(refunded.reference, "Moved.")
    code, result = page.get_by_label("Ticket code"), page.locator("#door-result")
    code.fill(codes[1])
    code.press("Enter")
    expect(result).to_contain_text("ADMITTED")
    page.wait_for_function(  # the list caught up (a delta after the scan)
        """() => Object.values(JSON.parse(localStorage.getItem(Object.keys(localStorage)
             .find(k => k.startsWith('holdfast-door-') && !k.includes('-queue')
                    && !k.includes('-active')))).tickets).filter(t => t.inside).length === 2"""
    )
    page.context.set_offline(True)
    for ticket, why in ((codes[0], "Already admitted"), (codes[1], "Already admitted"),
                        (refunded_codes[0], "refunded")):  # fmt: skip
        code.fill(ticket)
        code.press("Enter")
        expect(result).to_contain_text("NOT ADMITTED (offline)")
        expect(result).to_contain_text(why)
    code.fill(later_codes[0])  # admitted here, offline...
    code.press("Enter")
    expect(result).to_have_class(re.compile(r"\badmit\b"))
    cancel_and_refund(later.reference, "Refunded by phone.")  # ...refunded meanwhile
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#door-network")).to_contain_text("Sent 1 offline scan(s); 1 conflict")
    expect(page.locator("#door-conflicts")).to_contain_text("refunded")
    page.get_by_role("button", name=re.compile("^Log out")).click()
    expect(page.get_by_role("heading", name="Box office login")).to_be_visible()
    left = page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('holdfast-door-')"
        " && localStorage.getItem(k) !== '[]')"
    )
    assert left == []


# Chromium has Ed25519 in WebCrypto; this makes it refuse, as browsers without it do.
NO_WEBCRYPTO_ED25519 = """
const importKey = crypto.subtle.importKey.bind(crypto.subtle);
crypto.subtle.importKey = function (format, key, algorithm, ...rest) {
  if ((algorithm.name || algorithm) === "Ed25519") {
    return Promise.reject(new DOMException("Ed25519 is not supported", "NotSupportedError"));
  }
  return importKey(format, key, algorithm, ...rest);
};
"""


@pytest.mark.parametrize("verifier", ["webcrypto", "noble"])
def test_a_door_account_checks_in_offline_with_only_the_public_key(server, new_page, app, verifier):
    """Issue 28: the list carried the event's HMAC key, with which any staff account
    could make genuine tickets; now a door account, limited to its event, gets the
    public key and verifies HF2 (and old HF1) codes offline, and refuses a forgery."""
    app.config["SECRET_KEY"] = "e2e"
    event = make_event(rows=1, seats_per_row=8)
    booking, codes = sold(event, labels=("A1", "A2"))
    old_ticket = booking.seats[1].id
    db.session.execute(update(BookingSeat).where(BookingSeat.id == old_ticket).values(code_form=1))
    db.session.commit()
    legacy = ticket_codes.code_for(event.id, old_ticket, 1)  # sold before HF2
    create_staff("admin@example.com", "s3cret-admin")
    create_staff("gate@example.com", "s3cret-gate", "door", [event.id])
    page = new_page()
    if verifier == "noble":
        page.add_init_script(NO_WEBCRYPTO_ED25519)
    staff_login(page, server, "gate@example.com", "s3cret-gate")
    page.goto(f"{server}/staff/events/{event.id}/door")
    status = page.locator("#door-network")
    expect(status).to_contain_text("Ready for offline checks (2 tickets)")
    stored = page.evaluate(
        "JSON.parse(localStorage.getItem(Object.keys(localStorage).find(k =>"
        " k.startsWith('holdfast-door-') && !k.includes('-queue') && !k.includes('-active'))))"
    )
    assert set(stored) >= {"public_key", "tickets"} and "key" not in stored
    page.context.set_offline(True)
    code, result = page.get_by_label("Ticket code"), page.locator("#door-result")
    code.fill(forged_with(Ed25519PrivateKey.generate(), event.id, booking.seats[0].id))
    code.press("Enter")
    expect(result).to_contain_text("Not a genuine ticket")
    code.fill(legacy[:-2] + ("AA" if not legacy.endswith("AA") else "BB"))  # a bad HF1
    code.press("Enter")
    expect(result).to_contain_text("Not a genuine ticket")
    for genuine in (codes[0], legacy.lower()):
        code.fill(genuine)
        code.press("Enter")
        expect(result).to_have_class(re.compile(r"\badmit\b"))
        expect(result).to_contain_text("Ann Door")
        expect(result.locator(".door-ticket")).to_contain_text("Adult")  # its type
    assert status.get_attribute("data-verifier") == verifier
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Sent 2 offline scan(s); 0 conflict")
    db.session.commit()
    assert db.session.query(CheckIn).count() == 2
