"""What a hold request may ask for: checked before anything reaches Redis."""

from __future__ import annotations

from webapp.booking.context import setting
from webapp.booking.errors import BookingError
from webapp.booking.venues import geometry, inventory


def seat_ids(value: object, allow_empty: bool = False) -> list[int]:
    """Distinct positive seat ids, at most MAX_SEATS_PER_CUSTOMER of them."""
    if not isinstance(value, list) or not (value or allow_empty):
        raise BookingError("invalid_input", "Choose at least one seat.")
    if not all(
        isinstance(s, int) and not isinstance(s, bool) and 0 < s <= inventory.MAX_ID for s in value
    ):
        raise BookingError("invalid_input", "Seat ids must be positive whole numbers.")
    if len(set(value)) != len(value):
        raise BookingError("invalid_input", "Each seat can be chosen only once.")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    if len(value) > limit:
        raise BookingError("seat_limit", limit=limit)
    return value


def standing(value: object) -> dict[str, int]:
    """{area name: places}, each a positive whole number; {} when not asked for."""
    if value is None:
        return {}
    if (
        not isinstance(value, dict)
        or not value
        or not all(
            isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) and v > 0
            for k, v in value.items()
        )
    ):
        raise BookingError(
            "invalid_input", "Standing places must be given as {area name: number of places}."
        )
    return value


def quantity(value: object) -> int:
    """A whole number of seats from 1 to MAX_SEATS_PER_CUSTOMER."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BookingError("invalid_input", "Quantity must be a whole number of at least 1.")
    limit = setting("MAX_SEATS_PER_CUSTOMER")
    if value > limit:
        raise BookingError("seat_limit", limit=limit)
    return value


def section(value: object) -> str | None:
    """A section's name, or None for anywhere (whether it exists is checked against
    the event's geometry)."""
    if value is not None and not isinstance(value, str):
        raise BookingError("invalid_input", "Section must be a name.")
    return value


def max_price(value: object) -> int | None:
    """A price ceiling in cents (a whole number of at least 1), or None for any price."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BookingError(
            "invalid_input", "The highest price must be a whole number of cents, at least 1."
        )
    return value


def wheelchair(value: object) -> bool:
    """Whether wheelchair spaces are asked for: true or false, nothing else."""
    if not isinstance(value, bool):
        raise BookingError("invalid_input", "Wheelchair must be true or false.")
    return value


def check_seats(layout: geometry.EventLayout, ids: list[int], areas: dict[str, int]) -> None:
    """The seats are this event's seats (not standing places) and the areas exist.

    The cached geometry answers this; whether a seat is free, sold or blocked is
    Redis's to say (hold.lua), and why it refused is the refusal's (refusals.py).
    """
    foreign = [s for s in ids if layout.seat(s) is None]
    if foreign:
        raise BookingError("foreign_seats", ids=foreign)
    if any(layout.seat(s).kind == "standing" for s in ids):
        raise BookingError("invalid_input", "Standing places are chosen by number, not by id.")
    unknown = [area for area in areas if area not in layout.standing_areas()]
    if unknown:
        raise BookingError("section_not_found", section=unknown[0])
