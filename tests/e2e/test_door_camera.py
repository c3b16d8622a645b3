"""The door page reads a ticket's QR code from the camera: Chromium's fake camera plays a
video of the code, the page reads it (the browser's BarcodeDetector where it reads QR codes,
else the vendored ZXing polyfill), admits the ticket once, and refuses it when it is held up
again after the repeat pause."""

from __future__ import annotations

import re
from pathlib import Path

import segno
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.e2e.helpers import staff_login
from tests.factories import make_event
from tests.unit.test_doors import sold
from webapp.booking.models import CheckIn
from webapp.extensions import db
from webapp.staff.users import create_staff


def qr_video(code: str, path: Path, width: int = 640, height: int = 480) -> Path:
    """One frame of a Y4M video (what Chromium's fake camera plays): the code as a QR code,
    black on white, in the middle of the picture."""
    rows = [
        bytes(255 if not dark else 0 for dark in row)
        for row in segno.make(code, error="m").matrix_iter(scale=8, border=4)
    ]
    top, left = (height - len(rows)) // 2, (width - len(rows[0])) // 2
    luma = bytearray(b"\xff" * (width * height))
    for y, row in enumerate(rows):
        start = (top + y) * width + left
        luma[start : start + len(row)] = row
    chroma = b"\x80" * (width * height // 4)
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + b"FRAME\n" + bytes(luma) + chroma + chroma)
    return path


def test_camera_scan_admits_once_then_refuses(server, browser, app, tmp_path):
    app.config["SECRET_KEY"] = "e2e"  # the server's: codes made here must verify there
    event = make_event(rows=1, seats_per_row=6)
    _, codes = sold(event, labels=("A3",))
    create_staff("cam@example.com", "s3cret-cam")
    video = qr_video(codes[0], tmp_path / "ticket.y4m")
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        page = camera.new_context(permissions=["camera"]).new_page()
        staff_login(page, server, "cam@example.com", "s3cret-cam")
        page.goto(f"{server}/staff/events/{event.id}/door")
        page.get_by_label("Door").fill("Camera gate")
        page.get_by_role("button", name="Scan with camera").click()
        expect(page.get_by_role("button", name="Stop camera")).to_be_visible()
        result = page.locator("#door-result")
        expect(result).to_have_class(re.compile(r"\badmit\b"), timeout=15000)
        expect(result).to_contain_text("Ann Door")
        expect(page.locator("#door-counts")).to_contain_text("Checked in: 1")
        # Still in front of the camera: after the repeat pause it is read again, and refused.
        expect(result).to_contain_text("Already admitted", timeout=15000)
        expect(result).to_contain_text("Camera gate")
        page.get_by_role("button", name="Stop camera").click()
        expect(page.locator("#door-video")).to_be_hidden()
    finally:
        camera.close()
    db.session.commit()
    assert [c.door for c in db.session.query(CheckIn)] == ["Camera gate"]
