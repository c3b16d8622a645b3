"""The confirmation email carries the tickets (PDF, one page a seat, each with its code)
and the calendar file, through a real SMTP server; a refund sends its own email; both
are written in the transaction that made the change."""

from __future__ import annotations

import email
import io

import pytest
from pypdf import PdfReader

from tests.factories import make_event
from tests.unit.test_doors import sold
from tests.unit.test_outbox import PORT, smtp_server  # noqa: F401  (fixture)
from webapp.booking.models import OutboxMessage
from webapp.booking.orders import outbox
from webapp.booking.orders.boxoffice import cancel_and_refund
from webapp.extensions import db


@pytest.fixture
def app_config():
    return {"EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": PORT}


def test_confirmation_email_has_the_tickets_and_calendar(app, smtp_server):  # noqa: F811
    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event)
    queued = db.session.query(OutboxMessage).filter_by(tickets_of=booking.id).one()
    assert queued.to == "ann@example.com" and event.name in queued.subject
    assert outbox.send_pending()["sent"] == 1
    [(to, raw)] = smtp_server.messages
    message = email.message_from_string(raw)
    files = {p.get_filename(): p for p in message.walk() if p.get_filename()}
    assert set(files) == {f"tickets-{booking.reference}.pdf", f"{booking.reference}.ics"}
    pdf = PdfReader(io.BytesIO(files[f"tickets-{booking.reference}.pdf"].get_payload(decode=True)))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert len(pdf.pages) == 2 and all(code in text for code in codes)
    body = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    assert f"/bookings/{booking.reference}" in body.get_payload(decode=True).decode()


def test_refund_sends_its_own_email_and_no_tickets(app, smtp_server):  # noqa: F811
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event)
    cancel_and_refund(booking.reference, "The show moved.")
    subjects = [m.subject for m in db.session.query(OutboxMessage).order_by(OutboxMessage.id)]
    assert subjects == [f"Your tickets: {event.name}", f"Refund: {event.name}"]
    outbox.send_pending()
    raws = [raw for _, raw in smtp_server.messages]
    assert "The show moved." in raws[1] and "no longer admit" in raws[1]
    # The confirmation went out after the refund: its tickets are no longer attached.
    assert "tickets-" not in raws[0]
