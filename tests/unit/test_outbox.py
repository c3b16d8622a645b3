"""The outbox sends through a real SMTP server (aiosmtpd), retries, and gives up after 5."""

from __future__ import annotations

import socket

import pytest
from aiosmtpd.controller import Controller

from webapp.booking.models import OutboxMessage
from webapp.booking.orders import outbox
from webapp.extensions import db


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


PORT = free_port()


@pytest.fixture
def app_config():
    return {"EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": PORT}


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=PORT)
    controller.start()
    yield inbox
    controller.stop()


def queue(to: str) -> int:
    message = outbox.add(db.session, to, "Seats for Hamlet", "Your seats are held.")
    db.session.commit()
    return message.id


def test_queued_mail_is_sent_over_smtp_once(app, smtp_server):
    message_id = queue("fan@example.com")
    assert outbox.send_pending() == {"sent": 1, "failed": 0, "retry": 0}
    assert outbox.send_pending() == {"sent": 0, "failed": 0, "retry": 0}
    [(to, content)] = smtp_server.messages
    assert to == ["fan@example.com"] and "Subject: Seats for Hamlet" in content
    db.session.expire_all()
    sent = db.session.get(OutboxMessage, message_id)
    assert sent.status == "sent" and sent.sent_at is not None and sent.attempts == 1


def test_an_unreachable_server_is_retried_then_given_up(app):
    message_id = queue("fan@example.com")  # no server listening on PORT
    for attempt in range(1, outbox.MAX_ATTEMPTS):
        assert outbox.send_pending() == {"sent": 0, "failed": 0, "retry": 1}
        db.session.expire_all()
        row = db.session.get(OutboxMessage, message_id)
        assert row.status == "queued" and row.attempts == attempt and "Refused" in row.error
    assert outbox.send_pending() == {"sent": 0, "failed": 1, "retry": 0}
    db.session.expire_all()
    assert db.session.get(OutboxMessage, message_id).status == "failed"


def test_the_console_backend_shows_each_email_once(app, caplog, capsys):
    """Issue 27.13: it printed the message and logged it too."""
    app.config["EMAIL_BACKEND"] = "console"
    with caplog.at_level("WARNING"):
        outbox.deliver("ann@example.com", "Your tickets", "BODY-MARKER", [("t.pdf", "a/b", b"x")])
    shown = caplog.text + capsys.readouterr().out
    assert shown.count("BODY-MARKER") == 1 and "t.pdf (1 bytes)" in shown
