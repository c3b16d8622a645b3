"""A hold with a short TTL lapses in front of the customer and for everyone else."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat
from tests.factories import make_event


@pytest.fixture
def e2e_env():
    return {"HOLD_TTL_SECONDS": "4"}


def test_short_hold_lapses_and_seat_returns_for_both(server, new_page, app):
    event = make_event(rows=2, seats_per_row=8)
    alice, bob = new_page(), new_page()
    open_event(alice, server, event.id)
    open_event(bob, server, event.id)
    seat(alice, "A3").click()
    expect(seat(alice, "A3")).to_have_class(re.compile(r"\bmine\b"))
    expect(seat(bob, "A3")).to_have_class(re.compile(r"\bheld\b"), timeout=2000)
    expect(alice.locator(".countdown")).to_contain_text("lapsed", timeout=6000)
    expect(seat(alice, "A3")).to_have_class(re.compile(r"\bavailable\b"), timeout=3000)
    expect(seat(bob, "A3")).to_have_class(re.compile(r"\bavailable\b"), timeout=3000)
