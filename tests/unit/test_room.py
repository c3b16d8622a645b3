"""The waiting room against a real Redis: 10,000 joins, fairness, the admission rate,
the cap, pausing, and passes that cannot be forged, shared, moved or kept."""

from __future__ import annotations

import dataclasses

import pytest

from tests.factories import make_event
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.models import Event
from webapp.booking.onsale import passes, room, room_figures
from webapp.extensions import db

T0 = 1_900_000_000_000  # a fixed clock (ms): the tests move time themselves
MINUTE = 60_000


def room_event(opens_ms: int | None = T0, **settings) -> int:
    event = make_event(rows=2, seats_per_row=10)
    row = db.session.get(Event, event.id)
    row.waiting_room = True
    row.sale_opens_at = None if opens_ms is None else room_datetime(opens_ms)
    for name, value in settings.items():
        setattr(row, name, value)
    db.session.commit()
    room.forget(event.id)
    return event.id


def room_datetime(ms: int):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).replace(tzinfo=None)


def admit_until_empty(event_id: int, start: int, step: int = 1000) -> tuple[list[str], int]:
    """Run the admitter once a (simulated) second until the line is empty."""
    order, now = [], start
    while True:
        order += room.admit(event_id, now)
        if room_figures.figures(event_id, now).waiting == 0:
            return order, now
        now += step


def test_ten_thousand_joins_each_admitted_once_in_a_fair_order(app, rds):
    # The order alone: this simulated crowd never polls, which the admitter would take
    # for closed tabs (test_places_gone_quiet_are_skipped covers that).
    app.config["QUEUE_IDLE_SECONDS"] = 0
    event_id = room_event(admit_per_minute=60_000, pass_minutes=60)
    early = [f"early{i}" for i in range(5000)]
    late = [f"late{i}" for i in range(5000)]
    for i, customer in enumerate(early):  # the last 10 minutes before opening
        assert room.join(event_id, customer, T0 - 10 * MINUTE + i).state == "waiting"
    for i, customer in enumerate(late):  # after opening, one every millisecond
        assert room.join(event_id, customer, T0 + i).state == "waiting"
    assert room.admit(event_id, T0 - 1000) == []  # nobody before opening
    order, _ = admit_until_empty(event_id, T0 + 5000)
    assert len(order) == len(set(order)) == 10_000  # everyone, exactly once
    assert set(order[:5000]) == set(early)  # the pre-opening crowd first...
    assert order[5000:] == late  # ...then everyone after, in arrival order
    ranks = [int(c.removeprefix("early")) for c in order[:5000]]
    in_step = sum(a < b for a, b in zip(ranks, ranks[1:], strict=False)) / 4999
    assert 0.45 < in_step < 0.55  # shuffled: arriving first gained nothing
    # Everyone admitted gets a pass when they ask again; nobody is admitted twice.
    assert room.join(event_id, "early0", T0 + 20_000).state == "admitted"
    assert room.admit(event_id, T0 + 30_000) == []


def test_rejoining_keeps_the_place(app, rds):
    event_id = room_event(opens_ms=None)
    for i in range(5):
        room.join(event_id, f"c{i}", T0 + i)
    place = room.join(event_id, "c3", T0 + 10)
    again = room.join(event_id, "c3", T0 + 5000)  # a refresh, a second tab, a reconnect
    assert place.ahead == again.ahead == 3 and again.in_line == 5
    assert room.join(event_id, "c9", T0 + 6000).ahead == 5  # a newcomer joins the back


@pytest.mark.parametrize("rate", [120, 1200, 6000])
def test_admission_keeps_to_the_rate_within_five_percent(app, rds, rate):
    event_id = room_event(opens_ms=None, admit_per_minute=rate, pass_minutes=60)
    for i in range(8000):
        room.join(event_id, f"c{i}", T0)
    admitted = 0
    for second in range(61):  # the scheduler's tick, once a second, for a minute
        admitted += len(room.admit(event_id, T0 + second * 1000))
    assert abs(admitted - rate) <= rate * 0.05, admitted


def test_cap_on_active_shoppers_and_pause(app, rds):
    event_id = room_event(opens_ms=None, admit_per_minute=0, max_shoppers=3, pass_minutes=2)
    for i in range(10):
        room.join(event_id, f"c{i}", T0 + i)
    assert room.admit(event_id, T0 + 1000) == ["c0", "c1", "c2"]
    assert room.admit(event_id, T0 + 2000) == []  # three shoppers: the cap
    room.set_paused(event_id, True)
    assert room.admit(event_id, T0 + 3 * MINUTE) == []  # passes lapsed, but paused
    room.set_paused(event_id, False)
    assert room.admit(event_id, T0 + 3 * MINUTE) == ["c3", "c4", "c5"]
    figures = room_figures.figures(event_id, T0 + 3 * MINUTE)
    assert (figures.waiting, figures.active, figures.admitted_total) == (4, 3, 6)


def test_a_lapsed_pass_means_queueing_again_at_the_back(app, rds):
    event_id = room_event(opens_ms=None, admit_per_minute=0, max_shoppers=1, pass_minutes=1)
    room.join(event_id, "ann", T0)
    room.join(event_id, "bob", T0 + 1)
    room.admit(event_id, T0 + 10)
    assert room.join(event_id, "ann", T0 + 20).state == "admitted"
    later = T0 + 2 * MINUTE
    place = room.join(event_id, "ann", later)
    assert place.state == "waiting" and place.ahead == 1  # behind bob


def test_passes_cannot_be_forged_shared_moved_or_kept(app, rds):
    event_id = room_event(opens_ms=None, admit_per_minute=60_000)
    other = room_event(opens_ms=None, admit_per_minute=60_000)
    room.join(event_id, "ann", T0)
    room.admit(event_id, T0 + 1000)
    token = room.join(event_id, "ann", T0 + 2000).token
    assert room.gate(event_id, "ann", token, T0 + 3000) == 0  # the genuine pass works
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    refused = {
        "forged": (event_id, "ann", forged, T0 + 3000),
        "another customer": (event_id, "bob", token, T0 + 3000),
        "another event": (other, "ann", token, T0 + 3000),
        "lapsed": (event_id, "ann", token, T0 + 2000 + 16 * MINUTE),
        "none": (event_id, "ann", None, T0 + 3000),
        "not a string": (event_id, "ann", {"pass": token}, T0 + 3000),
    }
    for why, args in refused.items():
        with pytest.raises(BookingError) as err:
            room.gate(*args)
        assert err.value.code == "queue_required", why
        assert err.value.details["queue_url"] == f"/events/{args[0]}/queue"
    # A pass signed with another key (another deployment) is a forgery too.
    app.config["SECRET_KEY"], real = "another-key", app.config["SECRET_KEY"]
    foreign = passes.issue("ann", event_id, T0 + MINUTE)
    app.config["SECRET_KEY"] = real
    with pytest.raises(BookingError):
        room.gate(event_id, "ann", foreign, T0 + 3000)


def test_before_opening_only_a_presale_pass_buys(app, rds):
    event_id = room_event(opens_ms=T0 + 60 * MINUTE)  # the room gathers from T0 + 30 min
    with pytest.raises(BookingError) as err:
        room.gate(event_id, "ann", None, T0)
    assert err.value.code == "sale_not_open"
    assert room.join(event_id, "ann", T0).state == "early"
    queue_pass = passes.issue("ann", event_id, T0 + MINUTE, kind="queue")
    with pytest.raises(BookingError):  # a queue pass never opens the sale early
        room.gate(event_id, "ann", queue_pass, T0)
    presale = passes.issue("ann", event_id, T0 + MINUTE, seat_cap=2, kind="presale")
    assert room.gate(event_id, "ann", presale, T0) == 2


def test_polls_are_answered_from_the_place_without_asking_redis(app, rds, monkeypatch):
    """The crowd's polls: after one read of the room's counts a second, a poll costs no
    Redis round trip, and gives the same answer a real join would."""
    from redis.connection import Connection

    event_id = room_event(admit_per_minute=60)  # one a second
    early = {c: room.join(event_id, c, T0 - MINUTE + i) for i, c in enumerate(["a", "b", "c"])}
    assert all(p.place == 0 and p.ahead is None for p in early.values())  # not drawn yet
    waiting = room.peek(event_id, "b", 0, early["b"].epoch, T0 - 1000)
    assert waiting.ahead is None and waiting.in_line == 3
    room.admit(event_id, T0 + 1000)  # opening: the draw numbers the early crowd 1..3
    room.forget(event_id)
    drawn = {c: room.join(event_id, c, T0 + 1500) for c in "abc"}
    assert sorted(p.place for p in drawn.values() if p.state == "waiting") == [2, 3]
    room.join(event_id, "d", T0 + 2000)  # after opening: numbered after the draw
    assert room.join(event_id, "d", T0 + 2000).place == 4
    sent = {"n": 0}
    original = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent["n"] += 1
        return original(self, command, check_health)

    places = {c: room.join(event_id, c, T0 + 2500) for c in "bcd"}
    places = {c: p for c, p in places.items() if p.state == "waiting"}
    room.settings(event_id)
    monkeypatch.setattr(Connection, "send_packed_command", counting)
    for _ in range(100):
        for c, p in places.items():
            assert room.peek(event_id, c, p.place, p.epoch, T0 + 3000).state == "waiting"
    assert sent["n"] == 1  # one snapshot read answered every one of the polls
    monkeypatch.setattr(Connection, "send_packed_command", original)
    for c in "bcd":  # and each poll's answer is what Redis would say
        real = room.join(event_id, c, T0 + 3000)
        assert room.peek(event_id, c, real.place, real.epoch, T0 + 3000).ahead == real.ahead
    forged = room.peek(event_id, "b", 1, "not-the-epoch", T0 + 3000)  # a stale session
    assert forged.place == room.join(event_id, "b", T0 + 3000).place


def test_moving_the_opening_after_the_draw_keeps_a_fair_plausible_line(app, rds):
    """Issue 27.2: after a draw, opening moved into the future and then "open now" left
    the pre-opening crowd with undrawn 12-digit places (an ETA of 30,000 years) and let
    a later arrival in at place 3. The line must keep its order and its numbers."""
    from webapp.booking.onsale import room_admin

    event_id = room_event(T0, max_shoppers=1, admit_per_minute=0, pass_minutes=60)
    for customer in ("ann", "bob", "cat"):
        room.join(event_id, customer, T0 - MINUTE)  # gathered before opening
    let_in = room.admit(event_id, T0 + 1000)  # the draw; the cap lets one in
    drawn = {c: room.join(event_id, c, T0 + 2000) for c in ("ann", "bob", "cat") if c not in let_in}
    in_line = sorted(drawn, key=lambda c: drawn[c].place)
    assert len(let_in) == 1 and [drawn[c].ahead for c in in_line] == [0, 1]
    later = room_datetime(T0 + 60 * MINUTE)
    form = room_admin.RoomForm(later, True, 0, 1, 60, 90)
    room_admin.configure(event_id, form)  # staff move the opening an hour on
    room.join(event_id, "dan", T0 + 30 * MINUTE)  # gathers for the new opening
    sooner = dataclasses.replace(form, sale_opens_at=room_datetime(T0 + 40 * MINUTE))
    room_admin.configure(event_id, sooner)  # and then bring it forward: it opens
    order = [*in_line, "dan", "eve"]  # eve arrives after the opening
    places = {c: room.join(event_id, c, T0 + 41 * MINUTE) for c in order}
    assert [places[c].ahead for c in order] == [0, 1, 2, 3]
    assert all(0 < p.place < 10 for p in places.values())
    assert all(p.eta_seconds is not None and p.eta_seconds < 86_400 for p in places.values())


def test_a_flood_from_one_address_pushes_a_customer_back_by_its_allowance_only(app, rds):
    """Issue 27.1: 150 + 50 cookieless joins from one address before opening put a real
    customer at place 75 behind 74 fakes, and the admitter spent its rate on them."""
    event_id = room_event(T0, admit_per_minute=60_000, pass_minutes=60)
    allowance = app.config["QUEUE_PLACES_PER_ADDRESS"]
    refused = 0
    for i in range(200):  # a new customer (no cookie) for every request
        try:
            room.join(event_id, f"bot{i}", T0 - MINUTE + i, address="203.0.113.7")
        except BookingError as exc:
            assert exc.code == "queue_address_limit" and exc.status == 429
            refused += 1
    assert refused == 200 - allowance
    real = room.join(event_id, "ann", T0 - 30_000, address="198.51.100.20")
    assert real.state == "waiting" and real.in_line == allowance + 1
    order, _ = admit_until_empty(event_id, T0 + 1000)
    assert order.index("ann") <= allowance  # behind the allowance at worst


def test_places_gone_quiet_are_skipped_without_spending_the_rate(app, rds):
    """A place never polled again (a bot's discarded cookie, a closed tab) leaves the line
    when its turn comes; the customers who keep polling are let in at the full rate."""
    event_id = room_event(T0, admit_per_minute=60, pass_minutes=60)  # one a second
    for i in range(20):
        room.join(event_id, f"ghost{i}", T0 - 10 * MINUTE + i)
    for name in ("ann", "bob"):
        room.join(event_id, name, T0 - 10 * MINUTE + 100)
    now = T0 - MINUTE  # the ghosts have been quiet for 9 minutes; ann and bob poll
    for name in ("ann", "bob"):
        room.peek(event_id, name, 0, "", now)
    room.forget(event_id)  # this process's snapshot (and with it the polls) goes to Redis
    room.peek(event_id, "ann", 0, "", now)
    admitted = room.admit(event_id, T0 + 1000) + room.admit(event_id, T0 + 2000)
    assert sorted(admitted) == ["ann", "bob"]  # two seconds, two customers: no slot spent
    # None when the draw put ann and bob first (arrivals before opening are shuffled).
    skipped = int(rds.hget(keys.room_state(event_id), "skipped") or 0)
    assert skipped + room_figures.figures(event_id, T0 + 2000).waiting == 20  # ghosts, all of them
    bob = room.join(event_id, "bob", T0 + 3000)
    assert bob.state == "admitted"


def test_a_staff_pause_survives_redis_losing_its_data(app, rds):
    """Issue 27.12: the pause lived in Redis only, so a restart that lost Redis's data
    resumed a room staff had stopped."""
    from webapp.booking.onsale import room_admin

    event_id = room_event(T0, admit_per_minute=60_000, pass_minutes=60)
    room.join(event_id, "ann", T0 - MINUTE)
    room_admin.pause(event_id, True)
    rds.flushall()  # Redis restarted without its data
    room.forget(event_id)
    room.join(event_id, "ann", T0 + 500)
    assert (
        room.admit(event_id, T0 + 1000) == [] and room_figures.figures(event_id, T0 + 1000).paused
    )
    room_admin.pause(event_id, False)
    room.forget(event_id)
    assert room.admit(event_id, T0 + 2000) == ["ann"]
