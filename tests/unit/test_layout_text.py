"""Venue layouts from text: what is accepted and how mistakes are explained."""

import pytest

from webapp.booking.layout_text import parse_layout


def test_parses_sections_rows_aisles_and_prices():
    parsed = parse_layout(
        "# theatre\nStalls: rows A-C, 10 seats, aisle after 5, £45\n\n"
        "Circle: rows 1-2, 8 seats, aisles after 2 and 6, 25.50"
    )
    assert parsed.errors == []
    stalls, circle = parsed.sections
    assert stalls.rows == ["A", "B", "C"] and stalls.seats_per_row == 10
    assert stalls.aisles_after == [5] and stalls.price_cents == 4500
    assert circle.rows == ["1", "2"] and circle.aisles_after == [2, 6]
    assert circle.price_cents == 2550


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("", "at least one section"),
        ("Stalls rows A-C", "Line 1: start with the section name"),
        ("Stalls: rows C-A, 10 seats", "must run forward"),
        ("Stalls: rows A-C", "needs rows"),
        ("Stalls: rows A-C, 10 seats, balcony", "I don't understand 'balcony'"),
        ("Stalls: rows A-C, 10 seats, aisle after 10", "aisle must come after a seat"),
        ("A: rows A-B, 5 seats\nA: rows C-D, 5 seats", "already a section called 'A'"),
        ("A: rows A-B, 5 seats\nB: rows B-C, 5 seats", "same row names"),
        ("A: rows 1-999, 999 seats", "the limit is"),
    ],
)
def test_errors_name_the_line_and_the_fix(text, fragment):
    assert any(fragment in e for e in parse_layout(text).errors)
