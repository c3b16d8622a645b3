"""Idempotency keys with Stripe's semantics (ARCHITECTURE invariant 5).

The first request with a key runs and its status and body are stored; a retry
with the same key and body gets the stored answer replayed; the same key with a
different body is refused (422); while the first is still running, 409. The key
is claimed by inserting a row under a unique constraint before the work starts,
so two concurrent requests can never both run it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from webapp.booking.context import session
from webapp.booking.errors import BookingError
from webapp.booking.models import IdempotencyRecord, utcnow
from webapp.database import write_transaction

# A claim this old with no stored answer belongs to a crashed request; retries may take over.
STALE_AFTER = timedelta(seconds=60)

Outcome = tuple[int, dict]


@dataclass
class Claim:
    """A claimed key. Work that commits a transaction of its own may store its answer in
    it (`store`), saving the separate write that stores it otherwise."""

    scope: str
    key: str
    stored: bool = False

    def store(self, s, status: int, body: dict) -> None:
        """Inside the work's open transaction: record the answer with it."""
        s.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.scope == self.scope, IdempotencyRecord.key == self.key)
            .values(status_code=status, response_body=json.dumps(body))
        )
        self.stored = True


KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as UUIDs and tokens are


def fingerprint(*parts: object) -> str:
    """A stable hash of the request's meaningful content."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: object) -> str:
    """Validate an Idempotency-Key header value."""
    if key is None or key == "":
        raise BookingError("idempotency_key_missing")
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise BookingError("idempotency_key_invalid")
    return key


def run_idempotent(scope: str, key: str, print_: str, work: Callable[[Claim], Outcome]) -> Outcome:
    """Run `work` at most once per (scope, key) and replay its outcome afterwards.

    Args:
        scope: who the key belongs to, e.g. "checkout:<customer id>".
        key: the client's Idempotency-Key.
        print_: fingerprint of the request body (see `fingerprint`).
        work: given the Claim, returns (status, body); a BookingError it raises is
            stored as its answer. A successful answer it stored itself (Claim.store,
            in its own committed transaction) is not written again.

    Returns:
        (status, body) of the first execution.
    """
    replay = _claim(scope, key, print_)
    if replay is not None:
        return replay
    claim = Claim(scope, key)
    try:
        status, body = work(claim)
        if claim.stored:  # committed with the work's own transaction
            return status, body
    except BookingError as exc:
        status, body = exc.status, exc.to_dict()  # whatever the work stored rolled back
    except BaseException:
        _forget(scope, key)  # an unexpected failure stores nothing; a retry may run again
        raise
    with write_transaction(session()) as s:
        Claim(scope, key).store(s, status, body)
    return status, body


def stored_outcome(scope: str, key: object) -> Outcome | None:
    """The answer already stored for (scope, key), if the first request finished."""
    if not isinstance(key, str) or not key:
        return None
    record = session().scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if record is None or record.status_code is None:
        return None
    return record.status_code, json.loads(record.response_body)


def _claim(scope: str, key: str, print_: str) -> Outcome | None:
    """Insert the claim row; on conflict return the stored answer or refuse."""
    try:
        with write_transaction(session()) as s:
            s.add(IdempotencyRecord(scope=scope, key=key, fingerprint=print_))
        return None
    except IntegrityError:
        pass
    record = session().scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )
    if record is None:  # its owner failed and forgot it just now
        raise BookingError("idempotency_in_flight")
    if record.fingerprint != print_:
        raise BookingError("idempotency_mismatch")
    if record.status_code is not None:
        return record.status_code, json.loads(record.response_body)
    if record.created_at < utcnow() - STALE_AFTER and _take_over(record):
        return None
    raise BookingError("idempotency_in_flight")


def _take_over(record: IdempotencyRecord) -> bool:
    with write_transaction(session()) as s:
        taken = s.execute(
            update(IdempotencyRecord)
            .where(
                IdempotencyRecord.id == record.id,
                IdempotencyRecord.status_code.is_(None),
                IdempotencyRecord.created_at == record.created_at,
            )
            .values(created_at=utcnow())
        )
    return taken.rowcount == 1


def _forget(scope: str, key: str) -> None:
    with write_transaction(session()) as s:
        s.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
            )
        )
