"""Issue 29.6: messages were inserted above the title on a desktop (the map moved 42 px
under the pointer) and never went away. Now they are toasts at every size: the layout
does not move, the live region announces them, and they go after a while."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_event, seat
from tests.e2e.test_phone import DESKTOP, PHONE
from tests.factories import make_event, seat_by_label
from webapp.booking import hold_seats


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_message_floats_without_moving_the_map_and_goes(server, device, app, size):  # noqa: F811
    event = make_event(rows=3, seats_per_row=12)
    page = device(size)
    page.clock.install()
    open_event(page, server, event.id)
    hold_seats(event.id, "someone", [seat_by_label(event, "C12").id])
    target = seat(page, "B5")
    before = target.bounding_box()
    seat(page, "C12").click(force=True)  # taken since the page was drawn
    message = page.locator("#flash p.error")
    expect(message).to_contain_text("someone just took C12", ignore_case=True)
    assert page.locator("#flash").get_attribute("aria-live") == "polite"
    after = target.bounding_box()
    assert abs(after["y"] - before["y"]) < 1 and abs(after["x"] - before["x"]) < 1
    box = message.bounding_box()
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["viewport"]["height"]  # on screen
    page.clock.fast_forward("00:16")
    expect(page.locator("#flash")).to_be_hidden()
