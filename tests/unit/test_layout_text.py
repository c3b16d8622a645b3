"""Venue layouts from text: what is accepted and how mistakes are explained."""

import pytest

from webapp.booking.venues.layout_text import parse_layout


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


def test_prefixed_rows_and_plan_places():
    parsed = parse_layout(
        "Block A: rows A1-A3, 40 seats, aisle after 20, £90, at -12.5 150, turned 350\n"
        "Block B: rows B1-B2, 10 seats"
    )
    assert parsed.errors == []
    a, b = parsed.sections
    assert a.rows == ["A1", "A2", "A3"] and a.at == (-12.5, 150.0) and a.turned == 350.0
    assert b.at is None and b.turned == 0.0
    assert "must run forward" in parse_layout("X: rows A3-A1, 5 seats").errors[0]
    assert "must run forward" in parse_layout("X: rows A1-B3, 5 seats").errors[0]


def test_described_layout_reads_back_with_its_places():
    """The demo arena's venue text (what staff reuse for a new event) parses back to
    the same sections and places: before prefixed rows it did not parse at all."""
    from webapp.booking.venues.venues import describe
    from webapp.seed import arena_layout

    sections = arena_layout()
    parsed = parse_layout(describe(sections))
    assert parsed.errors == []
    assert [(s.name, s.rows, s.at, s.turned) for s in parsed.sections] == [
        (s.name, s.rows, s.at, s.turned) for s in sections
    ]
