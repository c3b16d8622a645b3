"""The staff audit trail: who did what and when, for every staff action that changes
state or takes customer data away (room changes, presale codes, blocks, released holds,
refunds, exports, job retries, rq-dashboard actions). A booking's own changes are also
in its history (audit.py); this trail is the one place to read them all."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.audit import current_actor
from webapp.booking.context import session
from webapp.booking.models import StaffAction
from webapp.database import write_transaction


def record_in(s: Session, action: str, detail: str | None = None, event_id: int | None = None):
    """Inside the caller's transaction, so the trail and the change commit together."""
    s.add(StaffAction(event_id=event_id, actor=current_actor(), action=action, detail=detail))


def record(action: str, detail: str | None = None, event_id: int | None = None) -> None:
    """In a transaction of its own (an action whose change is not in the database)."""
    with write_transaction(session()) as s:
        record_in(s, action, detail, event_id)


def latest(event_id: int | None = None, limit: int = 200) -> list[StaffAction]:
    """The latest entries, newest first: one event's, or everyone's."""
    query = select(StaffAction).order_by(StaffAction.id.desc()).limit(limit)
    if event_id is not None:
        query = query.where(StaffAction.event_id == event_id)
    return list(session().scalars(query))
