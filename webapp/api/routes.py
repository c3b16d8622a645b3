"""JSON API routes: parse input, call the domain, answer JSON.

POST bodies must be `application/json`; a browser form cannot send that
cross-site without a CORS preflight, which is what keeps this API safe from CSRF.
"""

from __future__ import annotations

from importlib import resources

from flask import Response, jsonify, request

from webapp import booking
from webapp.api import bp
from webapp.booking.errors import BookingError
from webapp.booking.holds import ticket_types
from webapp.booking.onsale import presale, room, waitlist
from webapp.booking.reports.catalog import get_booking, list_events
from webapp.booking.tickets import ticket_codes
from webapp.booking.venues import price_zones
from webapp.booking.venues.serialize import booking_dict, details_dict, queue_dict
from webapp.extensions import csrf
from webapp.gate import keep_pass, keep_place, queue_ticket, require_pass, require_pass_or_hold
from webapp.identity import customer_id
from webapp.limits import (
    client_address,
    limit_checkout,
    limit_holds,
    limit_presale,
    limit_queue,
)
from webapp.request_json import json_body

csrf.exempt(bp)


@bp.get("/openapi.yaml")
def openapi() -> Response:
    """The API's OpenAPI description."""
    text = resources.files("webapp.api").joinpath("openapi.yaml").read_text()
    return Response(text, mimetype="application/yaml")


@bp.get("/events")
def events():
    """Every event with live availability."""
    return jsonify({"events": [e.to_dict() for e in list_events()]})


@bp.post("/events/<int:event_id>/queue")
@limit_queue
def join_queue(event_id: int):
    """Join the event's waiting room or read one's place (idempotent); admitted
    customers get their pass, also kept in the session."""
    place = room.join(event_id, customer_id(), address=client_address())
    keep_place(event_id, place)
    return jsonify(queue_dict(event_id, place))


@bp.get("/events/<int:event_id>/queue")
def poll_queue(event_id: int):
    """Where one stands, from the session's place (cheap: what a waiting client polls);
    joins for real when there is no place yet or one's turn has come."""
    place = room.peek(event_id, customer_id(), *queue_ticket(event_id), address=client_address())
    keep_place(event_id, place)
    return jsonify(queue_dict(event_id, place))


@bp.post("/events/<int:event_id>/presale")
@limit_presale
def redeem_presale(event_id: int):
    """Redeem a presale code for a pass (kept in the session as well)."""
    body = json_body({"code"})
    token = presale.redeem(event_id, customer_id(), body.get("code"), client_address())
    keep_pass(event_id, token)
    return jsonify({"event_id": event_id, "state": "admitted", "pass": token})


@bp.get("/events/<int:event_id>/seats")
def seats(event_id: int):
    """Every seat's state as this customer sees it, with the map's version."""
    seat_map = booking.seat_states(event_id, customer_id())
    return jsonify(
        {
            "event_id": event_id,
            "version": seat_map.version,
            "price_zones": [
                {"price_cents": z.price_cents, "seats": z.seats}
                for z in price_zones.zones(event_id)
            ],
            "seats": [s.to_dict() for s in seat_map.seats],
        }
    )


@bp.post("/events/<int:event_id>/holds")
@limit_holds
@require_pass
def create_hold(event_id: int):
    """Hold chosen seats and/or standing places, or the best `quantity` seats."""
    body = json_body(
        {"seat_ids", "standing"}, {"quantity", "section", "wheelchair", "max_price_cents"}
    )
    if "seat_ids" in body or "standing" in body:
        hold = booking.hold_seats(
            event_id,
            customer_id(),
            body.get("seat_ids", []),
            client=request.remote_addr,
            standing=body.get("standing"),
        )
    elif "quantity" in body:
        hold = booking.hold_best_available(
            event_id,
            customer_id(),
            body["quantity"],
            body.get("section"),
            client=request.remote_addr,
            wheelchair=body.get("wheelchair", False),
            max_price_cents=body.get("max_price_cents"),
        )
    else:
        raise BookingError("invalid_input", "Send seat_ids (and/or standing), or quantity.")
    return jsonify(hold.to_dict()), 201


@bp.post("/events/<int:event_id>/waitlist")
@limit_holds
def join_waitlist(event_id: int):
    """Join a sold-out event's waiting list."""
    body = json_body({"email", "quantity", "section"})
    joined = waitlist.join(
        event_id, customer_id(), body.get("email"), body.get("quantity"), body.get("section")
    )
    entry = joined.entry
    return jsonify(
        {
            "event_id": event_id,
            "status": entry.status,
            "position": joined.position,
            "quantity": entry.quantity,
            "section": entry.section,
        }
    ), 201


@bp.delete("/holds/<hold_id>")
def delete_hold(hold_id: str):
    """Release one's own hold: its seats go back on sale."""
    booking.release_hold(hold_id, customer_id())
    return "", 204


@bp.post("/holds/<hold_id>/extend")
def extend(hold_id: str):
    """Extend one's hold once."""
    return jsonify(booking.extend_hold(hold_id, customer_id()).to_dict())


@bp.post("/holds/<hold_id>/ticket-types")
def choose_ticket_type(hold_id: str):
    """Choose a seat's ticket type; answers the repriced basket."""
    body = json_body({"seat_id", "ticket_type"})
    priced = ticket_types.choose(
        hold_id, customer_id(), body.get("seat_id"), body.get("ticket_type")
    )
    return jsonify(
        {
            "lines": [
                {
                    "seat_id": line.seat.id,
                    "seat": line.seat.label,
                    "ticket_type": line.ticket_type,
                    "price_cents": line.price_cents,
                    "offered": [o.code for o in line.choices],
                }
                for line in priced.lines
            ],
            "total_cents": priced.total_cents,
        }
    )


@bp.post("/holds/<hold_id>/checkout")
@limit_checkout
@require_pass_or_hold
def checkout(hold_id: str):
    """Check out a hold: a pending booking and where to pay (Idempotency-Key required)."""
    body = json_body({"name", "email"})
    status, payload = booking.start_checkout(
        hold_id,
        customer_id(),
        body.get("name"),
        body.get("email"),
        request.headers.get("Idempotency-Key"),
    )
    return jsonify(payload), status


@bp.get("/bookings/<reference>")
def get_booking_route(reference: str):
    """One's own booking, with its tickets once paid."""
    found = get_booking(reference, customer_id())
    return jsonify({"booking": booking_dict(found) | details_dict(ticket_codes.details(found))})
