"""hold_seats, hold_best_available, release_hold, extend_hold and seat_states."""

from __future__ import annotations

import pytest

from tests.factories import make_event, seat_by_label, seat_ids
from webapp.booking import (
    BookingError,
    extend_hold,
    hold_best_available,
    hold_seats,
    release_hold,
    seat_states,
)
from webapp.booking.holds import keys
from webapp.booking.models import Seat
from webapp.extensions import db


def statuses(event_id: int, customer: str | None = None) -> dict[str, str]:
    return {s.label: s.status for s in seat_states(event_id, customer).seats}


def test_hold_takes_all_seats_and_reports_them(app):
    event = make_event()
    ids = seat_ids(event)[:3]
    hold = hold_seats(event.id, "alice", ids)
    assert sorted(hold.seat_ids) == sorted(ids)
    assert hold.ttl_seconds == 600
    assert hold.hold_id.startswith(f"{event.id}-")
    states = statuses(event.id, "alice")
    assert [states[label] for label in ("A1", "A2", "A3", "A4")] == ["mine"] * 3 + ["available"]
    assert statuses(event.id, "bob")["A1"] == "held"


def test_hold_is_all_or_nothing(app):
    event = make_event()
    ids = seat_ids(event)
    hold_seats(event.id, "alice", [ids[1]])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "bob", [ids[0], ids[1], ids[2]])
    assert err.value.code == "seats_unavailable"
    assert err.value.details["seat_ids"] == [ids[1]]
    assert "A2" in err.value.message
    states = statuses(event.id)
    assert states["A1"] == "available" and states["A3"] == "available"


@pytest.mark.parametrize("bad", [[], "1", [0], [-3], ["x"], [1.5], [True], None])
def test_hold_refuses_malformed_seat_ids(app, bad):
    event = make_event()
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", bad)
    assert err.value.code == "invalid_input" and err.value.status == 422


def test_hold_refuses_duplicates_foreign_and_blocked_seats(app):
    event, other = make_event(), make_event(name="Other")
    ids = seat_ids(event)
    with pytest.raises(BookingError, match="only once"):
        hold_seats(event.id, "alice", [ids[0], ids[0]])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [ids[0], seat_ids(other)[0]])
    assert err.value.code == "foreign_seats"
    seat = seat_by_label(event, "A5")
    seat.blocked = True
    db.session.commit()
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [seat.id])
    assert err.value.code == "seats_blocked" and "A5" in err.value.message
    assert statuses(event.id)["A1"] == "available"


def test_hold_refuses_unknown_event(app):
    with pytest.raises(BookingError) as err:
        hold_seats(999, "alice", [1])
    assert err.value.code == "event_not_found" and err.value.status == 404


def test_customer_limit_counts_every_hold(app):
    event = make_event()
    ids = seat_ids(event)
    hold_seats(event.id, "alice", ids[:5])
    hold_seats(event.id, "alice", ids[5:8])
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, "alice", [ids[8]])
    assert err.value.code == "seat_limit" and "8" in err.value.message
    with pytest.raises(BookingError):
        hold_seats(event.id, "alice", ids[10:19])  # 9 at once
    hold_seats(event.id, "bob", [ids[8]])  # others are not affected


def test_release_only_by_holder_and_seats_come_back(app):
    event = make_event()
    ids = seat_ids(event)[:2]
    hold = hold_seats(event.id, "alice", ids)
    with pytest.raises(BookingError) as err:
        release_hold(hold.hold_id, "mallory")
    assert err.value.code == "hold_not_found"
    assert statuses(event.id)["A1"] == "held"
    assert sorted(release_hold(hold.hold_id, "alice")) == sorted(ids)
    assert statuses(event.id)["A1"] == "available"
    with pytest.raises(BookingError):
        release_hold(hold.hold_id, "alice")  # gone now
    for bad in ("nonsense", "12", f"{event.id}-doesnotexist"):
        with pytest.raises(BookingError):
            release_hold(bad, "alice")


def test_lapsed_hold_cannot_release_a_seat_someone_else_took(app, rds):
    event = make_event()
    ids = seat_ids(event)[:1]
    old = hold_seats(event.id, "alice", ids)
    rds.delete(keys.seat(event.id, ids[0]), keys.hold_timer(event.id, old.hold_id))  # lapse
    new = hold_seats(event.id, "bob", ids)
    release_hold(old.hold_id, "alice")  # its info still exists, but the seat is Bob's now
    assert rds.get(keys.seat(event.id, ids[0])) == new.hold_id
    assert statuses(event.id, "bob")["A1"] == "mine"


def test_hold_expires_with_ttl(app, rds):
    app.config["HOLD_TTL_SECONDS"] = 1
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:1])
    assert 0 < rds.pttl(keys.seat(event.id, hold.seat_ids[0])) <= 1000
    import time

    time.sleep(1.1)
    assert statuses(event.id)["A1"] == "available"
    hold_seats(event.id, "bob", seat_ids(event)[:1])


def test_extend_once_only_for_holder(app, rds):
    event = make_event()
    hold = hold_seats(event.id, "alice", seat_ids(event)[:2])
    with pytest.raises(BookingError):
        extend_hold(hold.hold_id, "bob")
    longer = extend_hold(hold.hold_id, "alice")
    assert (longer.expires_at - hold.expires_at).total_seconds() == pytest.approx(120, abs=1)
    assert rds.pttl(keys.seat(event.id, hold.seat_ids[0])) > 600_000
    with pytest.raises(BookingError) as err:
        extend_hold(hold.hold_id, "alice")
    assert err.value.code == "already_extended"


def test_fencing_numbers_increase(app):
    event = make_event()
    ids = seat_ids(event)
    fences = [hold_seats(event.id, f"c{i}", [ids[i]]).fence for i in range(5)]
    assert fences == sorted(fences) and len(set(fences)) == 5


def test_best_available_picks_adjacent_seats_near_centre_front(app):
    event = make_event(rows=3, seats_per_row=10)
    hold = hold_best_available(event.id, "alice", 4)
    labels = sorted(db.session.get(Seat, s).label for s in hold.seat_ids)
    assert labels == ["A4", "A5", "A6", "A7"]


def test_best_available_respects_aisles_and_falls_back_to_scattered(app):
    event = make_event(rows=1, seats_per_row=6, aisles_after=[3])
    ids = seat_ids(event)
    with pytest.raises(BookingError):
        hold_best_available(event.id, "x", 9)
    hold_seats(event.id, "bob", [ids[1], ids[4]])  # A2 and A5 taken
    hold = hold_best_available(event.id, "alice", 2)  # no two neighbours left: A1|A3|A4|A6
    assert len(hold.seat_ids) == 2
    hold_best_available(event.id, "carol", 2)
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "dave", 1)
    assert err.value.code == "sold_out"


def test_best_available_section_filter(app):
    event = make_event()
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "alice", 2, section="Balcony")
    assert err.value.code == "section_not_found" and err.value.status == 404
    assert len(hold_best_available(event.id, "alice", 2, section="Stalls").seat_ids) == 2


@pytest.mark.parametrize("bad", [0, -1, "2", 2.0, None, True])
def test_best_available_refuses_bad_quantity(app, bad):
    event = make_event()
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "alice", bad)
    assert err.value.status == 422


def test_seat_states_cost_is_fixed(app):
    from sqlalchemy import event as sa_event

    small, large = make_event(rows=1, seats_per_row=5), make_event(rows=20, seats_per_row=50)
    counts = []
    for event_id in (small.id, large.id):
        seat_states(event_id, "alice")  # loads the layout once per process, primes Redis
        db.session.commit()
        queries = []
        listener = lambda *a, q=queries, **k: q.append(1)  # noqa: E731
        sa_event.listen(db.engine, "before_cursor_execute", listener)
        seat_states(event_id, "alice")
        sa_event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(queries))
    assert counts == [0, 0]  # geometry cached, states from Redis marks
