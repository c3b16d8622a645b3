"""Outgoing email through an outbox: a message is a row written in the same transaction
as the decision it reports, and a job sends it afterwards (retried by the sweep), so an
email is never sent for something that rolled back, nor lost when the mailer is down.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.booking.context import enqueue, redis, session, setting
from webapp.booking.models import Booking, OutboxMessage, utcnow
from webapp.booking.orders import booking_links
from webapp.booking.tickets import ticket_codes, ticket_files
from webapp.database import write_transaction

log = logging.getLogger("holdfast.email")
MAX_ATTEMPTS = 5


def add(
    s: Session, to: str, subject: str, body: str, tickets_of: int | None = None
) -> OutboxMessage:
    """Queue a message inside the caller's transaction; call `kick()` after it commits.
    With `tickets_of` (a booking id) its tickets and calendar file are attached."""
    message = OutboxMessage(
        to=to, subject=subject, body=body, status="queued", tickets_of=tickets_of
    )
    s.add(message)
    return message


def kick() -> None:
    """Ask a worker to send what is queued (the periodic sweep also does)."""
    enqueue("send_outbox", job_timeout=60)


def send_pending(limit: int = 50) -> dict[str, int]:
    """Send queued messages; each is marked sent, or failed after MAX_ATTEMPTS tries."""
    counts = {"sent": 0, "failed": 0, "retry": 0}
    ids = list(
        session().scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "queued")
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    for message_id in ids:
        # Claim the message for a minute so two workers do not both send it; the send
        # itself happens outside any database transaction (SMTP can be slow).
        if not redis().set(f"hf:outbox:claim:{message_id}", "1", nx=True, ex=60):
            continue
        message = session().get(OutboxMessage, message_id)
        if message is None or message.status != "queued":
            continue
        to, subject, body = message.to, message.subject, message.body
        files = attachments(message.tickets_of)
        session().rollback()  # end the read before a possibly slow send
        try:
            deliver(to, subject, body, files)
            error = None
        except (OSError, smtplib.SMTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        with write_transaction(session()) as s:
            message = s.get(OutboxMessage, message_id)
            message.attempts += 1
            if error is None:
                message.status, message.sent_at, message.error = "sent", utcnow(), None
                counts["sent"] += 1
            else:
                message.error = error
                failed = message.attempts >= MAX_ATTEMPTS
                message.status = "failed" if failed else "queued"
                counts["failed" if failed else "retry"] += 1
        redis().delete(f"hf:outbox:claim:{message_id}")
    return counts


def attachments(booking_id: int | None) -> list[tuple[str, str, bytes]]:
    """(file name, MIME type, content) of a booking's tickets and calendar file, drawn
    now: a booking refunded since the message was queued gets none."""

    booking = session().get(Booking, booking_id) if booking_id else None
    if booking is None or booking.status != "confirmed":
        return []
    found = ticket_codes.details(booking)
    link = booking_links.link(booking)
    return [
        (
            f"tickets-{booking.reference}.pdf",
            "application/pdf",
            ticket_files.tickets_pdf(booking.reference, booking.name, found),
        ),
        (
            f"{booking.reference}.ics",
            "text/calendar",
            ticket_files.calendar_ics(booking.reference, found, link),
        ),
    ]


def deliver(
    to: str, subject: str, body: str, files: list[tuple[str, str, bytes]] | None = None
) -> None:
    """Send one message with the configured EMAIL_BACKEND (console or smtp)."""
    files = files or []
    if setting("EMAIL_BACKEND") != "smtp":
        names = ", ".join(f"{name} ({len(data):,} bytes)" for name, _, data in files)
        # One copy, as a log record (the worker's log, JSON with LOG_FORMAT=json).
        log.warning(
            "--- email to %s: %s\n%s\nattached: %s\n---", to, subject, body, names or "nothing"
        )
        return
    email = EmailMessage()
    email["From"], email["To"], email["Subject"] = setting("EMAIL_FROM"), to, subject
    email.set_content(body)
    for name, mimetype, data in files:
        main, sub = mimetype.split("/")
        email.add_attachment(data, maintype=main, subtype=sub, filename=name)
    with smtplib.SMTP(setting("SMTP_HOST"), setting("SMTP_PORT"), timeout=10) as smtp:
        if setting("SMTP_STARTTLS"):
            smtp.starttls()
        if setting("SMTP_USERNAME"):
            smtp.login(setting("SMTP_USERNAME"), setting("SMTP_PASSWORD"))
        smtp.send_message(email)


def recent(limit: int = 100) -> list[OutboxMessage]:
    """The latest messages, newest first (for staff)."""
    return list(
        session().scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
