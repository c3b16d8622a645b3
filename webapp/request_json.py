"""JSON request bodies: the object a route expects, or a clear 415 / 422 (never a 500
from a list, a number or a null where an object was wanted)."""

from __future__ import annotations

from flask import request

from webapp.booking.errors import BookingError

NULLABLE = {"section"}  # fields that may be null (the API's openapi.yaml)


def json_body(*shapes: set[str]) -> dict:
    """The request's JSON object, or a clear refusal (415 or 422).

    Args:
        shapes: the allowed sets of field names; a body must fit within one of them.
    """
    if not request.is_json:
        raise BookingError("unsupported_media_type")
    body = request.get_json(silent=True)
    if body is None:
        raise BookingError("invalid_input", "The request body is not valid JSON.")
    if not isinstance(body, dict):
        raise BookingError("invalid_input", "The request body must be a JSON object.")
    if shapes and not any(set(body) <= shape for shape in shapes):
        unknown = sorted(set(body) - set().union(*shapes))
        hint = f"Unknown field(s): {', '.join(map(repr, unknown))}. " if unknown else ""
        raise BookingError(
            "invalid_input",
            hint
            + "Send "
            + " or ".join("{" + ", ".join(sorted(shape)) + "}" for shape in shapes)
            + ".",
        )
    nulls = sorted(k for k, v in body.items() if v is None and k not in NULLABLE)
    if nulls:  # null means "not given" only where openapi.yaml says nullable
        raise BookingError("invalid_input", f"{', '.join(map(repr, nulls))} cannot be null.")
    return body
