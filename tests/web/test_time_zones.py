"""Issue 29 (also): times in the venue's time zone, with its name, for customers and
in staff forms, not UTC. Times are stored in UTC; a venue's zone (else TIME_ZONE,
Europe/London out of the box) says how they are shown and how staff forms are read."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.factories import confirmed_booking, make_event
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp import create_app
from webapp.booking.models import Event, OutboxMessage, Venue
from webapp.booking.tickets import ticket_codes, ticket_files
from webapp.booking.venues import local_time
from webapp.config import load_config
from webapp.extensions import db


def at_venue(zone: str | None, starts_at: datetime) -> Event:
    event = make_event(rows=1, seats_per_row=4)
    event.starts_at = starts_at
    event.venue.time_zone = zone
    db.session.commit()
    local_time.clear()
    return event


def test_out_of_the_box_a_venue_shows_london_time(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("TIME_ZONE", raising=False)
    assert load_config(tmp_path)["TIME_ZONE"] == "Europe/London"


def test_a_time_zone_that_does_not_exist_stops_the_app_at_start(database_url, redis_url):
    from tests.conftest import base_config

    with pytest.raises(RuntimeError, match="TIME_ZONE must be a time zone name"):
        create_app(base_config(database_url, redis_url, TIME_ZONE="Europe/Londn"))


def test_the_event_page_and_checkout_show_the_venues_clock_with_its_name(client):
    event = at_venue("America/New_York", datetime(2031, 7, 1, 23, 30))  # 19:30 in New York
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "Tuesday 1 July 2031, 19:30 EDT" in page
    assert "23:30" not in page
    listed = client.get("/").get_data(as_text=True)
    assert "Tue 1 Jul, 19:30 EDT" in listed


def test_a_venue_without_its_own_zone_follows_time_zone_summer_and_winter(app, client):
    app.config["TIME_ZONE"] = "Europe/London"
    try:
        winter = at_venue(None, datetime(2031, 12, 2, 19, 30))
        assert "Tuesday 2 December 2031, 19:30 GMT" in client.get(f"/events/{winter.id}").text
        summer = at_venue(None, datetime(2031, 7, 1, 18, 30))
        assert "Tuesday 1 July 2031, 19:30 BST" in client.get(f"/events/{summer.id}").text
    finally:
        app.config["TIME_ZONE"] = "UTC"


def test_staff_type_times_on_the_venues_clock(app, logged_in):  # noqa: F811
    r = logged_in.post(
        "/staff/venues/new",
        data={
            "name": "Tokyo Hall",
            "layout": "Stalls: rows A-B, 5 seats, £10",
            "time_zone": "Mars/Olympus",
        },
    )
    assert r.status_code == 422 and "Mars/Olympus" in r.text and "is not a time zone" in r.text
    assert db.session.query(Venue).filter_by(name="Tokyo Hall").count() == 0
    r = logged_in.post(
        "/staff/venues/new",
        data={
            "name": "Tokyo Hall",
            "layout": "Stalls: rows A-B, 5 seats, £10",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert r.status_code == 303
    venue = db.session.query(Venue).filter_by(name="Tokyo Hall").one()
    assert venue.time_zone == "Asia/Tokyo"
    form_page = logged_in.get(f"/staff/events/new?venue_id={venue.id}").text
    assert "Starts at (Asia/Tokyo)" in form_page and "Sales open at (Asia/Tokyo;" in form_page
    form = {
        "venue_id": venue.id, "name": "Kabuki", "starts_at": "2031-05-01T19:00",
        "sale_opens_at": "2031-04-01T10:00", "admit_per_minute": "0", "max_shoppers": "0",
        "pass_minutes": "15", "early_minutes": "30",
    }  # fmt: skip
    assert logged_in.post("/staff/events/new", data=form).status_code == 303
    db.session.commit()
    event = db.session.query(Event).filter_by(name="Kabuki").one()
    assert event.starts_at == datetime(2031, 5, 1, 10, 0)  # 19:00 in Tokyo (UTC+9)
    assert event.sale_opens_at == datetime(2031, 4, 1, 1, 0)
    room_page = logged_in.get(f"/staff/events/{event.id}/room").text
    assert 'value="2031-04-01T10:00:00"' in room_page  # shown back on the venue's clock
    r = logged_in.post(
        f"/staff/events/{event.id}/room/settings",
        data={**form, "sale_opens_at": "2031-04-02T09:30"},
    )
    assert r.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).sale_opens_at == datetime(2031, 4, 2, 0, 30)


def test_the_waiting_room_and_the_sale_opening_say_the_venues_time(app, client):
    event = at_venue("Asia/Tokyo", datetime(2031, 5, 1, 10, 0))
    event.sale_opens_at = datetime(2031, 4, 1, 1, 0)  # 10:00 in Tokyo
    db.session.commit()
    page = client.get(f"/events/{event.id}").text
    assert "Sales open at Tue 1 Apr, 10:00 JST" in page


def test_the_confirmation_email_and_the_booking_page_say_the_venues_time(app, client):
    event = at_venue("America/New_York", datetime(2031, 7, 1, 23, 30))
    booking = confirmed_booking(event, labels=("A1", "A2"))
    body = db.session.query(OutboxMessage).order_by(OutboxMessage.id.desc()).first().body
    assert "Tuesday 1 July 2031, 19:30 EDT" in body
    ics = ticket_files.calendar_ics(booking.reference, ticket_codes.details(booking), "x")
    assert b"DTSTART:20310701T233000Z" in ics  # the calendar keeps the instant, in UTC
