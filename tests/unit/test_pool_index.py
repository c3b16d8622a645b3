"""Best available's row index: a hold's cost does not grow with how full the venue is,
and a row comes back to the search as soon as a seat in it changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.factories import make_event, seat_by_label, seat_ids
from webapp.booking import BookingError, hold_best_available, hold_seats, release_hold
from webapp.booking.holds import keys, pools
from webapp.booking.orders.boxoffice import set_blocked

SEATS_PER_ROW = 6


def script_calls(rds) -> dict[str, int]:
    """Commands run so far (Redis counts those a script runs too), by name."""
    stats = rds.info("commandstats")
    return {name.removeprefix("cmdstat_"): v["calls"] for name, v in stats.items()}


def pairs_everywhere(event) -> None:
    """Take seats 3 and 6 of every row: every row is left with two free pairs, so no
    single seat can be picked without stranding another (the costly case)."""
    ids = seat_ids(event)
    for r in range(0, len(ids), SEATS_PER_ROW):
        row = ids[r : r + SEATS_PER_ROW]
        hold_seats(event.id, f"fill{r}", [row[2], row[5]])


def sell_out_to_singles(event, rds) -> list[int]:
    """Sell every free seat one at a time by best available; the rows each hold read."""
    reads = []
    while True:
        before = script_calls(rds).get("zrangebyscore", 0)
        try:
            hold_best_available(event.id, f"single{len(reads)}", 1)
        except BookingError as err:
            assert err.code == "sold_out"
            return reads
        reads.append(script_calls(rds)["zrangebyscore"] - before)


@pytest.mark.parametrize("rows", [10, 40])
def test_a_single_seat_costs_the_same_however_many_rows_hold_only_pairs(app, rds, rows):
    event = make_event(rows=rows, seats_per_row=SEATS_PER_ROW, no_orphans=True)
    pairs_everywhere(event)
    reads = sell_out_to_singles(event, rds)
    assert len(reads) == rows * 4  # every free seat sold, to singles, none refused
    # The first search reads every row the fill changed and drops them from the index;
    # after that a hold reads a few rows, the same for 10 rows as for 40 (before the
    # index: two reads per row still holding a pair, 2 * rows near the start).
    assert max(reads[1:]) <= 6, reads
    assert sum(reads[1:]) <= 5 * len(reads)


def test_a_group_search_drops_rows_it_cannot_use_and_a_take_brings_them_back(app, rds):
    event = make_event(rows=2, seats_per_row=4, no_orphans=True)
    hold_seats(event.id, "y", [seat_by_label(event, "A1").id])  # row A: a run of three
    first = hold_best_available(event.id, "alice", 2)  # any pair in A strands a seat
    assert {seat_by_label(event, "B1").id, seat_by_label(event, "B2").id} == set(first.seat_ids)
    y_of_a = seat_by_label(event, "A2").y
    assert rds.zscore(keys.pool_rows(event.id, None), f"2:{y_of_a}") is None
    hold_seats(event.id, "x", [seat_by_label(event, "A4").id])  # leaves A2-A3, a pair
    assert rds.zscore(keys.pool_rows(event.id, None), f"2:{y_of_a}") is not None
    again = hold_best_available(event.id, "bob", 2)
    assert {seat_by_label(event, "A2").id, seat_by_label(event, "A3").id} == set(again.seat_ids)


def test_a_row_comes_back_when_a_seat_in_it_is_given_back(app, rds):
    event = make_event(rows=2, seats_per_row=4, no_orphans=True)
    lone = hold_seats(event.id, "y", [seat_by_label(event, "A1").id])
    hold_best_available(event.id, "alice", 2)  # drops row A from the pairs' index
    release_hold(lone.hold_id, "y")  # row A is four free seats again
    got = hold_best_available(event.id, "bob", 2)
    front = {seat_by_label(event, f"A{n}").id for n in range(1, 5)}
    assert set(got.seat_ids) <= front  # the front row again, not what is left of B


def test_a_blocked_seat_brings_its_row_back_to_the_search(app, rds):
    event = make_event(rows=2, seats_per_row=4, no_orphans=True)
    hold_seats(event.id, "y", [seat_by_label(event, "A1").id])
    hold_best_available(event.id, "alice", 2)  # row A (A2-A4) dropped for pairs
    set_blocked(event.id, ["A4"], True)  # leaves A2-A3, a pair
    got = hold_best_available(event.id, "bob", 2)
    assert {seat_by_label(event, "A2").id, seat_by_label(event, "A3").id} == set(got.seat_ids)


def test_the_script_and_the_python_side_agree_on_the_index(app):
    lua = (Path(pools.__file__).parent / "lua" / "hold.lua").read_text()
    indexed, band = re.search(r"local INDEXED, ROWBAND = (\d+), (\d+)", lua).groups()
    assert (int(indexed), int(band)) == (pools.INDEXED_SIZES, pools.ROW_BAND)
