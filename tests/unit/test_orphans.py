"""The no-orphan rule: no hold may leave one seat on its own (row ends, aisles, taken seats)."""

from __future__ import annotations

import random

import pytest

from tests.factories import make_event, seat_by_label
from webapp.booking import BookingError, hold_best_available, hold_seats, seat_states


def ids(event, *labels: str) -> list[int]:
    return [seat_by_label(event, label).id for label in labels]


def refusal(event, customer: str, *labels: str, add_to: str | None = None) -> BookingError:
    with pytest.raises(BookingError) as err:
        hold_seats(event.id, customer, ids(event, *labels), add_to=add_to)
    assert err.value.code == "orphan_seat" and err.value.status == 409
    return err.value


def free_labels(event) -> set[str]:
    return {s.label for s in seat_states(event.id).seats if s.status == "available"}


def test_a_seat_left_at_the_row_end_is_refused_and_named(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=True)
    err = refusal(event, "alice", "A2", "A3")
    assert err.details["seat"] == "A1"
    assert err.message == "That would leave A1 on its own — pick A1 too, or A1–A2 instead."
    assert free_labels(event) == {f"A{n}" for n in range(1, 11)}  # nothing was held


def test_a_seat_left_beside_an_aisle_is_refused(app):
    event = make_event(rows=1, seats_per_row=10, aisles_after=[5], no_orphans=True)
    assert refusal(event, "alice", "A3", "A4").details["seat"] == "A5"
    # Across the aisle is another run: A6 alone at its start is stranded too.
    assert refusal(event, "alice", "A7").details["seat"] == "A6"
    hold_seats(event.id, "alice", ids(event, "A4", "A5"))  # up to the aisle is fine


def test_a_seat_between_taken_seats_is_refused(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A5", "A6"))
    err = refusal(event, "alice", "A8", "A9")
    assert err.details["seat"] == "A7"
    # A7 too would strand A10, so the advice is to move the pair over.
    assert err.message == "That would leave A7 on its own — try A7–A8 instead."
    hold_seats(event.id, "alice", ids(event, "A7", "A8"))
    assert "A7" not in free_labels(event)


def test_the_customers_own_basket_counts_as_taken(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=True)
    basket = hold_seats(event.id, "alice", ids(event, "A4"))
    assert refusal(event, "alice", "A6", add_to=basket.hold_id).details["seat"] == "A5"
    hold_seats(event.id, "alice", ids(event, "A5"), add_to=basket.hold_id)


def test_an_orphan_that_already_existed_does_not_block_other_seats(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=False)
    hold_seats(event.id, "bob", ids(event, "A2"))  # A1 stranded while the rule was off
    event.no_orphans = True
    from webapp.booking.venues import geometry
    from webapp.extensions import db

    db.session.commit()
    geometry.clear()
    hold_seats(event.id, "alice", ids(event, "A6", "A7"))  # far from A1: allowed


def test_the_rule_can_be_switched_off_per_event(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=False)
    hold_seats(event.id, "alice", ids(event, "A2"))
    assert "A2" not in free_labels(event)


def test_a_pick_that_fills_the_rest_of_a_row_is_allowed(app):
    event = make_event(rows=2, seats_per_row=5, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A1", "A2"))
    err = refusal(event, "carol", "A4", "A5")
    # No pair in row A strands nobody, so the advice names one in another row.
    assert err.message == "That would leave A3 on its own — pick A3 too, or B1–B2 instead."
    hold_seats(event.id, "alice", ids(event, "A3", "A4", "A5"))
    assert free_labels(event) == {f"B{n}" for n in range(1, 6)}


def test_a_stranding_pick_is_sold_when_no_pick_of_its_size_strands_nobody(app):
    event = make_event(rows=1, seats_per_row=5, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A1", "A2"))
    # A3-A4 would strand A5 and A4-A5 strands A3: every pair strands a seat, so the
    # rule steers no more and the buyer gets what they asked for.
    hold_seats(event.id, "carol", ids(event, "A4", "A5"))
    hold_seats(event.id, "dave", ids(event, "A3"))  # a seat on its own sells on its own
    assert free_labels(event) == set()


def test_single_seats_at_row_ends_sell_once_nothing_else_is_left(app):
    event = make_event(rows=1, seats_per_row=6, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A3", "A4"))
    # A1 strands A2 and A2 strands A1; same on the right: every single seat strands one.
    for n, customer in enumerate(["c1", "c2", "c3", "c4"]):
        hold_best_available(event.id, customer, 1)
        assert len(free_labels(event)) == 3 - n
    with pytest.raises(BookingError) as err:
        hold_best_available(event.id, "c5", 1)
    assert err.value.code == "sold_out"


def test_a_pair_in_a_row_of_three_is_sold_though_it_strands_the_third(app):
    event = make_event(rows=1, seats_per_row=3, no_orphans=True)
    hold_seats(event.id, "alice", ids(event, "A1", "A2"))  # A2-A3 would strand A1 as well
    hold_seats(event.id, "bob", ids(event, "A3"))
    assert free_labels(event) == set()


def test_best_available_skips_picks_that_strand_a_seat(app):
    event = make_event(rows=2, seats_per_row=5, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A1", "A2"))
    # A3-A4 would strand A5; A4-A5 leaves A3 alone; so the pair goes to row B.
    hold = hold_best_available(event.id, "alice", 2)
    picked = {s.label for s in seat_states(event.id, "alice").seats if s.status == "mine"}
    assert len(hold.seat_ids) == 2 and picked <= {f"B{n}" for n in range(1, 6)}


def strict_window_exists(event_id: int, layout, size: int) -> bool:
    """Reference check, in Python: some `size` free seats side by side strand nobody."""
    from webapp.booking.holds import orphans

    seats = [s for s in layout.seats if s.kind in ("seat", "companion")]
    free = orphans.free_seats(event_id, seats, [])
    for window in layout.groups(size, None):
        run = [s.id for s in layout.row_run(window[0])]
        if free.issuperset(window) and orphans.strands(run, free, set(window)) is None:
            return True
    return False


def stranded(event) -> set[str]:
    """Free seats with no free neighbour in their run (the test rows have an aisle after 3)."""
    states = {(s.row, s.number): s.status for s in seat_states(event.id).seats}
    lone = set()
    for (row, number), status in states.items():
        if status != "available":
            continue
        run_edge = {3: "right", 4: "left"}.get(number)
        left = states.get((row, number - 1)) if run_edge != "left" else None
        right = states.get((row, number + 1)) if run_edge != "right" else None
        if left != "available" and right != "available":
            lone.add(f"{row}{number}")
    return lone


@pytest.mark.parametrize("seed", range(3))
def test_best_available_sells_every_seat_and_strands_only_when_it_must(app, seed):
    from webapp.booking.venues import geometry

    rng = random.Random(seed)
    event = make_event(rows=4, seats_per_row=7, aisles_after=[3], no_orphans=True)
    layout = geometry.layout_of(event.id)
    for customer in range(100):
        left = len(free_labels(event))
        if not left:
            break
        size = min(rng.randint(1, 4), left)
        could_avoid = strict_window_exists(event.id, layout, size)
        before = stranded(event)
        hold_best_available(event.id, f"c{customer}", size)  # never sold_out: seats are left
        if could_avoid:
            assert stranded(event) <= before, "stranded a seat though a pick of its size did not"
    assert free_labels(event) == set()


def test_the_advice_never_names_one_seat_twice():
    """Issue 29 (also): "pick C1 too, or C1 instead"."""
    from webapp.booking.holds.orphans import advice
    from webapp.booking.venues.geometry import Geo

    run = [Geo(i, "Stalls", "C", i, 0, 1000, f"C{i}", "seat", i) for i in (1, 2, 3)]
    # C3 is taken; C2 picked strands C1; the other pick found was C1 itself.
    said = advice(run, {1, 2}, [2], 1, "C1")
    assert said == "pick C1 too"
