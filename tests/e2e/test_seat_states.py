"""Issue 29.9: seat states relied on colour alone (yours green and held amber 1.73:1
apart under protanopia; white on sold 3.25:1; held against white 2.49:1). Each state
now has a mark, fills >= 3:1 against the page and numbers >= 4.5:1 against the fill;
axe checks the map with every state on it."""

from __future__ import annotations

import re

from playwright.sync_api import Error, expect

from tests.e2e.helpers import open_event, seat
from tests.e2e.test_list_mode import serious_violations
from tests.factories import confirmed_booking, make_event, seat_by_label
from webapp.booking import hold_seats
from webapp.booking.orders.boxoffice import set_blocked

CONTRAST = """(el) => {
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/\\d+/g).slice(0, 3).map(Number).map(v => v / 255)
      .map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const style = getComputedStyle(el);
  const page = getComputedStyle(document.body).backgroundColor;
  if (!el.isConnected || !style.backgroundColor) return null;  // swapped by a live poll
  return { text: ratio(style.color, style.backgroundColor),
           fill: ratio(style.backgroundColor, page),
           mark: getComputedStyle(el, "::before").content };
}"""


def test_every_seat_state_has_a_mark_enough_contrast_and_passes_axe(server, new_page, app):
    event = make_event(rows=2, seats_per_row=8)
    hold_seats(event.id, "someone", [seat_by_label(event, "B2").id])  # held
    confirmed_booking(event, "buyer", ("B6",))  # booked
    set_blocked(event.id, ["A8"], True)
    page = new_page()
    open_event(page, server, event.id)
    seat(page, "A3").click()
    expect(seat(page, "A3")).to_have_class(re.compile(r"\bmine\b"))
    page.wait_for_timeout(2500)  # the live polls around the click have answered

    def read_figures(label: str) -> dict:
        for _ in range(20):  # a poll may replace the cell while it is read: read it again
            try:
                found = seat(page, label).evaluate(CONTRAST)
            except Error:
                found = None
            if found:
                return found
            page.wait_for_timeout(100)
        raise AssertionError(f"could not read {label}'s style")

    found = {label: read_figures(label) for label in ("A3", "B2", "B6", "A8", "A1")}
    for label, figures in found.items():
        if label != "A1":  # a free seat is white with a 3.7:1 border
            assert figures["fill"] >= 3, (label, figures)
        assert figures["text"] >= 4.5, (label, figures)
    assert found["A3"]["mark"] == '"✓"' and found["B6"]["mark"] == '"✕"'
    held_pattern = seat(page, "B2").evaluate("el => getComputedStyle(el).backgroundImage")
    assert "repeating-linear-gradient" in held_pattern  # stripes, not colour alone
    assert serious_violations(page) == []
