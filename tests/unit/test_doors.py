"""Check-in at the door: signed codes, each ticket admitted once even when 20 doors scan
it at the same moment, and clear refusals (already in, refunded, cancelled, another
event, forged)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.factories import make_event, seat_by_label
from webapp.booking import confirm_payment, hold_seats, start_checkout
from webapp.booking.models import Booking, BookingSeat, CheckIn
from webapp.booking.tickets import doors, ticket_codes
from webapp.extensions import db


def sold(event, customer="alice", labels=("A1", "A2"), pay=True):
    hold = hold_seats(event.id, customer, [seat_by_label(event, x).id for x in labels])
    _, body = start_checkout(hold.hold_id, customer, "Ann Door", "ann@example.com", customer)
    if pay:
        confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    booking = db.session.scalar(select(Booking).where(Booking.hold_id == hold.hold_id))
    return booking, [ticket_codes.code_for(event.id, bs.id) for bs in booking.seats]


def test_hf1_codes_verify_and_cannot_be_altered(app, rds):
    code = ticket_codes.code_for(7, 1234, form=1)  # tickets sold before HF2
    assert ticket_codes.read(code) == (7, 1234)
    assert ticket_codes.read(code.lower()) == (7, 1234)  # typed by hand
    event, ticket, signature = code.split(".")[1:]
    assert ticket_codes.read(f"HF1.{event}.1235.{signature}") is None  # another ticket
    assert ticket_codes.read(f"HF1.8.{ticket}.{signature}") is None  # another event
    for bad in ("", None, 42, "HF1.7.1234", "x" * 5000, code[:-1] + "A"):
        assert ticket_codes.read(bad) is None or bad == code


def test_one_ticket_scanned_by_twenty_doors_at_once_admits_once(app, rds):
    event = make_event(rows=1, seats_per_row=6)
    event_id = event.id
    _, codes = sold(event)
    barrier = threading.Barrier(20)
    scans: list = []

    def scan(door: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                scans.append(doors.check_in(event_id, codes[0], f"door {door}", "staff:x"))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s.reason for s in scans) == ["admitted"] + ["already"] * 19
    first = next(s for s in scans if s.admitted)
    assert all(first.door in s.message for s in scans if not s.admitted)
    db.session.commit()
    assert db.session.query(CheckIn).count() == 1
    assert doors.counts(event_id) == doors.DoorCounts(1, 1)


def test_refusals_name_the_reason(app, rds):
    event, other = make_event(rows=1, seats_per_row=6), make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event)
    _, unpaid = sold(event, "bob", ("A5", "A6"), pay=False)
    _, elsewhere = sold(other, "cat", ("A1",))
    assert doors.check_in(event.id, codes[1], "north", "staff:x").admitted
    assert doors.check_in(event.id, unpaid[0], "north", "staff:x").reason == "pending"
    scan = doors.check_in(event.id, elsewhere[0], "north", "staff:x")
    assert scan.reason == "other_event" and other.name in scan.message
    assert doors.check_in(event.id, "HF1.1.1.AAAAAAAAAAAAAAAA", "n", "s").reason == "forged"
    assert doors.check_in(event.id, "garbage", "n", "s").reason == "forged"
    booking.status = "refunded"
    for bs in booking.seats:
        bs.active = False
    db.session.commit()
    refunded = doors.check_in(event.id, codes[0], "north", "staff:x")
    assert refunded.reason == "refunded" and "refunded" in refunded.message
    assert db.session.scalar(select(BookingSeat).where(BookingSeat.id == 0)) is None


def test_the_manifest_delta_has_what_changed_and_sync_flags_every_refusal(app, rds):
    from webapp.booking.orders.boxoffice import cancel_and_refund

    event = make_event(rows=1, seats_per_row=8)
    _, codes = sold(event, labels=("A1", "A2"))
    other, other_codes = sold(event, "bob", ("A5",))
    first = doors.manifest(event.id)
    assert len(first["tickets"]) == 3 and first["delta"] is False
    later = first["cursor"]
    assert doors.manifest(event.id, "not a time")["delta"] is False  # the whole list
    doors.check_in(event.id, codes[0], "East", "staff:x")
    cancel_and_refund(other.reference, "Moved.")
    delta = doors.manifest(event.id, later)
    a1, a5 = (str(ticket_codes.read(c)[1]) for c in (codes[0], other_codes[0]))
    assert delta["delta"] and delta["tickets"][a1]["inside"]
    assert delta["tickets"][a5] | {"name": ""} == {
        "admits": False,
        "reason": "refunded",
        "inside": False,
        "name": "",
        "seat": "A5",
        "ticket": "Adult",
    }
    old = (datetime.fromisoformat(later) - timedelta(hours=1)).isoformat()
    assert doors.manifest(event.id, old)["tickets"].keys() == first["tickets"].keys()
    soon = (datetime.fromisoformat(delta["cursor"]) + timedelta(minutes=1)).isoformat()
    assert doors.manifest(event.id, soon)["tickets"] == {}  # nothing changed after it
    results = doors.sync(
        event.id,
        [{"code": other_codes[0], "door": "W", "admitted_offline": True},
         {"code": codes[1], "door": "W", "admitted_offline": True}],
        "staff:x",
    )  # fmt: skip
    assert [(r["admitted"], r["conflict"], r["reason"]) for r in results] == [
        (False, True, "refunded"),
        (True, False, "admitted"),
    ]


def test_the_door_shows_each_ticket_type_and_what_to_check(app, rds, client):
    """Issue 28: staff could not tell a child ticket or a wheelchair space at the door."""
    from sqlalchemy import update

    from webapp.booking.models import BookingSeat, Seat

    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event, labels=("A1", "A2"))
    child, wheelchair = booking.seats[0], booking.seats[1]
    db.session.execute(
        update(BookingSeat).where(BookingSeat.id == child.id).values(ticket_type="child")
    )
    db.session.execute(
        update(Seat).where(Seat.id == wheelchair.seat_id).values(kind="wheelchair", restricted=True)
    )
    db.session.commit()
    assert doors.check_in(event.id, codes[0], "North", "staff:x").ticket == "Child"
    scan = doors.check_in(event.id, codes[1], "North", "staff:x")
    assert scan.ticket == "Adult · wheelchair space · restricted view"
    again = doors.check_in(event.id, codes[0], "North", "staff:x")
    assert not again.admitted and again.ticket == "Child"
    listed = doors.manifest(event.id)["tickets"]
    assert listed[str(child.id)]["ticket"] == "Child" and listed[str(child.id)]["seat"] == "A1"
