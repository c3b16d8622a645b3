"""Customer pages: browse events, pick seats, check out."""

from __future__ import annotations

from flask import Blueprint

from webapp.booking import money, standing_areas
from webapp.booking.errors import BookingError
from webapp.booking.onsale import room
from webapp.booking.orders import providers
from webapp.booking.tickets import ticket_files
from webapp.booking.venues import local_time, price_zones
from webapp.customer import mapview, planview, roomview
from webapp.htmx import vary_on_htmx

bp = Blueprint("customer", __name__)
bp.after_request(vary_on_htmx)


@bp.app_context_processor
def template_helpers() -> dict:
    """Helpers the seat map templates use for labels, prices and the countdown."""
    return {
        "layout": mapview.layout,
        "map_sections": mapview.map_sections,
        "seat_html": mapview.seat_html,
        "seated_sections": mapview.seated_sections,
        "aria_label": mapview.aria_label,
        "seat_classes": mapview.seat_classes,
        "standing_areas": standing_areas,
        "waitlist_sections": mapview.waitlist_sections,
        "standing_boxes": mapview.standing_boxes,
        "money": money.money,
        "money_range": money.money_range,
        "price_zones": price_zones.zones,
        "now_iso": mapview.now_iso,
        "hold_remaining": mapview.hold_remaining,
        "hold_seconds_left": mapview.hold_seconds_left,
        "warn_seconds": mapview.WARN_SECONDS,
        "venue_plan": planview.venue_plan,
        "clock_time": roomview.clock_time,
        "venue_time": local_time.shown,
        "local_input": local_time.to_local_input,
        "zone_label": local_time.zone_name,
        "wait_words": roomview.wait_words,
        "sale_opens": roomview.sale_opens,
        "room_settings": room.settings,
        "now_ms": room.now_ms,
        "qr_svg": ticket_files.qr_svg,
        "pay_link": lambda charge: providers.of(charge).pay_url(charge.public_id),
    }


from webapp.customer import (  # noqa: E402  (registers the routes)
    booking_routes,  # noqa: F401
    checkout_routes,  # noqa: F401
    queue_routes,  # noqa: F401
    render,
    routes,  # noqa: F401
    waitlist_routes,  # noqa: F401
)

bp.register_error_handler(BookingError, render.refused)
