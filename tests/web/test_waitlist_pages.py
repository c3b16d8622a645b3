"""The waiting list on the pages: the join form when sold out, the offer link, staff views."""

from __future__ import annotations

import re

from tests.factories import make_event, seat_ids
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp.booking import hold_seats, release_seats
from webapp.booking.models import WaitlistEntry
from webapp.booking.onsale import waitlist
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
    ended = other_browser.get("/waitlist/nonsense")
    assert ended.status_code == 404 and "<h1>This offer has ended</h1>" in ended.data.decode()


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


def offered_link(event, early, customer="owner", quantity=2):
    """`customer` joins the sold-out event's list; seats come back and are offered."""
    entry = waitlist.join(event.id, customer, f"{customer}@example.com", quantity).entry
    release_seats(early.hold_id, "early", early.seat_ids[:quantity])
    assert waitlist.offer_next(event.id) == [entry.id]
    return f"/waitlist/{db.session.get(WaitlistEntry, entry.id).token}"


def browser_as(app, cid: str):
    c = app.test_client()
    with c.session_transaction() as sess:
        sess["cid"] = cid
    return c


def test_offer_link_moves_the_seats_into_the_openers_basket_once(app):
    """Issue 14.5: opening someone's offer link never hands over their identity."""
    event = make_event(rows=1, seats_per_row=6)
    early = hold_seats(event.id, "early", seat_ids(event))
    link = offered_link(event, early)
    friend = browser_as(app, "friend")
    assert friend.get(link).status_code == 303
    with friend.session_transaction() as sess:
        assert sess["cid"] == "friend"  # still who they were
    page = friend.get(f"/events/{event.id}").data.decode()
    assert "Check out" in page and len(re.findall(r"Row A seat \d", page)) >= 2
    entry = db.session.scalar(db.select(WaitlistEntry))
    assert entry.customer_id == "friend"
    from webapp.booking import get_hold

    assert get_hold(entry.hold_id, "friend") is not None
    assert get_hold(entry.hold_id, "owner") is None
    assert friend.get(link).status_code == 303  # the same opener again: harmless
    for other in ("owner", "stranger"):  # once: nobody else can take it over now
        r = browser_as(app, other).get(link)
        assert r.status_code == 409 and "another browser" in r.data.decode()
    assert get_hold(entry.hold_id, "friend") is not None


def test_offer_link_counts_against_the_openers_own_seat_limit(app):
    event = make_event(rows=1, seats_per_row=12)
    ids = seat_ids(event)
    early = hold_seats(event.id, "early", ids[:4])
    hold_seats(event.id, "friend", ids[4:11])  # the friend holds 7 of the 8 allowed
    hold_seats(event.id, "late", ids[11:])
    link = offered_link(event, early)
    r = browser_as(app, "friend").get(link)
    assert r.status_code == 409 and "at most 8 seats" in r.data.decode()
    assert browser_as(app, "owner").get(link).status_code == 303  # still the owner's


def test_offer_link_opened_by_many_at_once_goes_to_one(app):
    from concurrent.futures import ThreadPoolExecutor

    event = make_event(rows=1, seats_per_row=6)
    early = hold_seats(event.id, "early", seat_ids(event))
    link = offered_link(event, early)
    browsers = [browser_as(app, f"b{i}") for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        codes = list(pool.map(lambda b: b.get(link).status_code, browsers))
    assert sorted(codes) == [303] + [409] * 11
    winner = f"b{codes.index(303)}"
    db.session.rollback()  # end this session's read snapshot
    assert db.session.scalar(db.select(WaitlistEntry)).customer_id == winner
