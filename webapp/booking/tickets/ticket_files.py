"""A booking's tickets as a PDF (ReportLab, one ticket a page, QR codes by segno) and
its event as a calendar file (icalendar)."""

from __future__ import annotations

import io
from datetime import UTC, timedelta

import segno
from icalendar import Calendar
from icalendar import Event as CalendarEvent
from reportlab.lib.pagesizes import A6, landscape
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from webapp.booking.money import money
from webapp.booking.tickets.ticket_codes import BookingDetails
from webapp.booking.venues import local_time


def qr_svg(code: str) -> str:
    """The QR code of a ticket code as inline SVG (for the booking page)."""
    return segno.make(code, error="m").svg_inline(scale=4, title=f"Ticket code {code}")


def tickets_pdf(reference: str, holder: str, found: BookingDetails) -> bytes:
    """One page per ticket: event, date, venue, place, type, holder and the QR code with
    its code printed below (a door can also type it)."""
    out = io.BytesIO()
    width, height = landscape(A6)
    pdf = canvas.Canvas(out, pagesize=(width, height))
    pdf.setTitle(f"Tickets {reference} - {found.event}")
    for n, ticket in enumerate(found.tickets, start=1):
        png = io.BytesIO()
        segno.make(ticket.code, error="m").save(png, kind="png", scale=6, border=2)
        png.seek(0)
        pdf.drawImage(ImageReader(png), width - 150, height - 160, 135, 135)
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(18, height - 36, found.event[:40])
        pdf.setFont("Helvetica", 10)
        lines = [
            local_time.shown(found.starts_at, found),
            found.venue,
            ticket.place(),
            f"{ticket.ticket_type} · {money(ticket.price_cents)}",
            f"For {holder[:40]}",
            f"Booking {reference} · ticket {n} of {len(found.tickets)}",
        ]
        for i, line in enumerate(lines):
            pdf.drawString(18, height - 60 - 16 * i, line)
        pdf.setFont("Courier", 8)
        pdf.drawString(18, 20, ticket.code)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def calendar_ics(reference: str, found: BookingDetails, link: str) -> bytes:
    """The event as an iCalendar file (three hours long when the layout says nothing)."""
    cal = Calendar()
    cal.add("prodid", "-//Holdfast//tickets//EN")
    cal.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"{reference}@holdfast")
    entry.add("summary", found.event)
    start = found.starts_at.replace(tzinfo=UTC)
    entry.add("dtstart", start)
    entry.add("dtend", start + timedelta(hours=3))
    entry.add("location", found.venue)
    places = ", ".join(t.place() for t in found.tickets)
    entry.add("description", f"Booking {reference}: {places}. {link}")
    entry.add("url", link)
    cal.add_component(entry)
    return cal.to_ical()
