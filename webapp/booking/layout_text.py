"""Venue layouts written as text, one section a line, with errors a person can fix.

    Stalls: rows A-H, 20 seats, aisle after 10, £45
    Circle: rows J-M, 18 seats, aisle after 6 and 12, £25.50
    # comments and blank lines are ignored

Rows are an inclusive range of letters (A-H) or numbers (1-25). The price is
optional; events may set prices per section when they are created.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.booking.layout import SectionLayout

LINE = re.compile(r"^(?P<name>[^:]{1,50}):\s*(?P<rest>.+)$")
ROWS = re.compile(r"^rows\s+(?P<a>[A-Za-z]|\d{1,3})\s*-\s*(?P<b>[A-Za-z]|\d{1,3})$", re.I)
SEATS = re.compile(r"^(?P<n>\d{1,3})\s+seats?$", re.I)
AISLE = re.compile(r"^aisles?\s+after\s+(?P<list>\d+(?:\s*(?:,|and)\s*\d+)*)$", re.I)
PRICE = re.compile(r"^£?\s*(?P<p>\d{1,5}(?:\.\d{1,2})?)$")
MAX_SEATS = 50_000


@dataclass
class ParsedLayout:
    sections: list[SectionLayout]
    errors: list[str]


def _rows(a: str, b: str) -> list[str] | None:
    if a.isdigit() and b.isdigit() and int(a) <= int(b):
        return [str(n) for n in range(int(a), int(b) + 1)]
    if a.isalpha() and b.isalpha() and a.upper() <= b.upper():
        return [chr(c) for c in range(ord(a.upper()), ord(b.upper()) + 1)]
    return None


def _parse_line(number: int, line: str, errors: list[str]) -> SectionLayout | None:
    match = LINE.match(line)
    if not match:
        errors.append(
            f"Line {number}: start with the section name and a colon, "
            f"e.g. 'Stalls: rows A-H, 20 seats'."
        )
        return None
    name = match["name"].strip()
    rows, seats, aisles, price = None, None, [], 0
    for part in (p.strip() for p in match["rest"].split(",")):
        if m := ROWS.match(part):
            rows = _rows(m["a"], m["b"])
            if rows is None:
                errors.append(f"Line {number}: rows '{part}' must run forward, A-H or 1-20.")
                return None
        elif m := SEATS.match(part):
            seats = int(m["n"])
        elif m := AISLE.match(part):
            aisles = [int(x) for x in re.split(r"\s*(?:,|and)\s*", m["list"])]
        elif m := PRICE.match(part):
            price = round(float(m["p"]) * 100)
        else:
            errors.append(f"Line {number}: I don't understand '{part}'.")
            return None
    if rows is None or not seats:
        errors.append(
            f"Line {number}: '{name}' needs rows (e.g. 'rows A-H') and seats "
            f"per row (e.g. '20 seats')."
        )
        return None
    if any(a < 1 or a >= seats for a in aisles):
        errors.append(f"Line {number}: an aisle must come after a seat between 1 and {seats - 1}.")
        return None
    return SectionLayout(name, rows, seats, price, aisles_after=aisles)


def parse_layout(text: str) -> ParsedLayout:
    """Parse a layout description; `errors` is empty when it is usable."""
    sections: list[SectionLayout] = []
    errors: list[str] = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        section = _parse_line(number, line, errors)
        if section is not None:
            if any(s.name == section.name for s in sections):
                errors.append(f"Line {number}: there is already a section called '{section.name}'.")
            sections.append(section)
    if not sections and not errors:
        errors.append("Describe at least one section.")
    total = sum(len(s.rows) * s.seats_per_row for s in sections)
    if total > MAX_SEATS:
        errors.append(f"That is {total:,} seats; the limit is {MAX_SEATS:,}.")
    labels = [(s.name, r) for s in sections for r in s.rows]
    if len({r for _, r in labels}) != len(labels):
        errors.append(
            "Two sections use the same row names; seat labels like 'C12' must be unique in a venue."
        )
    return ParsedLayout(sections, errors)
