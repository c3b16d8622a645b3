"""Issue 29.2: the emailed booking link opened only in the browser that paid. Now it
carries a signed token bound to the booking, and "Find my booking" emails it again."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import confirmed_booking, make_event, seat_by_label
from webapp.booking import hold_seats, start_checkout
from webapp.booking.models import Booking, OutboxMessage
from webapp.booking.orders import booking_links
from webapp.extensions import db


def paid(event, customer="ann", email="Ann@Example.com"):
    return confirmed_booking(event, customer, ("A1",), email)


def emailed_link(subject_start: str) -> str:
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    body = next(m.body for m in reversed(messages) if m.subject.startswith(subject_start))
    return re.search(r"https?://[^/\s]+(/bookings/\S+)", body).group(1)


def test_the_tickets_email_link_opens_the_booking_in_another_browser(app, client):
    event = make_event()
    booking = paid(event)
    link = emailed_link("Your tickets")
    assert link.startswith(f"/bookings/{booking.reference}?k=")
    phone = app.test_client()  # another device: no cookie of the buyer's
    assert phone.get(f"/bookings/{booking.reference}").status_code == 404
    page = phone.get(link)
    assert page.status_code == 200 and "HF2." in page.get_data(as_text=True)
    # The page's own links then work in that browser without the token.
    assert phone.get(f"/bookings/{booking.reference}/tickets.pdf").status_code == 200
    assert phone.get(f"/bookings/{booking.reference}/calendar.ics").status_code == 200


def test_a_link_token_opens_only_its_own_booking(app, client):
    event = make_event()
    ann, bob = paid(event, "ann"), None
    hold = hold_seats(event.id, "bob", [seat_by_label(event, "A2").id])
    start_checkout(hold.hold_id, "bob", "Bob", "bob@example.com", "k-bob")
    bob = db.session.scalar(select(Booking).where(Booking.hold_id == hold.hold_id))
    token = booking_links.token_for(ann)
    other = app.test_client()
    assert other.get(f"/bookings/{bob.reference}?k={token}").status_code == 404
    assert other.get(f"/bookings/{ann.reference}?k={token[:-2]}xx").status_code == 404
    assert other.get(f"/bookings/{ann.reference}?k={'x' * 5000}").status_code == 404
    assert other.get(f"/bookings/{ann.reference}?k={token}").status_code == 200


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "FIND_BOOKING_RATE_LIMIT": "3 per 10 minutes"}


def test_find_my_booking_emails_the_link_and_answers_the_same_either_way(app, client):
    event = make_event()
    booking = paid(event)
    before = db.session.query(OutboxMessage).count()
    wrong = client.post("/bookings/find", data={"reference": booking.reference, "email": "x@y.z"})
    right = client.post(
        "/bookings/find", data={"reference": booking.reference.lower(), "email": "ann@example.com "}
    )
    assert wrong.status_code == right.status_code == 200

    def answer(r):
        return re.search(
            r'<p role="status" id="find-sent">(.*?)</p>', r.get_data(as_text=True), re.S
        )[1]

    assert answer(wrong) == answer(right)
    assert db.session.query(OutboxMessage).count() == before + 1  # only the right one mails
    link = emailed_link("Your booking")
    assert app.test_client().get(link).status_code == 200
    third = client.post("/bookings/find", data={"reference": "HFNOPE", "email": "a@b.c"})
    assert third.status_code == 200
    limited = client.post("/bookings/find", data={"reference": "HFNOPE", "email": "a@b.c"})
    assert limited.status_code == 429 and limited.headers.get("Retry-After")


def test_a_customers_booking_page_does_not_look_up_what_only_staff_need(app, client):
    """The page polls itself while a payment settles; the event lookup of the staff
    check (booking_event_id) is for staff sessions only."""
    from sqlalchemy import event as sa_event

    event = make_event()
    hold = hold_seats(event.id, "ann", [seat_by_label(event, "A1").id])
    with client.session_transaction() as s:
        s["cid"] = "ann"
    start_checkout(hold.hold_id, "ann", "Ann", "ann@example.com", "k-ann")
    reference = db.session.scalar(select(Booking.reference).where(Booking.hold_id == hold.hold_id))
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(f"/bookings/{reference}").status_code == 200
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    lookups = [q for q in seen if q.lstrip().startswith("SELECT bookings.event_id \nFROM")]
    assert lookups == []
