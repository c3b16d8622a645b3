"""The one error type of the booking domain, with the messages people read."""

from __future__ import annotations

from typing import Any

# code -> (HTTP status, message shown to a person)
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_input": (422, "The request was not understood."),
    "payload_too_large": (413, "The request body is larger than {limit} bytes."),
    "unsupported_media_type": (415, "Send the body as JSON with Content-Type: application/json."),
    "event_not_found": (404, "That event does not exist."),
    "section_not_found": (404, "This event has no section called {section!r}."),
    "seats_unavailable": (409, "Sorry, someone just took {labels}. Please pick other seats."),
    "seats_blocked": (409, "{labels} cannot be sold for this event."),
    "foreign_seats": (404, "Seat ids {ids} are not seats of this event."),
    "orphan_seat": (409, "That would leave {seat} on its own — {advice}."),
    "standing_full": (409, "Sorry, only {left} standing places are left in {area}."),
    "ticket_type_unknown": (409, "{label} can be booked as {offered} only."),
    "not_sold_out": (
        409,
        "There are still {left} seats on sale: pick them now instead of waiting.",
    ),
    "offer_not_found": (404, "That waiting-list link is not valid."),
    "offer_lapsed": (
        410,
        "This offer has lapsed and the seats went to the next person in line.",
    ),
    "offer_claimed": (
        409,
        "This offer was already taken up from another browser; only that browser can complete it.",
    ),
    "queue_address_limit": (
        429,
        "Too many places in this waiting room were taken from your network address "
        "(at most {limit}). Keep the page you have open: it keeps your place.",
    ),
    "queue_required": (
        403,
        "This on-sale has a waiting room: join the line and you will be let in to choose seats.",
    ),
    "sale_not_open": (
        403,
        "Sales open on {opens}. If you have a presale code, enter it on the event page.",
    ),
    "code_not_found": (404, "That presale code is not valid for this event."),
    "code_used_up": (409, "That presale code has been used as many times as it allows."),
    "code_not_valid_now": (
        403,
        "That presale code is valid from {valid_from} until {valid_until}.",
    ),
    "sold_out": (409, "Sorry, there are not enough seats left together or apart."),
    "sold_out_at_price": (
        409,
        "Sorry, there are not enough seats left at {price} or less. Try a higher price.",
    ),
    "seat_limit": (409, "You can have at most {limit} seats for this event."),
    "address_limit": (
        429,
        "At most {limit} seats can be held for this event from your network at once. "
        "Finish or release a basket, or try again when a hold lapses.",
    ),
    "hold_not_found": (404, "That hold does not exist or is not yours."),
    "hold_expired": (410, "Your hold has lapsed and the seats went back on sale."),
    "hold_checked_out": (409, "These seats are already in checkout."),
    "basket_empty": (410, "Your basket is empty or your hold has lapsed. Pick your seats again."),
    "already_extended": (409, "A hold can be extended only once."),
    "booking_not_found": (404, "That booking does not exist or is not yours."),
    "payment_not_found": (404, "That payment does not exist."),
    "staff_not_found": (404, "There is no such staff account."),
    "invite_invalid": (
        410,
        "This invitation link is not valid any more (used, lapsed or mistyped): "
        "ask an admin for a new one.",
    ),
    "payment_closed": (
        409,
        "This booking can no longer be paid: {why} Nothing was charged.",
    ),
    "payment_unavailable": (
        503,
        "The card payment service did not answer. Nothing was charged; please try again.",
    ),
    "idempotency_key_missing": (400, "Send an Idempotency-Key header with this request."),
    "idempotency_key_invalid": (400, "The Idempotency-Key must be 1 to 255 visible characters."),
    "idempotency_mismatch": (
        422,
        "This Idempotency-Key was already used with a different request.",
    ),
    "idempotency_in_flight": (
        409,
        "A request with this Idempotency-Key is still being processed; retry shortly.",
    ),
}

# The heading of the page a refusal is shown on, where its status number says little.
PAGE_TITLES: dict[str, str] = {
    "offer_not_found": "This offer has ended",
    "offer_lapsed": "This offer has ended",
    "offer_claimed": "This offer has ended",
}


class BookingError(Exception):
    """A refusal by the domain: `code` names it, `status` and `message` explain it.

    Args:
        code: a key of ERRORS.
        message: overrides the table's message when given.
        **details: values for the message template and extra fields for API clients.
    """

    def __init__(self, code: str, message: str | None = None, **details: Any) -> None:
        status, template = ERRORS[code]
        self.code = code
        self.status = status
        self.details = details
        self.message = message or template.format(**{k: _fmt(v) for k, v in details.items()})
        self.title = PAGE_TITLES.get(code)
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        """The JSON error body: `{"error", "message", ...details}`."""
        return {"error": self.code, "message": self.message, **self.details}


def _fmt(value: Any) -> Any:
    """Render lists in messages as 'A1, A2 and A3'."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
    return value
