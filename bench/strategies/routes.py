"""The baselines behind Holdfast's endpoint shape: POST holds, then POST checkout."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from sqlalchemy import insert

from bench.strategies.allocators import ALLOCATORS
from bench.strategies.tables import bookings
from webapp.extensions import csrf, db
from webapp.identity import customer_id

bp = Blueprint("bench", __name__)
csrf.exempt(bp)


@bp.get("/ping")
def ping():
    """The cheapest possible answer: the ceiling for this stack."""
    return jsonify({"ok": True})


@bp.post("/<strategy>/events/<int:event_id>/holds")
def hold(strategy: str, event_id: int):
    if strategy not in ALLOCATORS:
        return jsonify({"error": "not_found", "message": "No such strategy."}), 404
    seat = ALLOCATORS[strategy](db.engine, event_id, customer_id())
    if seat is None:
        return jsonify({"error": "sold_out", "message": "Sold out."}), 409
    if seat is False:
        return jsonify({"error": "conflict", "message": "Someone else was faster."}), 409
    return jsonify({"hold_id": str(seat), "seat_ids": [seat]}), 201


@bp.post("/<strategy>/holds/<hold_id>/checkout")
def checkout(strategy: str, hold_id: str):
    body = request.get_json(silent=True) or {}
    with db.engine.begin() as conn:
        conn.execute(
            insert(bookings).values(
                event_id=body.get("event_id", 0), seat_id=int(hold_id), customer=customer_id()
            )
        )
    return jsonify({"booking": {"seat_ids": [int(hold_id)]}}), 201
