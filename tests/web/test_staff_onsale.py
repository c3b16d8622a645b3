"""The staff event page mid on-sale: live holds summarised with a page of them at a time
and a search, and seats held, sold and released per minute."""

from __future__ import annotations

import re

from tests.factories import make_event, seat_ids
from tests.unit.test_doors import sold
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp.booking import hold_seats
from webapp.booking.onsale import onsale
from webapp.booking.orders.baskets import release_seats


def test_holds_are_summarised_and_paged(app, logged_in):  # noqa: F811
    event = make_event(rows=3, seats_per_row=20)
    ids = seat_ids(event)
    for i, seat in enumerate(ids[:44]):
        hold_seats(event.id, f"c{i}", [seat])
    late = hold_seats(event.id, "late", [ids[50]], ttl_seconds=30)  # lapses within the minute
    url = f"/staff/events/{event.id}"
    page = logged_in.get(url).data.decode()
    assert "Live holds: 45 (45 seats)" in page
    assert re.search(r"Lapsing in the next minute: <strong>1</strong>", page)
    assert "Oldest (lapses first):" in page and "<strong>0:" in page  # the 30-s hold
    assert "By section: Stalls 45" in page
    assert page.count('<button type="submit">Release</button>') == 20
    assert "page 1 of 3" in page and ">Next</a>" in page
    last = logged_in.get(f"{url}?page=3", headers={"HX-Request": "true"}).data.decode()
    assert last.count("Release</button>") == 5 and "page 3 of 3" in last
    assert ">Previous</a>" in last and ">Next</a>" not in last
    found = logged_in.get(f"{url}?q={late.hold_id[-6:]}").data.decode()  # as the table shows it
    assert "C11" in found and "matching" in found
    found = logged_in.get(f"{url}?q=Z99").data.decode()
    assert "No live holds match." in found and "0 matching" in found
    found = logged_in.get(f"{url}?q=b7").data.decode()  # row B, seat 7 (case-insensitive)
    assert "1 matching “b7”" in found and found.count("Release</button>") == 1
    assert "B7" in found
    for bad in ("0", "-4", "99999999999999999999999", "x"):
        r = logged_in.get(f"{url}?page={bad}")
        assert r.status_code == 200 and "page " in r.data.decode()


def test_velocity_counts_seats_held_sold_and_released(app, logged_in):  # noqa: F811
    event = make_event(rows=1, seats_per_row=10)
    ids = seat_ids(event)
    held = hold_seats(event.id, "ann", ids[:3])
    release_seats(held.hold_id, "ann", [ids[0]])
    sold(event, "bob", ("A6", "A7"))
    series = onsale.velocity(event.id)
    assert len(series["seats_held"]) == onsale.VELOCITY_MINUTES
    assert sum(series["seats_held"]) == 5 and series["seats_held"][-1] == 5
    assert sum(series["seats_sold"]) == 2
    assert sum(series["seats_released"]) == 1
    page = logged_in.get(f"/staff/events/{event.id}").data.decode()
    assert "Seats per minute over the last 120 minutes: 5 held, 2 sold, 1 released" in page


def test_large_venues_are_not_drawn_seat_by_seat(app, logged_in):  # noqa: F811
    app.config["LARGE_VENUE_SEATS"] = 20
    event = make_event(rows=3, seats_per_row=10)
    page = logged_in.get(f"/staff/events/{event.id}").data.decode()
    assert "Choose a section on the plan" in page and 'class="staff-map"' not in page
    app.config["LARGE_VENUE_SEATS"] = 2000
    page = logged_in.get(f"/staff/events/{event.id}").data.decode()
    assert 'class="staff-map"' in page


def test_overview_figures_agree_with_every_seat_s_state(app):
    """The overview's cheap counts (grouped queries, Redis counts) say what reading every
    seat's state says: held, pending (in checkout), confirmed, blocked, available."""
    from webapp.booking import start_checkout
    from webapp.booking.holds.seatmap import seat_states
    from webapp.booking.orders.boxoffice import set_blocked
    from webapp.booking.reports import reports

    event = make_event(rows=2, seats_per_row=10)
    other = make_event(rows=1, seats_per_row=5, name="Matinee")
    ids = seat_ids(event)
    hold_seats(event.id, "ann", ids[:3])  # held
    checking_out = hold_seats(event.id, "bob", ids[3:5])
    start_checkout(checking_out.hold_id, "bob", "Bob", "bob@example.com", "k-bob")  # pending
    sold(event, "cat", ("B1", "B2", "B3", "B4"))  # confirmed
    set_blocked(event.id, ["B10"], True)
    hold_seats(other.id, "dan", seat_ids(other)[:1])
    rows = {r["id"]: r for r in reports.event_overview()}
    row = rows[event.id]
    truth = seat_states(event.id).counts()
    assert (row["total"], row["held"], row["pending"], row["confirmed"], row["blocked"]) == (
        20,
        3,
        2,
        4,
        1,
    )
    assert row["available"] == truth["available"] == 10
    assert row["held"] + row["pending"] == truth["held"]
    assert row["confirmed"] == truth["booked"] and row["blocked"] == truth["blocked"]
    assert row["holds_created_1h"] == 3 and row["revenue_cents"] == 4 * 2000
    assert rows[other.id]["held"] == 1 and rows[other.id]["available"] == 4


def test_search_matches_seat_labels_exactly_and_hold_ids_by_six_characters():
    hold = {"hold_id": "7-xb7Qz9KLmNoPqRsTuVwXyZ0123", "labels": ["A1", "B7"]}
    other = {"hold_id": "7-Ab7cdefghijklmnopqrstuvwx", "labels": ["C3"]}
    assert onsale.matches_search(hold, "b7") and not onsale.matches_search(
        other, "b7"
    )  # not by chance
    assert onsale.matches_search(other, "ab7cde") and not onsale.matches_search(hold, "ab7cde")
    assert not onsale.matches_search(hold, "a")  # no prefix of a label
