"""The on-sale hot path: one Redis round trip per hold, no database read, pools that
give seats back, the due set the fallback job reads, purchases counted in Redis."""

from __future__ import annotations

import time

import pytest
from redis.connection import Connection
from sqlalchemy import event as sa_event
from sqlalchemy import select, update

from tests.factories import make_event, seat_by_label, seat_ids
from webapp.booking import (
    BookingError,
    confirm_payment,
    expire_hold,
    hold_best_available,
    hold_seats,
    release_hold,
    start_checkout,
)
from webapp.booking.holds import keys
from webapp.booking.models import Seat, utcnow
from webapp.booking.orders.expiry import release_due
from webapp.extensions import db


class Counted:
    """Counts Redis round trips (one send each; a pipeline is one) and SQL statements."""

    def __enter__(self):
        self.redis = self.sql = 0
        self._send = Connection.send_packed_command

        def counting(conn, command, check_health=True):
            self.redis += 1
            return self._send(conn, command, check_health)

        Connection.send_packed_command = counting
        sa_event.listen(db.engine, "before_cursor_execute", self._on_sql)
        return self

    def _on_sql(self, conn, cursor, statement, *args):
        if not statement.startswith("BEGIN"):  # SQLite's explicit BEGIN IMMEDIATE is no query
            self.sql += 1

    def __exit__(self, *exc):
        Connection.send_packed_command = self._send
        sa_event.remove(db.engine, "before_cursor_execute", self._on_sql)


@pytest.mark.parametrize("rule", [True, False])
def test_a_hold_costs_one_round_trip_and_no_query_fallback_included(app, rds, rule):
    event = make_event(rows=4, seats_per_row=10, no_orphans=rule)
    ids = seat_ids(event)
    event_id = event.id
    hold_seats(event_id, "warm", [ids[0]])  # primes the event and loads its layout
    db.session.commit()
    with Counted() as by_id:
        hold = hold_seats(event_id, "alice", [ids[5]])
    with Counted() as best:
        hold_best_available(event_id, "bob", 2)
    assert (by_id.redis, by_id.sql) == (1, 0)
    assert (best.redis, best.sql) == (1, 0)
    # The fallback needs no job of its own: the hold is in its event's due set.
    deadline = rds.zscore(keys.due(event_id), hold.hold_id)
    assert deadline == pytest.approx(hold.expires_at.timestamp() * 1000, abs=1000)


def test_a_released_seat_is_offered_by_best_available_again(app, rds):
    event = make_event(rows=1, seats_per_row=3, no_orphans=True)
    first = hold_best_available(event.id, "alice", 3)
    with pytest.raises(BookingError):
        hold_best_available(event.id, "bob", 1)
    release_hold(first.hold_id, "alice")
    again = hold_best_available(event.id, "bob", 3)
    assert sorted(again.seat_ids) == sorted(first.seat_ids)


def test_a_lapsed_hold_goes_back_to_the_pool_when_expired(app, rds):
    event = make_event(rows=1, seats_per_row=2)
    hold = hold_best_available(event.id, "alice", 2)
    for seat_id in hold.seat_ids:  # Redis lapses the keys by itself
        rds.delete(keys.seat(event.id, seat_id))
    rds.delete(keys.hold_timer(event.id, hold.hold_id))
    assert expire_hold(hold.hold_id) == "released"
    assert sorted(hold_best_available(event.id, "bob", 2).seat_ids) == sorted(hold.seat_ids)


def test_seats_taken_by_hand_are_skipped_and_dropped_from_the_pool(app, rds):
    event = make_event(rows=2, seats_per_row=4)
    warm = hold_best_available(event.id, "warm", 1)  # builds the pools
    release_hold(warm.hold_id, "warm")
    taken = [seat_by_label(event, label).id for label in ("A1", "A2", "A3", "A4")]
    hold_seats(event.id, "alice", taken)
    got = hold_best_available(event.id, "bob", 2)
    assert {seat_by_label(event, "B2").id, seat_by_label(event, "B3").id} == set(got.seat_ids)
    pool = {int(s) for s in rds.zrange(keys.pool(event.id, None), 0, -1)}
    assert not pool & set(taken)  # met once, dropped: later holds do not read them again


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_best_available_picks_what_the_python_ordering_ranks_first(app, rds, size):
    """The pool search in hold.lua agrees with allocation.adjacent_groups, the
    reference ordering (front row first, then closest to the centre line)."""
    from webapp.booking.venues import geometry

    event = make_event(rows=3, seats_per_row=9, aisles_after=[3])
    expected = geometry.layout_of(event.id).groups(size, None)[0]
    got = hold_best_available(event.id, "alice", size)
    assert sorted(got.seat_ids) == sorted(expected)
    labels = sorted(seat.label for seat in seats_of(got))
    if size == 3:
        assert labels == ["A4", "A5", "A6"]  # right of the aisle, nearest the centre


def test_a_section_pool_only_offers_that_section(app, rds):
    from webapp.booking.venues.venues import SectionLayout, create_event

    event = create_event(
        "Hall",
        "Two sections",
        time_now(),
        [SectionLayout("Front", ["A"], 4, 5000), SectionLayout("Back", ["K"], 4, 2000)],
    )
    got = hold_best_available(event.id, "alice", 4, section="Back")
    assert {seat.section for seat in seats_of(got)} == {"Back"}
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "bob", 1, section="Back")
    assert err.value.code == "sold_out"
    assert len(hold_best_available(event.id, "bob", 4).seat_ids) == 4  # Front is left


def seats_of(hold) -> list[Seat]:
    return list(db.session.scalars(select(Seat).where(Seat.id.in_(hold.seat_ids))))


def time_now():
    from datetime import datetime

    return datetime(2031, 1, 1, 19, 30)


def test_release_due_ends_holds_past_deadline_and_grace_and_spares_the_rest(app, rds):
    app.config["HOLD_GRACE_SECONDS"] = 1
    event = make_event()
    ids = seat_ids(event)
    lapsed = hold_seats(event.id, "alice", ids[:2])
    live = hold_seats(event.id, "bob", ids[2:3])
    for seat_id in lapsed.seat_ids:
        rds.delete(keys.seat(event.id, seat_id))
    rds.delete(keys.hold_timer(event.id, lapsed.hold_id))
    deadline_ms = int(lapsed.expires_at.timestamp() * 1000)
    assert release_due(now_ms=deadline_ms + 500) == 0  # still within the grace
    assert release_due(now_ms=deadline_ms + 1500) == 1
    assert rds.zrange(keys.due(event.id), 0, -1) == [live.hold_id]
    assert release_due(now_ms=deadline_ms + 1500) == 0  # nothing twice


def test_purchases_count_against_the_seat_limit_from_redis(app, rds):
    app.config["MAX_SEATS_PER_CUSTOMER"] = 3
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:2])
    status, body = start_checkout(hold.hold_id, "alice", "Alice", "a@example.com", "k")
    assert status == 201
    confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
    assert rds.hget(keys.bought(event.id), "alice") == "2"
    hold_seats(event.id, "alice", ids[2:3])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", ids[3:4])
    assert err.value.code == "seat_limit"
    rds.flushall()  # the count is rebuilt from the database with the rest
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", ids[3:5])
    assert err.value.code == "seat_limit"
    assert rds.hget(keys.bought(event.id), "alice") == "2"


def test_an_old_pool_entry_for_a_sold_seat_is_never_sold_again(app, rds):
    event = make_event(rows=1, seats_per_row=2)
    hold = hold_best_available(event.id, "alice", 2)
    rds.zadd(keys.pool(event.id, None), {str(s): 1 for s in hold.seat_ids})  # stale hint
    time.sleep(0.01)
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "bob", 1)
    assert err.value.code == "sold_out"


def test_a_cached_map_shows_every_change_made_since_it_was_read(app, rds):
    from webapp.booking import seat_states, section_states

    event = make_event(rows=2, seats_per_row=5)
    ids = seat_ids(event)
    assert {s.status for s in seat_states(event.id).seats} == {"available"}
    assert {s.status for s in section_states(event.id, "Stalls").seats} == {"available"}
    hold = hold_seats(event.id, "alice", ids[:2])
    seen = {s.id: s.status for s in seat_states(event.id, "bob").seats}
    assert [seen[i] for i in ids[:3]] == ["held", "held", "available"]
    mine = {s.id: s.status for s in section_states(event.id, "Stalls", "alice").seats}
    assert [mine[i] for i in ids[:3]] == ["mine", "mine", "available"]
    release_hold(hold.hold_id, "alice")
    assert {s.status for s in seat_states(event.id, "bob").seats} == {"available"}
    hold_seats(event.id, "carol", ids[4:5])
    version = int(rds.get(keys.version(event.id)))
    rds.flushall()  # versions start again and reach the cached one: read everything
    for n in range(version):
        hold_seats(event.id, f"d{n}", [ids[9 - n]])
    assert int(rds.get(keys.version(event.id))) == version
    seen = {s.id: s.status for s in seat_states(event.id).seats}
    assert seen[ids[9]] == "held" and seen[ids[4]] == "available"


def test_viewers_with_no_seat_of_their_own_share_one_map_until_a_seat_moves(app, rds):
    """A crowd loading an event's page walks its seats once per change, not once per
    page: the map of the last such viewer is handed to the next while no seat moved.
    A holder's own map is theirs, and every change is seen at once."""
    from webapp.booking import seat_states, section_states

    event = make_event(rows=2, seats_per_row=5)
    ids = seat_ids(event)
    first = seat_states(event.id, "ann")
    assert seat_states(event.id, "bob") is first and seat_states(event.id) is first
    hold = hold_seats(event.id, "cat", ids[:1])
    after = seat_states(event.id, "bob")
    assert after is not first and after.version > first.version
    assert [s.status for s in after.seats[:2]] == ["held", "available"]
    own = seat_states(event.id, "cat")
    assert own is not after and own.seats[0].status == "mine"
    assert seat_states(event.id, "dan") is after  # the holder's map was not shared
    section = section_states(event.id, "Stalls", "ann")
    assert section_states(event.id, "Stalls", "bob") is section and section is not after
    release_hold(hold.hold_id, "cat")
    assert {s.status for s in seat_states(event.id, "bob").seats} == {"available"}


def test_expire_holds_answers_as_expire_hold_does_for_a_whole_batch(app, rds):
    from webapp.booking import expire_holds
    from webapp.booking.models import Booking

    event = make_event()
    ids = seat_ids(event)

    def lapse(hold):
        for seat_id in hold.seat_ids:
            rds.delete(keys.seat(event.id, seat_id))
        rds.delete(keys.hold_timer(event.id, hold.hold_id))

    alive = hold_seats(event.id, "a", ids[0:1])
    released = hold_seats(event.id, "b", ids[1:2])
    pending = hold_seats(event.id, "c", ids[2:3])
    start_checkout(pending.hold_id, "c", "C", "c@example.com", "k1")
    db.session.execute(
        update(Booking).where(Booking.hold_id == pending.hold_id).values(expires_at=utcnow())
    )
    db.session.commit()
    for hold in (released, pending):
        lapse(hold)
    outcomes = expire_holds([alive.hold_id, released.hold_id, pending.hold_id, "nonsense"])
    assert outcomes == {
        alive.hold_id: "alive",
        released.hold_id: "released",
        pending.hold_id: "expired",
        "nonsense": "invalid",
    }
    assert expire_holds([released.hold_id, pending.hold_id]) == {
        released.hold_id: "gone",
        pending.hold_id: "gone",
    }
    statuses = {s.id: s.status for s in seat_states_of(event.id)}
    assert [statuses[i] for i in ids[:3]] == ["held", "available", "available"]
    pool = keys.pool(event.id, None)
    assert all(rds.zscore(pool, str(i)) is not None for i in ids[1:3])  # offered again


def seat_states_of(event_id):
    from webapp.booking import seat_states

    return seat_states(event_id).seats


def test_a_listener_killed_holding_its_lock_does_not_hold_the_fallback_back(app, rds):
    from webapp.booking.orders.expiry import LISTENER_DUE_LOCK_KEY

    app.config["HOLD_GRACE_SECONDS"] = 1
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    rds.delete(keys.seat(event.id, hold.seat_ids[0]), keys.hold_timer(event.id, hold.hold_id))
    rds.set(LISTENER_DUE_LOCK_KEY, "1", px=60_000)  # left by a listener SIGKILLed mid-run
    deadline_ms = int(hold.expires_at.timestamp() * 1000)
    assert release_due(now_ms=deadline_ms + 1500) == 1  # the fallback job's lock is its own
    assert release_due(now_ms=deadline_ms, grace_seconds=0, lock=LISTENER_DUE_LOCK_KEY) == 0


def test_a_checkout_is_one_statement_on_postgresql_and_one_transaction_on_sqlite(app, rds):
    """The booking with its seat, payment and audit rows and the stored answer: on
    PostgreSQL one statement in autocommit (no BEGIN, no COMMIT: one round trip), on
    SQLite five INSERTs in one transaction. Redis: the key's claim with the hold's info
    (one pipeline), and a look at the hold after the commit (a release racing it).
    Before: five statements in one transaction on both and three Redis round trips (the
    claim on its own), and before that 8 statements in 2 transactions."""
    event = make_event(rows=2, seats_per_row=10)
    warm = hold_seats(event.id, "warm", [seat_ids(event)[0]])  # primes the event
    start_checkout(warm.hold_id, "warm", "Warm", "warm@example.com", "k0")  # ticket types
    hold = hold_seats(event.id, "alice", [seat_ids(event)[5]])
    db.session.commit()
    in_autocommit = []

    def on_sql(conn, cursor, *args):
        in_autocommit.append(bool(getattr(conn.connection.driver_connection, "autocommit", 0)))

    sa_event.listen(db.engine, "before_cursor_execute", on_sql)
    try:
        with Counted() as sent:
            status, _ = start_checkout(hold.hold_id, "alice", "Alice", "alice@example.com", "k1")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", on_sql)
    assert status == 201 and sent.redis == 2
    if db.engine.dialect.name == "postgresql":
        assert (sent.sql, in_autocommit) == (1, [True])
    else:
        assert (sent.sql, set(in_autocommit)) == (5, {False})
