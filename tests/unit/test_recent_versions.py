"""Polls of an event where nothing changed answer from this process's memory of the
version (recent_versions), and still never miss a change."""

from __future__ import annotations

import time

from tests.factories import make_event, seat_ids
from tests.unit.test_hot_path import Counted
from webapp.booking import changes_since, hold_seats, release_seats, seat_states
from webapp.booking.holds import keys


def test_a_repeated_poll_of_an_unchanged_event_costs_no_redis_round_trip(app, rds):
    event = make_event()
    version = seat_states(event.id).version
    with Counted() as first:
        assert changes_since(event.id, "bob", version).seats == []
    with Counted() as again:
        for _ in range(5):
            assert changes_since(event.id, "bob", version).version == version
    assert (first.redis, again.redis) == (1, 0)


def test_this_process_sees_its_own_changes_at_once(app, rds):
    event = make_event()
    ids = seat_ids(event)
    version = seat_states(event.id).version
    changes_since(event.id, "bob", version)  # remembered as unchanged
    hold = hold_seats(event.id, "alice", ids[:1])
    delta = changes_since(event.id, "bob", version)
    assert [(s.id, s.status) for s in delta.seats] == [(ids[0], "held")]
    changes_since(event.id, "bob", delta.version)
    release_seats(hold.hold_id, "alice", ids[:1])
    later = changes_since(event.id, "bob", delta.version)
    assert [(s.id, s.status) for s in later.seats] == [(ids[0], "available")]


def test_another_process_change_shows_within_poll_fresh_ms(app, rds):
    app.config["POLL_FRESH_MS"] = 200
    event = make_event()
    ids = seat_ids(event)
    version = seat_states(event.id).version
    changes_since(event.id, "bob", version)
    # Another web process took a hold: Redis changed, this process's memory did not.
    other = rds.incr(keys.version(event.id))
    rds.zadd(keys.changelog(event.id), {str(ids[3]): other})
    assert changes_since(event.id, "bob", version).seats == []  # within 200 ms
    time.sleep(0.25)
    delta = changes_since(event.id, "bob", version)
    assert (delta.version, [s.id for s in delta.seats]) == (other, [ids[3]])


def test_poll_fresh_ms_0_reads_redis_on_every_poll(app, rds):
    app.config["POLL_FRESH_MS"] = 0
    event = make_event()
    version = seat_states(event.id).version
    changes_since(event.id, "bob", version)
    with Counted() as again:
        changes_since(event.id, "bob", version)
    assert again.redis == 1
