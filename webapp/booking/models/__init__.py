"""Tables, one module per room that owns them; every model is importable from here.
What guards a seat against a second sale is in bookings.py."""

from webapp.booking.models.bookings import (
    ACTIVE_STATUSES,
    BOOKING_STATUSES,
    Booking,
    BookingEvent,
    BookingSeat,
    IdempotencyRecord,
    OutboxMessage,
    Payment,
    PaymentEvent,
)
from webapp.booking.models.clock import utcnow
from webapp.booking.models.onsale import (
    WAITLIST_STATUSES,
    PresaleCode,
    PresaleRedemption,
    WaitlistEntry,
)
from webapp.booking.models.staff import CheckIn, StaffAction
from webapp.booking.models.venues import SEAT_KINDS, Event, Seat, TicketType, Venue

__all__ = [
    "ACTIVE_STATUSES",
    "BOOKING_STATUSES",
    "SEAT_KINDS",
    "WAITLIST_STATUSES",
    "Booking",
    "BookingEvent",
    "BookingSeat",
    "CheckIn",
    "Event",
    "IdempotencyRecord",
    "OutboxMessage",
    "Payment",
    "PaymentEvent",
    "PresaleCode",
    "PresaleRedemption",
    "Seat",
    "StaffAction",
    "TicketType",
    "Venue",
    "WaitlistEntry",
    "utcnow",
]
