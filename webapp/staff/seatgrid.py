"""The staff seat map's layout: sections in the venue's order (front first, as the
customer map has them), each row in order with its label, seats left to right."""

from __future__ import annotations

from collections.abc import Iterable


def sections_of(seats: Iterable) -> list[tuple[str, list[tuple[str, list]]]]:
    """[(section, [(row label, seats left to right)])], in the order seats come (the
    seat map's: front to back), not alphabetical (Jinja's groupby put Circle first)."""
    sections: dict[str, dict[tuple, list]] = {}
    for seat in seats:
        rows = sections.setdefault(seat.section, {})
        rows.setdefault((seat.y, seat.row), []).append(seat)
    return [
        (name, [(row, sorted(in_row, key=lambda s: s.x)) for (_, row), in_row in rows.items()])
        for name, rows in sections.items()
    ]
