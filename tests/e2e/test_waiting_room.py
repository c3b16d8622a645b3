"""Two browsers in a waiting room behind the real worker and scheduler: the first is let
in, reaches the seat map and holds a seat; the second sees its place fall, then gets in."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.helpers import seat
from tests.e2e.test_list_mode import serious_violations
from tests.factories import make_event
from webapp.booking.models import Event
from webapp.booking.onsale import room
from webapp.extensions import db


def test_two_browsers_wait_and_are_let_in_in_turn(server, new_page, app):
    event = make_event(rows=4, seats_per_row=10, price_cents=3000)
    row = db.session.get(Event, event.id)
    row.waiting_room, row.admit_per_minute = True, 6  # one every 10 s
    db.session.commit()
    room.forget(event.id)
    first, second = new_page(), new_page()
    first.goto(f"{server}/events/{event.id}")
    expect(first).to_have_url(re.compile(r"/queue$"))
    expect(first.locator(".queue-place")).to_contain_text("1 of 1")
    second.goto(f"{server}/events/{event.id}")
    expect(second.locator(".queue-place")).to_contain_text("2 of 2")
    expect(second.get_by_text("People ahead of you: 1")).to_be_visible()
    assert serious_violations(second) == []  # the queue page, for screen readers too
    # The scheduler's admitter lets the first in; its page goes to the seats by itself.
    expect(first).to_have_url(re.compile(rf"/events/{event.id}$"), timeout=30_000)
    expect(first.locator("#flash")).to_contain_text("your turn")
    seat(first, "B5").click()
    expect(seat(first, "B5")).to_have_class(re.compile(r"\bmine\b"))
    # Meanwhile the second's place falls, then it is let in too.
    expect(second.get_by_text("People ahead of you: 0")).to_be_visible(timeout=20_000)
    expect(second).to_have_url(re.compile(rf"/events/{event.id}$"), timeout=30_000)
    expect(seat(second, "B5")).to_have_class(re.compile(r"\bheld\b"))
    seat(second, "C5").click()
    expect(seat(second, "C5")).to_have_class(re.compile(r"\bmine\b"))
