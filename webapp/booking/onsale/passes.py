"""Signed passes: proof that a customer may shop an event now (admitted from the
waiting room, or holding a presale code).

A pass is signed with SECRET_KEY (itsdangerous) and names the customer, the event,
when it lapses and how many seats its holder may buy, so it cannot be forged, used by
another customer, used for another event or used after it lapses; checking one needs
no database or Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from webapp.booking.context import setting

SALT = "holdfast-pass-v1"


@dataclass(frozen=True)
class Pass:
    customer: str
    event_id: int
    expires_ms: int
    seat_cap: int  # 0: the usual per-customer limit
    kind: str  # "queue" or "presale"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(setting("SECRET_KEY"), salt=SALT)


def issue(customer: str, event_id: int, expires_ms: int, seat_cap: int = 0, kind: str = "queue"):
    """A signed pass token."""
    return _signer().dumps([customer, event_id, int(expires_ms), seat_cap, kind])


def verify(token: object, customer: str, event_id: int, now_ms: int) -> Pass | None:
    """The pass if `token` is a genuine, live pass of this customer for this event."""
    if not isinstance(token, str) or len(token) > 500:
        return None
    try:
        fields = _signer().loads(token)
        found = Pass(str(fields[0]), int(fields[1]), int(fields[2]), int(fields[3]), str(fields[4]))
    except (BadSignature, ValueError, TypeError, IndexError):
        return None
    if found.customer != customer or found.event_id != event_id or found.expires_ms <= now_ms:
        return None
    return found
