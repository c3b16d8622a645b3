"""An event page drawn for a viewer with nothing of their own on it serves the next such
viewer (webapp/customer/pagecache.py): with their own CSRF token, never a stale seat,
never someone's basket or message, and for at most PAGE_SHARE_MS."""

from __future__ import annotations

import re
import time
from datetime import timedelta

from flask import g

from tests.factories import make_event, seat_by_label
from tests.unit.test_hot_path import Counted
from webapp.booking import hold_seats
from webapp.booking.models import Event, utcnow
from webapp.booking.onsale import room
from webapp.extensions import db

HX = {"HX-Request": "true"}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def page(client, event) -> str:
    # The app fixture keeps one app context open, so Flask-WTF's token of one request
    # (kept in g) would be the next request's too: each page starts without it.
    g.pop("csrf_token", None)
    r = client.get(f"/events/{event if isinstance(event, int) else event.id}")
    assert r.status_code == 200
    return r.data.decode()


def without_tokens(html: str) -> str:
    return html.replace(TOKEN.search(html).group(1), "TOKEN")


def test_a_second_viewer_gets_the_first_page_with_a_token_of_their_own(app):
    """The second page costs no query and no drawing, only the marks' round trip; each
    viewer's token is theirs: it works with their cookie and not with the other's.
    Before: every page loaded the event and was drawn for its viewer (1 query)."""
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event()
    event_id, seat = event.id, seat_by_label(event, "A3").id
    ann, bob = app.test_client(), app.test_client()
    first = page(ann, event_id)
    db.session.remove()  # the test's session has the event loaded: start as a request does
    with Counted() as second_page:
        second = page(bob, event_id)
    assert (second_page.sql, second_page.redis) == (0, 1)
    assert without_tokens(first) == without_tokens(second)
    ann_token, bob_token = TOKEN.search(first).group(1), TOKEN.search(second).group(1)
    assert ann_token != bob_token and second.count(bob_token) == first.count(ann_token) > 1
    g.pop("csrf_token", None)
    refused = bob.post(f"/events/{event_id}/toggle", data={"seat": seat, "csrf_token": ann_token})
    assert refused.status_code == 400
    held = bob.post(f"/events/{event_id}/toggle", data={"seat": seat, "csrf_token": bob_token})
    assert held.status_code == 303


def test_a_seat_that_moved_shows_on_the_next_shared_page_at_once(app):
    event = make_event()
    seat = seat_by_label(event, "A3")
    assert f'id="seat-{seat.id}" class="seat available"' in page(app.test_client(), event)
    hold_seats(event.id, "someone", [seat.id])
    assert f'id="seat-{seat.id}" class="seat held"' in page(app.test_client(), event)


def test_a_basket_holder_gets_a_page_of_their_own_and_the_shared_one_stays_bare(app):
    event = make_event()
    shared = page(app.test_client(), event)
    buyer = app.test_client()
    seat = seat_by_label(event, "B2")
    buyer.post(f"/events/{event.id}/toggle", data={"seat": seat.id}, headers=HX)
    mine = page(buyer, event)
    assert f'id="seat-{seat.id}" class="seat mine"' in mine and "Row B seat 2" in mine
    other = page(app.test_client(), event)
    assert f'id="seat-{seat.id}" class="seat held"' in other
    assert "Check out" not in other and "Check out" in mine
    assert "Check out" not in shared


def test_a_waiting_message_is_shown_to_its_viewer_only(app):
    event = make_event()
    page(app.test_client(), event)  # a shared page exists
    told = app.test_client()
    with told.session_transaction() as session:
        session["_flashes"] = [("message", "Presale code accepted")]
    assert "Presale code accepted" in page(told, event)
    assert "Presale code accepted" not in page(app.test_client(), event)
    assert "Presale code accepted" not in page(told, event)  # shown once


def test_details_besides_seats_are_at_most_page_share_ms_old(app):
    """A renamed event shows on a shared page once PAGE_SHARE_MS has passed since it
    was drawn; within it, the page drawn before is the one served."""
    app.config["PAGE_SHARE_MS"] = 300
    event = make_event(name="Old Name")
    assert "Old Name" in page(app.test_client(), event)
    db.session.get(Event, event.id).name = "New Name"
    db.session.commit()
    assert "Old Name" in page(app.test_client(), event)
    time.sleep(0.35)
    assert "New Name" in page(app.test_client(), event)


def test_page_share_ms_zero_draws_every_page_for_its_viewer(app):
    app.config["PAGE_SHARE_MS"] = 0
    event_id = make_event(name="Old Name").id
    page(app.test_client(), event_id)
    db.session.get(Event, event_id).name = "New Name"
    db.session.commit()
    db.session.remove()
    with Counted() as counted:
        assert "New Name" in page(app.test_client(), event_id)
    assert counted.sql == 1


def test_a_countdown_to_the_opening_is_drawn_for_each_viewer(app):
    """Before the sale opens the page counts down from the viewer's own moment."""
    event = make_event()
    row = db.session.get(Event, event.id)
    row.waiting_room = True
    row.sale_opens_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    room.forget(event.id)
    first = page(app.test_client(), event)
    time.sleep(0.01)
    second = page(app.test_client(), event)
    now = re.compile(r'data-now="(\d+)"')
    assert "Sales open at" in first
    assert now.search(first).group(1) != now.search(second).group(1)


def test_a_page_drawn_with_its_viewers_own_token_is_never_shared(app):
    """Should a part of the page reach Flask-WTF's token directly (a macro imported
    without context), the page carries that viewer's token: it is not kept."""
    from flask_wtf.csrf import generate_csrf

    from webapp.customer import pagecache

    marker = object()
    with app.test_request_context():
        html = pagecache.page(("own",), marker, lambda **context: f"<p>{generate_csrf()}</p>")
        assert html == f"<p>{generate_csrf()}</p>"
    assert ("own",) not in pagecache._pages
    with app.test_request_context():
        shared = pagecache.page(("stand-in",), marker, lambda csrf_token: f"<p>{csrf_token()}</p>")
        assert shared == f"<p>{generate_csrf()}</p>"
    assert pagecache._pages[("stand-in",)].html == f"<p>{pagecache.STAND_IN}</p>"
