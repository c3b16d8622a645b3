"""Presale codes: staff create them; a customer redeems one for a pass that lets them
buy before general sale or skip the waiting room.

Redeeming is atomic: the use is counted by a conditional UPDATE (`uses < max_uses`) in
the same transaction as the customer's redemption row, which is unique per code and
customer. So a single-use code admits exactly one customer however many try at once,
and redeeming again (a lapsed pass, a second tab) costs no second use.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from webapp.booking.context import redis, session, setting
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys
from webapp.booking.models import Event, PresaleCode, PresaleRedemption, StaffAction, utcnow
from webapp.booking.onsale import passes, room, room_settings
from webapp.database import write_transaction

CODE = re.compile(r"^[A-Z0-9-]{4,40}$")  # what redeeming accepts (older codes were 4+)
NEW_CODE = re.compile(r"^[A-Z0-9-]{8,40}$")  # what staff may create: 8 or more
# Generated codes: 12 characters of an alphabet without look-alikes (no 0/O, 1/I/L),
# about 60 bits: guessing one at the rate limit would take longer than any presale.
GENERATED_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
FAILURES_KEPT_SECONDS = 7 * 86_400


def generate_code() -> str:
    groups = ("".join(secrets.choice(GENERATED_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def normalise(code: object) -> str:
    """Codes are compared without case or surrounding spaces."""
    return code.strip().upper() if isinstance(code, str) else ""


def create_code(
    event_id: int,
    code: object,
    max_uses: int,
    seat_cap: int,
    valid_from: datetime | None,
    valid_until: datetime | None,
    actor: str,
) -> PresaleCode:
    """A new presale code (recorded in the staff audit trail).

    Raises:
        BookingError: invalid_input with what to fix.
    """
    text = normalise(code) or generate_code()  # left empty: one is made up
    if not NEW_CODE.match(text):
        raise BookingError(
            "invalid_input",
            "A code is 8 to 40 letters, digits or dashes (or leave it empty for a generated one).",
        )
    if not 1 <= max_uses <= 1_000_000:
        raise BookingError("invalid_input", "Uses must be between 1 and 1,000,000.")
    if not 1 <= seat_cap <= setting("MAX_SEATS_PER_CUSTOMER"):
        limit = setting("MAX_SEATS_PER_CUSTOMER")
        raise BookingError("invalid_input", f"The seat cap must be between 1 and {limit}.")
    if valid_from and valid_until and valid_until <= valid_from:
        raise BookingError("invalid_input", "'Valid until' must come after 'valid from'.")
    try:
        with write_transaction(session()) as s:
            if s.get(Event, event_id) is None:
                raise BookingError("event_not_found")
            found = PresaleCode(
                event_id=event_id,
                code=text,
                max_uses=max_uses,
                uses=0,
                seat_cap=seat_cap,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            s.add(found)
            detail = f"{text}: {max_uses} use(s), {seat_cap} seat(s) each"
            s.add(StaffAction(event_id=event_id, actor=actor, action="presale code", detail=detail))
    except IntegrityError:
        raise BookingError("invalid_input", f"The event already has a code {text}.") from None
    return found


def redeem(event_id: int, customer: str, code: object, client: str = "unknown") -> str:
    """Redeem a code for this customer: returns the signed pass token. A wrong code is
    counted against the client's address for staff to see (failed_attempts).

    Raises:
        BookingError: code_not_found, code_not_valid_now, code_used_up.
    """
    try:
        try:
            cap, until = _use(event_id, customer, normalise(code))
        except IntegrityError:  # the same customer redeemed it at the same moment elsewhere
            cap, until = _use(event_id, customer, normalise(code))
    except BookingError as exc:
        if exc.code == "code_not_found":
            _count_failure(event_id, client)
        raise
    expires = room.now_ms() + room.settings(event_id).pass_ms
    if until is not None:
        expires = min(expires, room_settings.to_ms(until))
    return passes.issue(customer, event_id, expires, cap, "presale")


def _use(event_id: int, customer: str, text: str) -> tuple[int, datetime | None]:
    """Count this customer's use of the code (once): its seat cap and end."""
    if not CODE.match(text):  # before any query: PostgreSQL refuses NUL bytes in text
        raise BookingError("code_not_found")
    now = utcnow()
    with write_transaction(session()) as s:
        found = s.scalar(
            select(PresaleCode).where(PresaleCode.event_id == event_id, PresaleCode.code == text)
        )
        if found is None:
            raise BookingError("code_not_found")
        if (found.valid_from and now < found.valid_from) or (
            found.valid_until and now >= found.valid_until
        ):
            raise BookingError(
                "code_not_valid_now",
                valid_from=_when(found.valid_from, "now"),
                valid_until=_when(found.valid_until, "the end of the sale"),
            )
        again = s.scalar(
            select(PresaleRedemption.id).where(
                PresaleRedemption.code_id == found.id, PresaleRedemption.customer_id == customer
            )
        )
        if again is None:
            used = s.execute(
                update(PresaleCode)
                .where(PresaleCode.id == found.id, PresaleCode.uses < PresaleCode.max_uses)
                .values(uses=PresaleCode.uses + 1)
            )
            if used.rowcount != 1:
                raise BookingError("code_used_up")
            s.add(PresaleRedemption(code_id=found.id, customer_id=customer))
        return found.seat_cap, found.valid_until


def _count_failure(event_id: int, client: str) -> None:
    pipe = redis().pipeline(transaction=False)
    pipe.hincrby(keys.presale_failures(event_id), client[:64], 1)
    pipe.hincrby(keys.presale_failures(event_id), "total", 1)
    pipe.expire(keys.presale_failures(event_id), FAILURES_KEPT_SECONDS)
    pipe.execute()


@dataclass(frozen=True)
class Failures:
    total: int
    by_address: list[tuple[str, int]]  # the most active first


def failed_attempts(event_id: int, top: int = 5) -> Failures:
    """Wrong codes tried for the event in the last week (since the last one), and from
    where: what the staff room page shows."""
    counts = {k: int(v) for k, v in redis().hgetall(keys.presale_failures(event_id)).items()}
    total = counts.pop("total", 0)
    ranked = sorted(counts.items(), key=lambda item: -item[1])[:top]
    return Failures(total, ranked)


def _when(moment: datetime | None, otherwise: str) -> str:
    return moment.strftime("%d %B %Y, %H:%M UTC") if moment else otherwise


def codes(event_id: int) -> list[PresaleCode]:
    """The event's codes, newest first (staff)."""
    return list(
        session().scalars(
            select(PresaleCode)
            .where(PresaleCode.event_id == event_id)
            .order_by(PresaleCode.id.desc())
        )
    )
