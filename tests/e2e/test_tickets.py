"""Tickets to the door in a browser: book and pay with the test provider, find the
tickets email in the outbox, download the PDF (its text and its QR code, decoded back,
carry the ticket's code), admit the ticket at the door page by typing its code, and see
a second scan refused."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdfium2
import zxingcpp
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from tests.e2e.helpers import open_event, seat, staff_login
from tests.factories import make_event
from webapp.booking.models import OutboxMessage
from webapp.extensions import db
from webapp.staff.users import create_staff


def qr_codes_in(pdf_bytes: bytes) -> list[str]:
    """The QR codes on the PDF's pages, as a door's scanner would read them: each page
    drawn to pixels (PDFium) and its codes decoded (ZXing)."""
    document = pypdfium2.PdfDocument(pdf_bytes)
    try:
        return [
            found.text
            for page in document
            for found in zxingcpp.read_barcodes(page.render(scale=2).to_pil())
        ]
    finally:
        document.close()


def test_book_pay_email_pdf_and_door(server, new_page, app):
    event = make_event(rows=2, seats_per_row=8, price_cents=2500)
    create_staff("door@example.com", "s3cret-door")
    page = new_page()
    open_event(page, server, event.id)
    seat(page, "A4").click()
    expect(seat(page, "A4")).to_have_class(re.compile(r"\bmine\b"))
    page.locator("#basket > a", has_text="Check out").click()
    page.get_by_label("Name").fill("Ada Door")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_role("button", name="Continue to payment").click()
    page.get_by_role("button", name="Pay £25").click()
    status = page.locator("#booking-status")
    expect(status).to_contain_text("Payment received", timeout=10000)
    expect(status).to_contain_text(event.name)
    code = page.locator(".ticket-code").first.inner_text()
    assert code.startswith(f"HF2.{event.id}.")  # Ed25519-signed (ticket_codes.py)
    assert page.locator(".ticket-qr svg").count() == 1
    # The email with the tickets is in the outbox (sent by the worker).
    db.session.commit()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == "ada@example.com"))
    assert message is not None and event.name in message.subject
    # The PDF: one page, the code printed under its QR code.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download tickets (PDF)").click()
    pdf_bytes = Path(download.value.path()).read_bytes()
    pdf = PdfReader(io.BytesIO(pdf_bytes))
    assert len(pdf.pages) == 1 and code in pdf.pages[0].extract_text()
    assert qr_codes_in(pdf_bytes) == [code]
    # The door: staff type the code; the second scan is refused with when and where.
    door = new_page()
    staff_login(door, server, "door@example.com", "s3cret-door")
    door.goto(f"{server}/staff/events/{event.id}/door")
    door.get_by_label("Door").fill("North")
    door.get_by_label("Ticket code").fill(code)
    door.get_by_role("button", name="Check in").click()
    result = door.locator("#door-result")
    expect(result).to_contain_text("ADMITTED")
    expect(result).to_have_class(re.compile(r"\badmit\b"))
    expect(door.get_by_label("Ticket code")).to_be_focused()
    expect(door.locator("#door-counts")).to_contain_text("Checked in: 1")
    door.get_by_label("Ticket code").fill(code)
    door.keyboard.press("Enter")
    expect(result).to_contain_text("NOT ADMITTED")
    expect(result).to_contain_text("Already admitted")
    expect(result).to_contain_text("North")
