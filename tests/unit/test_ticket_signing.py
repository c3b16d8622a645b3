"""Ticket codes a door can verify but not forge (issue 28): HF2 codes are Ed25519
signatures under a key per event that never leaves the server; the door's list holds
only the public key; HF1 codes of tickets sold before keep working."""

from __future__ import annotations

import base64
import hashlib
import json

import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import update

from tests.factories import make_event
from tests.unit.test_doors import sold
from webapp.booking.models import BookingSeat
from webapp.booking.tickets import doors, ticket_codes
from webapp.extensions import db


def forged_with(key: Ed25519PrivateKey, event_id: int, ticket_id: int) -> str:
    signature = key.sign(f"HF2.{event_id}.{ticket_id}".encode())
    return f"HF2.{event_id}.{ticket_id}.{base64.b32encode(signature).decode().rstrip('=')}"


def test_hf2_codes_verify_cannot_be_altered_and_fit_a_small_qr_code(app):
    code = ticket_codes.code_for(7, 1234)
    assert code.startswith("HF2.7.1234.") and len(code) <= 120
    assert ticket_codes.read(code) == (7, 1234)
    assert ticket_codes.read(code.lower()) == (7, 1234)  # typed by hand
    signature = code.split(".")[3]
    assert ticket_codes.read(f"HF2.7.1235.{signature}") is None  # another ticket
    assert ticket_codes.read(f"HF2.8.1234.{signature}") is None  # another event
    flipped = "B" if signature[40] != "B" else "C"
    assert ticket_codes.read(code[:51] + flipped + code[52:]) is None
    # The spare low bits of the last character set: refused (one ticket, one code).
    last = signature[-1]
    spare = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".index(last) | 1]
    assert ticket_codes.read(code[:-1] + spare) is None
    assert ticket_codes.read(forged_with(Ed25519PrivateKey.generate(), 7, 1234)) is None
    for bad in ("", None, 42, "HF2.7.1234", "HF2.7.1234." + "A" * 5000, code + "A"):
        assert ticket_codes.read(bad) is None
    qr = segno.make(code, error="m")
    assert qr.mode == "alphanumeric" and qr.version <= 8  # easy to scan from a phone


def test_the_door_list_holds_the_public_key_and_no_secret(app, rds):
    event = make_event(rows=1, seats_per_row=6)
    booking, codes = sold(event, labels=("A1", "A2"))
    legacy_id = booking.seats[1].id
    db.session.execute(update(BookingSeat).where(BookingSeat.id == legacy_id).values(code_form=1))
    db.session.commit()
    found = doors.manifest(event.id)
    text = json.dumps(found)
    assert "key" not in found and "private" not in text
    public = base64.b64decode(found["public_key"])
    assert public == ticket_codes.public_key(event.id)
    private = ticket_codes.signing_key(event.id).private_bytes_raw()
    secrets = [private, ticket_codes.event_key(event.id), app.config["SECRET_KEY"].encode()]
    for secret in secrets:
        for shown in (base64.b64encode(secret), secret.hex().encode(), base64.b32encode(secret)):
            assert shown.decode().rstrip("=") not in text
    # An HF1 ticket is listed by its code's hash, never its code.
    legacy = ticket_codes.code_for(event.id, legacy_id, 1)
    assert found["tickets"][str(legacy_id)]["hf1"] == hashlib.sha256(legacy.encode()).hexdigest()
    assert legacy not in text and legacy.split(".")[3] not in text
    assert "hf1" not in found["tickets"][str(booking.seats[0].id)]


def test_old_hf1_tickets_still_admit_and_new_ones_get_hf2(app, rds):
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event, labels=("A1", "A2"))
    old = booking.seats[0]
    db.session.execute(update(BookingSeat).where(BookingSeat.id == old.id).values(code_form=1))
    db.session.commit()
    db.session.refresh(booking)
    shown = {t.label: t.code for t in ticket_codes.details(booking).tickets}
    assert shown["A1"].startswith("HF1.") and shown["A2"].startswith("HF2.")
    assert shown["A1"] == ticket_codes.code_for(event.id, old.id, 1)  # the code it was sold with
    assert doors.check_in(event.id, shown["A1"], "North", "staff:x").admitted
    assert doors.check_in(event.id, shown["A2"], "North", "staff:x").admitted


def test_a_code_forged_with_another_key_is_refused_online(app, rds):
    event = make_event(rows=1, seats_per_row=6)
    booking, _ = sold(event, labels=("A1",))
    forged = forged_with(Ed25519PrivateKey.generate(), event.id, booking.seats[0].id)
    scan = doors.check_in(event.id, forged, "North", "staff:x")
    assert not scan.admitted and scan.reason == "forged"
