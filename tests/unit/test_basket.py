"""A basket is one hold that grows and shrinks; versioned changes for live maps."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_ids
from webapp.booking import (
    BookingError,
    changes_since,
    get_hold,
    hold_seats,
    release_seats,
    seat_states,
    start_checkout,
)
from webapp.booking.holds import keys


def test_adding_to_a_hold_keeps_its_deadline(app):
    event = make_event()
    ids = seat_ids(event)
    first = hold_seats(event.id, "alice", ids[:1])
    grown = hold_seats(event.id, "alice", ids[1:3], add_to=first.hold_id)
    assert grown.hold_id == first.hold_id and grown.expires_at == first.expires_at
    assert grown.fence > first.fence  # a newer take outranks older ones (issue 14.4)
    assert get_hold(first.hold_id, "alice").fence == grown.fence
    assert sorted(get_hold(first.hold_id, "alice").seat_ids) == sorted(ids[:3])
    assert get_hold(first.hold_id, "bob") is None


def test_cannot_add_to_someone_elses_or_lapsed_hold(app, rds):
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:1])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "mallory", ids[1:2], add_to=hold.hold_id)
    assert err.value.code == "hold_expired"
    rds.delete(keys.hold_timer(event.id, hold.hold_id))
    with pytest.raises(BookingError):
        hold_seats(event.id, "alice", ids[1:2], add_to=hold.hold_id)
    assert {s.status for s in seat_states(event.id).seats if s.id == ids[1]} == {"available"}


def test_dropping_seats_shrinks_then_ends_the_hold(app):
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:3])
    assert release_seats(hold.hold_id, "alice", [ids[0], 999]) == [ids[0]]
    assert sorted(get_hold(hold.hold_id, "alice").seat_ids) == sorted(ids[1:3])
    with pytest.raises(BookingError):
        release_seats(hold.hold_id, "bob", [ids[1]])
    release_seats(hold.hold_id, "alice", ids[1:3])
    assert get_hold(hold.hold_id, "alice") is None
    assert {s.status for s in seat_states(event.id).seats} == {"available"}


def test_basket_in_checkout_cannot_change(app):
    event = make_event()
    ids = seat_ids(event)
    hold = hold_seats(event.id, "alice", ids[:1])
    start_checkout(hold.hold_id, "alice", "Alice", "alice@example.com", "k")
    for call in (
        lambda: hold_seats(event.id, "alice", ids[1:2], add_to=hold.hold_id),
        lambda: release_seats(hold.hold_id, "alice", ids[:1]),
    ):
        with pytest.raises(BookingError) as err:
            call()
        assert err.value.code == "hold_checked_out"


def test_changes_since_lists_only_changed_seats(app):
    event = make_event()
    ids = seat_ids(event)
    start = seat_states(event.id).version
    hold = hold_seats(event.id, "alice", ids[:2])
    delta = changes_since(event.id, "bob", start)
    assert sorted(s.id for s in delta.seats) == sorted(ids[:2])
    assert {s.status for s in delta.seats} == {"held"}
    assert changes_since(event.id, "bob", delta.version).seats == []
    release_seats(hold.hold_id, "alice", ids[:1])
    later = changes_since(event.id, "alice", delta.version)
    assert [(s.id, s.status) for s in later.seats] == [(ids[0], "available")]
