"""The box office: protection, actions with their audit entries, exports, venues and events."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from tests.factories import confirmed_booking, make_event, seat_by_label, seat_ids
from webapp.booking import hold_seats, seat_states
from webapp.booking.models import Event, OutboxMessage, Seat
from webapp.extensions import db
from webapp.staff import PUBLIC_ENDPOINTS
from webapp.staff.users import StaffUser, create_staff

PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(app):
    create_staff("boss@example.com", PASSWORD)


@pytest.fixture
def logged_in(client, staff):
    r = client.post("/staff/login", data={"email": "boss@example.com", "password": PASSWORD})
    assert r.status_code == 303
    return client


def test_every_staff_route_refuses_anonymous_users(app, client):
    make_event()
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: "1" if "int:" in m.group(0) else "x", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = client.open(url, method=method)
            assert r.status_code in (303, 400), (method, url, r.status_code)
            if r.status_code == 303:
                assert "/staff/login" in r.headers["Location"]
            checked += 1
    assert checked >= 14


def test_login_wrong_password_and_logout(client, staff):
    r = client.post("/staff/login", data={"email": "boss@example.com", "password": "nope"})
    assert r.status_code == 401 and b"do not match" in r.data
    assert client.get("/staff/").status_code == 303
    assert (
        client.post(
            "/staff/login", data={"email": "boss@example.com", "password": PASSWORD}
        ).status_code
        == 303
    )
    assert client.get("/staff/").status_code == 200
    client.post("/staff/logout")
    assert client.get("/staff/").status_code == 303


def test_customers_never_see_staff_data(client, app):
    event = make_event()
    booking = confirmed_booking(event)
    assert booking.reference.encode() not in client.get(f"/events/{event.id}").data
    assert client.get(f"/staff/bookings/{booking.reference}").status_code == 303


def test_overview_shows_live_figures(logged_in, app):
    event = make_event()
    confirmed_booking(event)
    hold_seats(event.id, "bob", seat_ids(event)[5:7])
    html = logged_in.get("/staff/").data.decode()
    row = re.search(rf'<tr data-event="{event.id}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[2:8] == ["20", "16", "2", "0", "2", "0"]
    assert cells[8] == "£40" and cells[9] == "2"


def test_staff_pages_that_answer_page_or_fragment_vary_on_hx_request(logged_in, app):
    event = make_event()
    for url in ("/staff/", f"/staff/events/{event.id}", f"/staff/events/{event.id}/room"):
        page = logged_in.get(url)
        fragment = logged_in.get(url, headers={"HX-Request": "true"})
        assert page.status_code == fragment.status_code == 200
        assert b"<html" in page.data and b"<html" not in fragment.data
        assert "HX-Request" in page.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_refund_returns_seats_and_is_audited(logged_in, app):
    event = make_event()
    booking = confirmed_booking(event)
    url = f"/staff/bookings/{booking.reference}/refund"
    asked = logged_in.post(url, data={"reason": "Customer is ill."})
    # First it asks, naming the amount; nothing has changed yet.
    assert asked.status_code == 200 and "Refund £40?" in asked.get_data(as_text=True)
    db.session.refresh(booking)
    assert booking.status == "confirmed" and len(booking.payments) == 1
    r = logged_in.post(url, data={"reason": "Customer is ill.", "confirm": "1"})
    assert r.status_code == 303
    db.session.refresh(booking)
    assert booking.status == "refunded" and booking.status_reason == "Customer is ill."
    assert [p.kind for p in booking.payments] == ["charge", "refund"]
    assert {s.label: s.status for s in seat_states(event.id).seats}["A1"] == "available"
    history = [(h.from_status, h.to_status, h.actor) for h in booking.history]
    assert history == [
        (None, "pending", "system"),
        ("pending", "confirmed", "system"),
        ("confirmed", "refunded", "staff:boss@example.com"),
    ]
    hold_seats(event.id, "carol", [seat_by_label(event, "A1").id])  # on sale again
    page = logged_in.get(f"/staff/bookings/{booking.reference}").data.decode()
    assert "staff:boss@example.com" in page and "Customer is ill." in page
    again = logged_in.post(url, data={"confirm": "1"})
    assert b"Only a confirmed booking" in logged_in.get(again.headers["Location"]).data


def test_refund_of_chosen_tickets_frees_those_seats_only(logged_in, app, client):
    """Issue 28: "Cancel and refund" refunded the whole booking in one click."""
    event = make_event()
    booking = confirmed_booking(event, labels=("A1", "A2", "A3"))
    a1, a2, a3 = booking.seats
    url = f"/staff/bookings/{booking.reference}/refund"
    asked = logged_in.post(url, data={"ticket": [a2.id, a3.id], "reason": "Two dropped out."})
    text = asked.get_data(as_text=True)
    assert "Refund £40?" in text and "A2, A3" in text and "other tickets still admit" in text
    r = logged_in.post(
        url, data={"ticket": [a2.id, a3.id], "reason": "Two dropped out.", "confirm": "1"}
    )
    assert r.status_code == 303
    db.session.refresh(booking)
    assert booking.status == "confirmed"
    assert [bs.active for bs in booking.seats] == [True, False, False]
    refunds = [p.amount_cents for p in booking.payments if p.kind == "refund"]
    assert refunds == [4000]
    states = {s.label: s.status for s in seat_states(event.id).seats}
    assert states["A1"] == "booked" and states["A2"] == states["A3"] == "available"
    mail = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()[-1]
    assert "A2, A3 are refunded: £40" in mail.body and "other tickets still do" in mail.body
    # A ticket refunded already, or of another booking, is refused; nothing changes.
    again = logged_in.post(url, data={"ticket": [a2.id], "confirm": "1"})
    assert "still admit" in logged_in.get(again.headers["Location"]).get_data(as_text=True)
    bad = logged_in.post(url, data={"ticket": ["x"], "confirm": "1"})
    assert bad.status_code == 303
    # The rest: the booking ends, and only what is left goes back (£20, not £60).
    logged_in.post(url, data={"ticket": [a1.id], "confirm": "1"})
    db.session.refresh(booking)
    assert booking.status == "refunded"
    assert [p.amount_cents for p in booking.payments if p.kind == "refund"] == [4000, 2000]


def test_release_hold_from_box_office(logged_in, app):
    event = make_event()
    hold = hold_seats(event.id, "bob", seat_ids(event)[:2])
    page = logged_in.get(f"/staff/events/{event.id}").data.decode()
    assert hold.hold_id[-6:] in page
    r = logged_in.post(f"/staff/events/{event.id}/holds/{hold.hold_id}/release")
    assert r.status_code == 303 and r.headers["Location"] == f"/staff/events/{event.id}"
    assert {s.status for s in seat_states(event.id).seats} == {"available"}


def test_block_refuses_held_or_sold_seats_and_blocks_free_ones(logged_in, app):
    event = make_event()
    confirmed_booking(event)
    hold_seats(event.id, "bob", [seat_by_label(event, "B1").id])
    for labels in ("A1", "B1", "A5 B1"):
        r = logged_in.post(
            f"/staff/events/{event.id}/blocks",
            data={"labels": labels, "action": "block"},
            follow_redirects=True,
        )
        assert b"release or refund it first" in r.data or b"refund it first" in r.data
    assert not db.session.scalar(select(Seat.blocked).where(Seat.label == "A5"))
    r = logged_in.post(
        f"/staff/events/{event.id}/blocks",
        data={"labels": "a5, A6", "action": "block"},
        follow_redirects=True,
    )
    assert b"Blocked A5, A6" in r.data or b"Blocked A6, A5" in r.data
    states = {s.label: s.status for s in seat_states(event.id).seats}
    assert states["A5"] == states["A6"] == "blocked"
    with pytest.raises(Exception, match="taken|sold|unavailable|blocked"):
        hold_seats(event.id, "dave", [seat_by_label(event, "A5").id])
    logged_in.post(f"/staff/events/{event.id}/blocks", data={"labels": "A5", "action": "unblock"})
    hold_seats(event.id, "dave", [seat_by_label(event, "A5").id])


def test_bookings_search_filters_and_pages(logged_in, app):
    event = make_event(rows=4, seats_per_row=10)
    confirmed_booking(event, "a", ("A1",), "first@example.com")
    confirmed_booking(event, "b", ("B2",), "second@example.com")
    assert "first@example.com" in logged_in.get("/staff/bookings?q=FIRST@").data.decode()
    page = logged_in.get("/staff/bookings?q=b2").data.decode()
    assert "second@example.com" in page and "first@example.com" not in page
    assert "0 bookings" in logged_in.get("/staff/bookings?status=refunded").data.decode()
    for i in range(26):
        confirmed_booking(
            event,
            f"c{i}",
            (f"C{i % 10 + 1}" if i < 10 else f"D{i % 10 + 1}" if i < 20 else f"A{i - 18}",),
            f"c{i}@example.com",
        )
    first = logged_in.get(f"/staff/bookings?event_id={event.id}").data.decode()
    assert "28 bookings" in first and "Page 1 of 2" in first
    assert first.count('<tr><td><a href="/staff/bookings/') == 25
    second = logged_in.get(f"/staff/bookings?event_id={event.id}&page=2").data.decode()
    assert second.count('<tr><td><a href="/staff/bookings/') == 3


def test_csv_export_quotes_properly(logged_in, app):
    event = make_event()
    booking = confirmed_booking(event)
    booking.name = 'Ann "the Ace", Jr.'
    db.session.commit()
    r = logged_in.get(f"/staff/events/{event.id}/bookings.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.data.decode())))
    assert rows[0][:3] == ["reference", "status", "name"]
    assert rows[1][:5] == [
        booking.reference,
        "confirmed",
        'Ann "the Ace", Jr.',
        "ann@example.com",
        "A1 A2",
    ]


def test_create_venue_with_inline_errors_then_event(logged_in, app):
    r = logged_in.post("/staff/venues/new", data={"name": "", "layout": "Stalls rows A"})
    html = r.data.decode()
    assert r.status_code == 422 and "Give the venue a name." in html and "Line 1:" in html
    r = logged_in.post(
        "/staff/venues/new",
        data={
            "name": "Little Hall",
            "layout": "Stalls: rows A-C, 8 seats, aisle after 4, £30, wheelchair A1, child £10\n"
            "Balcony: rows D-E, 6 seats\nFloor: standing 20, £15",
        },
    )
    assert r.status_code == 303
    venue_page = logged_in.get(r.headers["Location"]).data.decode()
    assert "Price for Balcony" in venue_page
    venue_id = int(re.search(r'name="venue_id" value="(\d+)"', venue_page).group(1))
    r = logged_in.post(
        "/staff/events/new",
        data={"venue_id": venue_id, "name": "Gig", "starts_at": "2031-05-01T20:00"},
    )
    assert r.status_code == 422 and b"Give a price for Balcony" in r.data
    r = logged_in.post(
        "/staff/events/new",
        data={
            "venue_id": venue_id,
            "name": "Gig",
            "starts_at": "2031-05-01T20:00",
            "price_Stalls": "35",
            "price_Balcony": "12.50",
            "no_orphans": "1",
        },
    )
    assert r.status_code == 303
    event = db.session.scalar(select(Event).where(Event.name == "Gig"))
    assert event.no_orphans
    prices = {s.section: s.price_cents for s in seat_states(event.id).seats}
    assert prices == {"Stalls": 3500, "Balcony": 1250, "Floor": 1500}
    assert len(seat_states(event.id).seats) == 36 + 20
    kinds = {s.label: s.kind for s in seat_states(event.id).seats}
    assert kinds["A1"] == "wheelchair" and kinds["Floor 1"] == "standing"


def test_ops_panel_lists_queue_and_failed_jobs(logged_in, app):
    html = logged_in.get("/staff/ops").data.decode()
    assert 'id="queue-depth">0<' in html and "No failed jobs." in html
    assert "no heartbeat" in html


def test_login_is_throttled_and_rotates_the_session(app, database_url, redis_url, staff):
    from tests.conftest import base_config
    from webapp import create_app

    limited = create_app(
        base_config(
            database_url, redis_url, RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3 per minute"
        )
    )
    client = limited.test_client()
    with limited.app_context():
        wrong = {"email": "boss@example.com", "password": "wrong"}
        codes = [client.post("/staff/login", data=wrong).status_code for _ in range(4)]
        db.session.remove()
        db.engine.dispose()
    assert codes == [401, 401, 401, 429]
    fresh = app.test_client()
    with fresh.session_transaction() as before:
        before["cid"] = "customer-before-login"
    fresh.post("/staff/login", data={"email": "boss@example.com", "password": PASSWORD})
    with fresh.session_transaction() as after:
        assert "cid" not in after and after.get("_user_id")  # nothing carried over
    user = db.session.scalar(select(StaffUser))
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x","click")', "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR"]
)
def test_csv_export_neutralises_formulas(logged_in, app, name):
    """Issue 14.10: a cell that starts like a formula is exported as text."""
    event = make_event()
    booking = confirmed_booking(event, email="=evil@example.com")
    booking.name = name
    db.session.commit()
    r = logged_in.get(f"/staff/events/{event.id}/bookings.csv")
    row = list(csv.reader(io.StringIO(r.data.decode())))[1]
    assert row[2] == "'" + name and row[3] == "'=evil@example.com"
    assert row[5] == "20.00" or not row[5].startswith("'")


def test_create_staff_command_makes_an_account_that_can_log_in(app, client):
    result = app.test_cli_runner().invoke(
        args=["create-staff", "Door@Example.com", "--password", "pw-door-1"]
    )
    assert result.exit_code == 0, result.output
    r = client.post("/staff/login", data={"email": "door@example.com", "password": "pw-door-1"})
    assert r.status_code == 303 and r.headers["Location"] == "/staff/"
