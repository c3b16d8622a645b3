"""The link that opens a booking on any device: the booking's page with a token signed
under SECRET_KEY (itsdangerous) and bound to that booking, as the tickets email carries
it. "Find my booking" emails it again (booking_mail.send_link)."""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from webapp.booking.context import public_url, session, setting
from webapp.booking.models import Booking


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(setting("SECRET_KEY"), salt="booking-link")


def token_for(booking: Booking) -> str:
    """The token of this booking's link (reference and row id: bound to this booking)."""
    return _serializer().dumps([booking.reference, booking.id])


def opens(token: object, reference: str) -> bool:
    """Whether `token` is a genuine link token of the booking `reference`."""
    if not isinstance(token, str) or len(token) > 200:
        return False
    try:
        ref, booking_id = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return False
    if ref != reference:
        return False
    found = session().scalar(select(Booking.id).where(Booking.reference == reference))
    return found == booking_id


def link(booking: Booking) -> str:
    """The booking's page, openable anywhere (for emails)."""
    return public_url(f"/bookings/{booking.reference}?k={token_for(booking)}")
