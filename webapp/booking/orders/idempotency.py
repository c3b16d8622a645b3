"""Idempotency keys with Stripe's semantics (ARCHITECTURE invariant 5).

The first request with a key runs and its status and body are stored; a retry
with the same key and body gets the stored answer replayed; the same key with a
different body is refused (422); while the first is still running, 409.

A request claims its key in Redis (SET NX, lapsing after STALE_AFTER, so a crashed
request's retry may run again), and stores its answer in the database in the
transaction of its own work: one transaction a checkout, where a claim row committed
first made two. The database stays the judge: the answer's row is unique per
(scope, key), so if Redis forgot a claim while its request ran, the second request's
row collides and it replays the first's answer; a retry after the claim lapsed does
the same.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from redis.client import Pipeline
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from webapp.booking.context import redis, session
from webapp.booking.errors import BookingError
from webapp.booking.models import IdempotencyRecord, utcnow
from webapp.database import write_transaction

# A claim this old with no stored answer belongs to a crashed request; retries may take over.
STALE_AFTER = timedelta(seconds=60)

Outcome = tuple[int, dict]
INSERT_RECORD = insert(IdempotencyRecord.__table__)


@dataclass
class Claim:
    """A claimed key. Work that commits a transaction of its own may store its answer in
    it (`store`), saving the separate write that stores it otherwise."""

    scope: str
    key: str
    fingerprint: str = ""
    stored: bool = False
    reads: list = field(default_factory=list)  # replies to the reads queued with the claim

    def store(self, s, status: int, body: dict) -> None:
        """Inside the work's open transaction: record the answer with it. The row is
        unique per (scope, key): the transaction fails if another request stored first."""
        s.connection().execute(INSERT_RECORD, self.row(status, body))
        self.stored = True

    def row(self, status: int, body: dict) -> dict:
        """The answer's row, for work that inserts it in a statement of its own (and then
        sets `stored`)."""
        return {
            "scope": self.scope,
            "key": self.key,
            "fingerprint": self.fingerprint,
            "status_code": status,
            "response_body": json.dumps(body),
            "created_at": utcnow(),
        }

    def replace(self, s, status: int, body: dict) -> None:
        """Inside an open transaction: put another answer in place of the one this claim
        stored with its work (the work undid itself after its commit), or store it."""
        done = s.execute(
            update(IdempotencyRecord)
            .where(IdempotencyRecord.scope == self.scope, IdempotencyRecord.key == self.key)
            .values(status_code=status, response_body=json.dumps(body))
        )
        if done.rowcount == 0:
            self.store(s, status, body)


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


def run_idempotent(
    scope: str,
    key: str,
    print_: str,
    work: Callable[[Claim], Outcome],
    read: Callable[[Pipeline], None] | None = None,
) -> Outcome:
    """Run `work` at most once per (scope, key) and replay its outcome afterwards.

    Args:
        scope: who the key belongs to, e.g. "checkout:<customer id>".
        key: the client's Idempotency-Key.
        print_: fingerprint of the request body (see `fingerprint`).
        work: given the Claim, returns (status, body); a BookingError it raises is
            stored as its answer. A successful answer it stored itself (Claim.store,
            in its own committed transaction) is not written again.
        read: queues Redis reads the work needs on the claim's pipeline, so claim and
            reads are one round trip; their replies are the Claim's `reads`.

    Returns:
        (status, body) of the first execution.
    """
    pipe = redis().pipeline(transaction=False)
    pipe.set(_claim_key(scope, key), "1", nx=True, px=_stale_ms())
    if read is not None:
        read(pipe)
    claimed, *reads = pipe.execute()
    if not claimed:
        return _answer_of_earlier(scope, key, print_)
    claim = Claim(scope, key, print_, reads=reads)
    try:
        status, body = work(claim)
        if claim.stored:  # committed with the work's own transaction
            return status, body
    except BookingError as exc:
        status, body = exc.status, exc.to_dict()  # whatever the work stored rolled back...
        if claim.stored:  # ...unless it committed, then undid itself: answer the undoing
            with write_transaction(session()) as s:
                claim.replace(s, status, body)
            return status, body
    except BaseException:
        _forget(scope, key)  # an unexpected failure stores nothing; a retry may run again
        raise
    try:
        with write_transaction(session()) as s:
            Claim(scope, key, print_).store(s, status, body)
    except IntegrityError:  # an earlier request with this key stored first
        return _answer_of_earlier(scope, key, print_)
    return status, body


def stored_outcome(scope: str, key: object) -> Outcome | None:
    """The answer already stored for (scope, key), if the first request finished."""
    if not isinstance(key, str) or not key:
        return None
    record = _record(scope, key)
    if record is None or record.status_code is None:
        return None
    return record.status_code, json.loads(record.response_body)


def _answer_of_earlier(scope: str, key: str, print_: str) -> Outcome:
    """The stored answer of the request that used this key first, or a refusal: it is
    still running (409) or had another body (422)."""
    record = _record(scope, key)
    if record is None or record.status_code is None:
        raise BookingError("idempotency_in_flight")
    if record.fingerprint != print_:
        raise BookingError("idempotency_mismatch")
    return record.status_code, json.loads(record.response_body)


def _record(scope: str, key: str) -> IdempotencyRecord | None:
    session().commit()  # a fresh read: the first request may have committed just now
    return session().scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )


def _claim_key(scope: str, key: str) -> str:
    return f"hf:idem:{scope}:{key}"


def _stale_ms() -> int:
    return int(STALE_AFTER.total_seconds() * 1000)


def _forget(scope: str, key: str) -> None:
    redis().delete(_claim_key(scope, key))
