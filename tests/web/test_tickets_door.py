"""Tickets to the door through the pages and the API: the booking names its event, paid
bookings get tickets (QR codes, PDF, calendar) for their owner or staff only, and the
door page admits a ticket once."""

from __future__ import annotations

import io

from icalendar import Calendar
from pypdf import PdfReader

from tests.factories import make_event
from tests.unit.test_doors import sold
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp.booking.tickets import ticket_codes


def as_owner(client, booking):
    with client.session_transaction() as s:
        s["cid"] = booking.customer_id


def test_booking_page_and_api_name_the_event_and_carry_the_tickets(app, client):
    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event)
    as_owner(client, booking)
    html = client.get(f"/bookings/{booking.reference}").data.decode()
    assert event.name in html and event.venue.name in html
    assert (
        "row A, seat 1" in html and "Adult" in html and "Payment received — seats confirmed" in html
    )
    assert html.count("<svg") == 2 and all(code in html for code in codes)
    body = client.get(f"/api/v1/bookings/{booking.reference}").get_json()["booking"]
    assert body["event"]["name"] == event.name and body["status_text"].startswith(
        "Payment received"
    )
    assert [t["code"] for t in body["tickets"]] == codes
    assert body["tickets"][0]["row"] == "A" and body["tickets"][0]["number"] == 1


def test_tickets_pdf_and_calendar_for_the_owner_only(app, client):
    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event)
    assert client.get(f"/bookings/{booking.reference}/tickets.pdf").status_code == 404
    assert client.get(f"/bookings/{booking.reference}/calendar.ics").status_code == 404
    as_owner(client, booking)
    pdf = client.get(f"/bookings/{booking.reference}/tickets.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 2  # a page a ticket
    assert event.name in text and codes[0] in text and codes[1] in text
    assert "row A, seat 1" in text
    ics = client.get(f"/bookings/{booking.reference}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    entry = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert str(entry["summary"]) == event.name and booking.reference in str(entry["description"])


def test_the_calendar_link_ignores_a_forged_host_header(app, client):
    """Issue 27.9: `Host: evil.example` put http://evil.example/bookings/... in the ICS."""
    app.config["PUBLIC_BASE_URL"] = "https://tickets.example.org/"
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event)
    as_owner(client, booking)
    session_cookie = client.get_cookie("session").value
    client.set_cookie("session", session_cookie, domain="evil.example")
    ics = client.get(f"http://evil.example/bookings/{booking.reference}/calendar.ics")
    assert ics.status_code == 200
    entry = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    url = str(entry["url"])  # the booking's link, openable anywhere (booking_links)
    assert url.startswith(f"https://tickets.example.org/bookings/{booking.reference}?k=")
    assert b"evil.example" not in ics.data


def test_staff_open_any_booking_s_tickets(app, logged_in):  # noqa: F811
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event)
    pdf = logged_in.get(f"/bookings/{booking.reference}/tickets.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def pdf_text(data: bytes) -> str:
    """The text of every page (pypdf)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_unpaid_bookings_have_no_tickets(app, client):
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event, pay=False)
    as_owner(client, booking)
    assert client.get(f"/bookings/{booking.reference}/tickets.pdf").status_code == 404
    body = client.get(f"/api/v1/bookings/{booking.reference}").get_json()["booking"]
    assert all(t["code"] is None for t in body["tickets"])


def test_door_page_admits_once_and_says_why_not(app, logged_in):  # noqa: F811
    event = make_event(rows=1, seats_per_row=6)
    _, codes = sold(event)
    url = f"/staff/events/{event.id}/door"
    page = logged_in.get(url).data.decode()
    assert "Checked in: <strong>0</strong> · still to come: <strong>2</strong>" in page
    first = logged_in.post(
        url, data={"door": "North", "code": codes[0]}, headers={"HX-Request": "true"}
    )
    assert "ADMITTED" in first.data.decode() and "NOT" not in first.data.decode()
    assert "Checked in: <strong>1</strong>" in first.data.decode()
    again = logged_in.post(url, data={"door": "South", "code": codes[0].lower()})
    assert again.status_code == 409 and "Already admitted" in again.data.decode()
    assert "North" in again.data.decode()
    forged = logged_in.post(
        url, data={"door": "South", "code": ticket_codes.code_for(event.id, 999)[:-2] + "AA"}
    )
    assert forged.status_code == 409 and "Not a genuine ticket" in forged.data.decode()
    assert logged_in.post(url, data={"code": ""}).status_code == 409


def test_door_page_alone_may_compile_the_qr_reader(app, logged_in):  # noqa: F811
    """The camera's QR reader is WebAssembly: the door page's policy allows compiling it
    ('wasm-unsafe-eval'), no other page's does, and the reader is served as wasm."""
    event = make_event(rows=1, seats_per_row=2)
    door = logged_in.get(f"/staff/events/{event.id}/door")
    assert "'wasm-unsafe-eval'" in door.headers["Content-Security-Policy"]
    assert "Scan with camera" in door.data.decode()
    for other in (f"/staff/events/{event.id}", f"/events/{event.id}"):
        policy = logged_in.get(other).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "wasm" not in policy
    wasm = logged_in.get("/static/vendor/barcode-detector-3.2.2/zxing_reader.wasm")
    assert wasm.status_code == 200 and wasm.mimetype == "application/wasm"
    assert wasm.data[:4] == b"\0asm"
    wasm.close()


def test_staff_event_page_and_csv_show_check_ins(app, logged_in):  # noqa: F811
    import csv

    from webapp.booking.tickets import doors

    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event)
    doors.check_in(event.id, codes[0], "North", "staff:x")
    live = logged_in.get(f"/staff/events/{event.id}", headers={"HX-Request": "true"})
    assert "<strong>1</strong> checked in · <strong>1</strong> still to come" in live.data.decode()
    rows = list(
        csv.DictReader(
            logged_in.get(f"/staff/events/{event.id}/bookings.csv").data.decode().splitlines()
        )
    )
    assert rows[0]["reference"] == booking.reference and rows[0]["checked_in"] == "1"
