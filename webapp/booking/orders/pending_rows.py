"""A checkout's rows (the pending booking, its seats, its charge, the audit entry and the
idempotency answer), written together or not at all.

On PostgreSQL they are one statement (the booking inserted in a WITH clause, the other
rows inserted from its new id), run as its own transaction: one round trip to the
database where five INSERTs with their BEGIN and COMMIT were seven, in the request every
buyer of an on-sale makes. A unique index that refuses any row (a seat in another
active booking, a second booking of the hold, an answer stored twice) fails the whole
statement, as it failed the transaction. SQLite has no INSERT inside WITH, and no network
between the app and its file, so there the rows stay five INSERTs in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Integer, String, bindparam, func, insert, select, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from webapp.booking.models import Booking, BookingEvent, BookingSeat, IdempotencyRecord, Payment
from webapp.database import single_statement, write_transaction

BOOKINGS, SEATS, PAYMENTS = Booking.__table__, BookingSeat.__table__, Payment.__table__
ENTRIES, ANSWERS = BookingEvent.__table__, IdempotencyRecord.__table__
# Built once: each checkout passes only its values, and the compiled SQL is reused.
INSERT_BOOKING = insert(BOOKINGS).returning(BOOKINGS.c.id)
INSERT_SEATS, INSERT_PAYMENT = insert(SEATS), insert(PAYMENTS)
INSERT_ENTRY, INSERT_ANSWER = insert(ENTRIES), insert(ANSWERS)
SEAT_FIELDS = ("seat_id", "price_cents", "ticket_type")  # the rest is the booking's
# The one statement's parameters are each row's columns under its row's prefix.
PREFIXES = ("b_", "p_", "e_", "r_")  # booking, payment, entry, answer


@dataclass
class PendingRows:
    """What one checkout writes: `seats` are {seat_id, price_cents, ticket_type}; the
    seat, payment and entry rows get the booking's id when it is inserted."""

    booking: dict
    seats: list[dict]
    payment: dict
    entry: dict
    answer: dict


def write(s: Session, rows: PendingRows) -> None:
    """Insert the rows, all or none.

    Raises:
        IntegrityError: a unique index refused a row; nothing was written.
    """
    if s.get_bind().dialect.name == "postgresql":
        with single_statement(s) as conn:
            conn.execute(_one_statement(*_columns(rows)), _statement_values(rows))
        return
    with write_transaction(s):
        conn = s.connection()
        booking_id = conn.execute(INSERT_BOOKING, rows.booking).scalar_one()
        common = {"booking_id": booking_id, "event_id": rows.booking["event_id"]}
        conn.execute(INSERT_SEATS, [{**common, **seat, "active": True} for seat in rows.seats])
        conn.execute(INSERT_PAYMENT, {**rows.payment, "booking_id": booking_id})
        conn.execute(INSERT_ENTRY, {**rows.entry, "booking_id": booking_id})
        conn.execute(INSERT_ANSWER, rows.answer)


def _values(table, prefix: str, names) -> dict:
    """Bound parameters for these columns, typed as the columns are."""
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


def _parts(rows: PendingRows) -> tuple[dict, ...]:
    """The four single rows, in PREFIXES' order, without the booking id the statement
    fills in."""
    parts = (rows.booking, rows.payment, rows.entry, rows.answer)
    return tuple({k: v for k, v in part.items() if k != "booking_id"} for part in parts)


def _columns(rows: PendingRows) -> tuple[tuple[str, ...], ...]:
    """The columns each row gives (the statement is built once for each such shape)."""
    return tuple(tuple(part) for part in _parts(rows))


@cache
def _one_statement(booking_names, payment_names, entry_names, answer_names):
    """WITH booking AS (INSERT ... RETURNING id), seats AS (INSERT ... SELECT from
    booking and the seats' arrays), payment AS (...), entry AS (...) INSERT the answer."""
    b_, p_, e_, r_ = PREFIXES
    booking = insert(BOOKINGS).values(_values(BOOKINGS, b_, booking_names))
    booking = booking.returning(BOOKINGS.c.id).cte("new_booking")
    arrays = [
        bindparam("seat_ids", type_=ARRAY(Integer)),
        bindparam("prices", type_=ARRAY(Integer)),
        bindparam("types", type_=ARRAY(String)),
    ]
    line = func.unnest(*arrays).table_valued(*SEAT_FIELDS).render_derived(name="line")
    seat_rows = select(
        booking.c.id, bindparam(f"{b_}event_id"), *(line.c[f] for f in SEAT_FIELDS), true()
    ).join_from(booking, line, true())
    # The columns left out (the code's form) take the table's server defaults.
    names = ["booking_id", "event_id", *SEAT_FIELDS, "active"]
    seats = insert(SEATS).from_select(names, seat_rows, include_defaults=False).cte("new_seats")
    return (
        insert(ANSWERS)
        .values(_values(ANSWERS, r_, answer_names))
        .add_cte(
            booking,
            seats,
            _child(PAYMENTS, p_, payment_names, booking).cte("new_payment"),
            _child(ENTRIES, e_, entry_names, booking).cte("new_entry"),
        )
    )


def _child(table, prefix: str, names, booking):
    """INSERT INTO table SELECT the new booking's id and bound values for the rest."""
    values = _values(table, prefix, names)
    row = select(booking.c.id, *(values[n] for n in names)).select_from(booking)
    return insert(table).from_select(["booking_id", *names], row, include_defaults=False)


def _statement_values(rows: PendingRows) -> dict:
    """The one statement's parameters: each row's columns under its prefix, and the
    seats' columns as arrays."""
    values = {
        f"{prefix}{k}": v
        for prefix, part in zip(PREFIXES, _parts(rows), strict=True)
        for k, v in part.items()
    }
    values["seat_ids"] = [seat["seat_id"] for seat in rows.seats]
    values["prices"] = [seat["price_cents"] for seat in rows.seats]
    values["types"] = [seat["ticket_type"] for seat in rows.seats]
    return values
