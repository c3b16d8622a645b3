"""Venue layouts written as text, one section a line, with errors a person can fix.

    Stalls: rows A-H, 20 seats, aisle after 10, £45
    Circle: rows J-M, 18 seats, aisle after 6 and 12, £25.50, child £12, concession £18
    Boxes: rows P-Q, 6 seats, £60, wheelchair P1 P2, companion P3, restricted view Q5-Q6
    Floor: standing 500, £30
    Block A: rows A1-A25, 40 seats, aisle after 20, £90, at 0 -160, turned 0
    # comments and blank lines are ignored

Rows are an inclusive range of letters (A-H), numbers (1-25) or numbers after a
prefix (A1-A25). The price is optional; events may set prices per section when they
are created. `at X Y` places the section's centre on the venue plan, in seat widths
from the centre of the stage (y grows away from it), and `turned D` turns it D
degrees clockwise; sections without a place are set out in rows below the stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.booking.venues.venues import SectionLayout, seat_label

LINE = re.compile(r"^(?P<name>[^:]{1,50}):\s*(?P<rest>.+)$")
ROW = r"[A-Za-z]|[A-Za-z]{0,3}\d{1,3}"
ROWS = re.compile(rf"^rows\s+(?P<a>{ROW})\s*-\s*(?P<b>{ROW})$", re.I)
PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z]{0,3})(?P<n>\d{1,3})$")
AT = re.compile(r"^at\s+(?P<x>-?\d{1,4}(?:\.\d+)?)\s*[, ]\s*(?P<y>-?\d{1,4}(?:\.\d+)?)$", re.I)
TURNED = re.compile(r"^turned\s+(?P<d>-?\d{1,3}(?:\.\d+)?)$", re.I)
SEATS = re.compile(r"^(?P<n>\d{1,3})\s+seats?$", re.I)
AISLE = re.compile(r"^aisles?\s+after\s+(?P<list>\d+(?:\s*(?:,|and)\s*\d+)*)$", re.I)
PRICE = re.compile(r"^£?\s*(?P<p>\d{1,5}(?:\.\d{1,2})?)$")
STANDING = re.compile(r"^standing\s+(?P<n>\d{1,5})$", re.I)
ATTRIBUTE = re.compile(r"^(?P<kind>wheelchair|companion|restricted view)\s+(?P<list>.+)$", re.I)
TICKET = re.compile(r"^(?P<code>child|concession)\s+£?\s*(?P<p>\d{1,5}(?:\.\d{1,2})?)$", re.I)
SPAN = re.compile(r"^(?P<row>[A-Za-z]+|\d+-?)(?P<a>\d+)(?:-(?P=row)?(?P<b>\d+))?$")
MAX_SEATS = 50_000


@dataclass
class ParsedLayout:
    sections: list[SectionLayout]
    errors: list[str]


def _rows(a: str, b: str) -> list[str] | None:
    if a.isalpha() and b.isalpha() and a.upper() <= b.upper():
        return [chr(c) for c in range(ord(a.upper()), ord(b.upper()) + 1)]
    first, last = PREFIXED.match(a), PREFIXED.match(b)
    if not first or not last or first["prefix"].upper() != last["prefix"].upper():
        return None
    prefix, lo, hi = first["prefix"].upper(), int(first["n"]), int(last["n"])
    return [f"{prefix}{n}" for n in range(lo, hi + 1)] if lo <= hi else None


def _labels(spec: str) -> list[str] | None:
    """ "A1 A2 C5-C8" as labels, or None if a part is not a label or a range in one row."""
    labels = []
    for token in spec.split():
        m = SPAN.match(token)
        if not m:
            return None
        first, last = int(m["a"]), int(m["b"] or m["a"])
        labels += [f"{m['row'].upper()}{n}" for n in range(first, last + 1)]
    return labels


def _parse_line(number: int, line: str, errors: list[str]) -> SectionLayout | None:
    match = LINE.match(line)
    if not match:
        errors.append(
            f"Line {number}: start with the section name and a colon, "
            f"e.g. 'Stalls: rows A-H, 20 seats'."
        )
        return None
    name = match["name"].strip()
    found = _read_parts(match["rest"])
    if isinstance(found, str):
        errors.append(f"Line {number}: {found}")
        return None
    problem = _problem(name, found)
    if problem:
        errors.append(f"Line {number}: {problem}")
        return None
    if found["standing"]:
        return SectionLayout(
            name,
            [],
            0,
            found["price"],
            standing=found["standing"],
            ticket_types=found["tickets"],
            at=found["at"],
            turned=found["turned"],
        )
    return SectionLayout(
        name,
        found["rows"],
        found["seats"],
        found["price"],
        aisles_after=found["aisles"],
        ticket_types=found["tickets"],
        at=found["at"],
        turned=found["turned"],
        **found["attributes"],
    )


def _read_parts(rest: str) -> dict | str:
    """The comma-separated parts of a line, or what is wrong with one of them."""
    found: dict = {"rows": None, "seats": None, "aisles": [], "price": 0, "standing": 0}
    found |= {"at": None, "turned": 0.0}
    found["attributes"] = {"wheelchair": [], "companion": [], "restricted": []}
    found["tickets"] = {}
    for part in (p.strip() for p in rest.split(",")):
        if m := ROWS.match(part):
            found["rows"] = _rows(m["a"], m["b"])
            if found["rows"] is None:
                return f"rows '{part}' must run forward, A-H, 1-20 or A1-A20."
        elif m := SEATS.match(part):
            found["seats"] = int(m["n"])
        elif m := AISLE.match(part):
            found["aisles"] = [int(x) for x in re.split(r"\s*(?:,|and)\s*", m["list"])]
        elif m := PRICE.match(part):
            found["price"] = round(float(m["p"]) * 100)
        elif m := STANDING.match(part):
            found["standing"] = int(m["n"])
        elif not _read_extra(part, found):
            return f"I don't understand '{part}'."
    return found


def _read_extra(part: str, found: dict) -> bool:
    """Ticket types, seat attributes and the place on the plan (`at X Y`, `turned D`):
    reads the part into `found` if it is one of them."""
    if m := TICKET.match(part):
        found["tickets"][m["code"].lower()] = round(float(m["p"]) * 100)
    elif (m := ATTRIBUTE.match(part)) and (labels := _labels(m["list"])) is not None:
        found["attributes"][m["kind"].split()[0].lower()] += labels
    elif m := AT.match(part):
        found["at"] = (float(m["x"]), float(m["y"]))
    elif m := TURNED.match(part):
        found["turned"] = float(m["d"]) % 360
    else:
        return False
    return True


def _problem(name: str, found: dict) -> str | None:
    """What makes the parts of a line unusable together, if anything."""
    rows, seats = found["rows"], found["seats"]
    if found["standing"]:
        return "a standing area has a capacity, not rows and seats." if rows or seats else None
    if rows is None or not seats:
        return (
            f"'{name}' needs rows (e.g. 'rows A-H') and seats per row (e.g. '20 seats'), "
            f"or a capacity (e.g. 'standing 500')."
        )
    if any(a < 1 or a >= seats for a in found["aisles"]):
        return f"an aisle must come after a seat between 1 and {seats - 1}."
    known = {seat_label(r, n) for r in rows for n in range(1, seats + 1)}
    unknown = [x for labels in found["attributes"].values() for x in labels if x not in known]
    return f"'{name}' has no seat {unknown[0]}." if unknown else None


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
    total = sum(len(s.rows) * s.seats_per_row + s.standing for s in sections)
    if total > MAX_SEATS:
        errors.append(f"That is {total:,} seats; the limit is {MAX_SEATS:,}.")
    labels = [(s.name, r) for s in sections for r in s.rows]
    if len({r for _, r in labels}) != len(labels):
        errors.append(
            "Two sections use the same row names; seat labels like 'C12' must be unique in a venue."
        )
    return ParsedLayout(sections, errors)
