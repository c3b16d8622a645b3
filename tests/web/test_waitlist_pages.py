"""The waiting list on the pages: the join form when sold out, the offer link, staff views."""

from __future__ import annotations

import re

from tests.factories import make_event, seat_ids
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp.booking import hold_seats, release_seats, waitlist
from webapp.booking.models import WaitlistEntry
from webapp.extensions import db


def test_join_form_only_when_sold_out_and_offer_link_adopts_the_hold(app, client):
    event = make_event(rows=1, seats_per_row=4)
    assert 'id="waitlist"' not in client.get(f"/events/{event.id}").data.decode()
    early = hold_seats(event.id, "early", seat_ids(event))
    page = client.get(f"/events/{event.id}").data.decode()
    assert "Sold out — join the waiting list" in page
    r = client.post(
        f"/events/{event.id}/waitlist", data={"email": "fan@example.com", "quantity": "2"}
    )
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).data.decode()
    assert "You are number 1 on the waiting list" in page
    r = client.post(f"/events/{event.id}/waitlist", data={"email": "bad", "quantity": "2"})
    assert "not valid" in client.get(r.headers["Location"]).data.decode()

    release_seats(early.hold_id, "early", early.seat_ids[:2])
    [entry_id] = waitlist.offer_next(event.id)
    token = db.session.get(WaitlistEntry, entry_id).token
    other_browser = app.test_client()
    r = other_browser.get(f"/waitlist/{token}")
    assert r.status_code == 303
    page = other_browser.get(r.headers["Location"]).data.decode()
    assert "Your seats are held for you" in page
    assert re.search(r"Row A seat \d", page) and "Check out" in page
    assert other_browser.get("/waitlist/nonsense").status_code == 404


def test_api_join_and_refusal_while_seats_are_on_sale(app, client):
    event = make_event(rows=1, seats_per_row=4)
    url = f"/api/v1/events/{event.id}/waitlist"
    r = client.post(url, json={"email": "a@example.com", "quantity": 2})
    assert r.status_code == 409 and r.get_json()["error"] == "not_sold_out"
    hold_seats(event.id, "early", seat_ids(event))
    r = client.post(url, json={"email": "a@example.com", "quantity": 2})
    assert r.status_code == 201 and r.get_json()["position"] == 1
    r = client.post(url, json={"email": "a@example.com", "quantity": "2"})
    assert r.status_code == 422


def test_staff_see_the_waiting_list_and_the_outbox(app, logged_in):  # noqa: F811
    event = make_event(rows=1, seats_per_row=2)
    early = hold_seats(event.id, "early", seat_ids(event))
    waitlist.join(event.id, "cx", "queue@example.com", 2)
    html = logged_in.get(f"/staff/events/{event.id}/waitlist").data.decode()
    assert "queue@example.com" in html and "waiting" in html
    release_seats(early.hold_id, "early", early.seat_ids)
    waitlist.offer_next(event.id)
    html = logged_in.get("/staff/outbox").data.decode()
    assert "queue@example.com" in html and "are held for you" in html and "queued" in html
