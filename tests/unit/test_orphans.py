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
    from webapp.booking import layouts
    from webapp.extensions import db

    db.session.commit()
    layouts.clear()
    hold_seats(event.id, "alice", ids(event, "A6", "A7"))  # far from A1: allowed


def test_the_rule_can_be_switched_off_per_event(app):
    event = make_event(rows=1, seats_per_row=10, no_orphans=False)
    hold_seats(event.id, "alice", ids(event, "A2"))
    assert "A2" not in free_labels(event)


def test_a_pick_that_fills_the_rest_of_a_row_is_allowed(app):
    event = make_event(rows=1, seats_per_row=5, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A1", "A2"))
    assert refusal(event, "carol", "A4", "A5").details["seat"] == "A3"
    hold_seats(event.id, "alice", ids(event, "A3", "A4", "A5"))
    assert free_labels(event) == set()


def test_advice_when_no_shift_is_possible(app):
    event = make_event(rows=1, seats_per_row=3, no_orphans=True)
    err = refusal(event, "alice", "A1", "A2")
    assert err.message == "That would leave A3 on its own — pick A3 too."


def test_best_available_skips_picks_that_strand_a_seat(app):
    event = make_event(rows=2, seats_per_row=5, no_orphans=True)
    hold_seats(event.id, "bob", ids(event, "A1", "A2"))
    # A3-A4 would strand A5; A4-A5 leaves A3 alone; so the pair goes to row B.
    hold = hold_best_available(event.id, "alice", 2)
    picked = {s.label for s in seat_states(event.id, "alice").seats if s.status == "mine"}
    assert len(hold.seat_ids) == 2 and picked <= {f"B{n}" for n in range(1, 6)}


@pytest.mark.parametrize("seed", range(3))
def test_best_available_never_leaves_orphans_until_sold_out(app, seed):
    rng = random.Random(seed)
    event = make_event(rows=4, seats_per_row=7, aisles_after=[3], no_orphans=True)
    customers = 0
    while True:
        customers += 1
        try:
            hold_best_available(event.id, f"c{customers}", rng.randint(1, 4))
        except BookingError as exc:
            assert exc.code == "sold_out"
            if not free_labels(event) or customers > 60:
                break
            continue
        states = {(s.row, s.number): s.status for s in seat_states(event.id).seats}
        for (row, number), status in states.items():
            if status != "available":
                continue
            run_edge = {3: "right", 4: "left"}.get(number)
            left = states.get((row, number - 1)) if run_edge != "left" else None
            right = states.get((row, number + 1)) if run_edge != "right" else None
            assert left == "available" or right == "available", f"{row}{number} stranded"
