"""Operations endpoints through the test client: /healthz, /readyz with one entry per
check, and /metrics in the Prometheus text format to staff or the scrape token only."""

from __future__ import annotations

import time

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.factories import make_event, seat_ids
from tests.unit.test_doors import sold
from tests.web.test_staff import logged_in, staff  # noqa: F401  (fixtures)
from webapp.booking import expire_holds, hold_seats
from webapp.booking.errors import BookingError
from webapp.booking.holds import keys


@pytest.fixture
def app_config() -> dict:
    return {"METRICS_TOKEN": "scrape-me"}


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of an exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(client) -> dict:
    r = client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert r.status_code == 200 and r.mimetype == "text/plain"
    return samples(r.data.decode())


def test_healthz_answers_without_asking_anyone(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_readyz_names_each_check_and_fails_without_the_background_processes(app, client, rds):
    r = client.get("/readyz")
    assert r.status_code == 503 and r.json["status"] == "fail"
    checks = r.json["checks"]
    assert checks["database"]["ok"] and checks["redis"]["ok"]
    assert not checks["listener"]["ok"] and "listener" in checks["listener"]["error"]
    assert not checks["scheduler"]["ok"]
    rds.set(keys.LISTENER_HEARTBEAT, int(time.time()), ex=30)
    app.extensions["holdfast_queue"].connection.set(keys.SCHEDULER_HEARTBEAT, "x", ex=30)
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json["status"] == "ok"
    assert r.headers["Cache-Control"] == "no-store"


def test_metrics_only_to_staff_or_the_token(app, client):
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401 and b"admin&#39;s login" in wrong.data
    assert wrong.headers["WWW-Authenticate"].lower().startswith("bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-me"}).status_code == 200


def test_metrics_for_staff_without_a_token(logged_in):  # noqa: F811
    r = logged_in.get("/metrics")
    assert r.status_code == 200 and b"holdfast_bookings" in r.data


def test_metrics_count_holds_bookings_payments_and_expiry_lag(app, client, rds):
    event = make_event(rows=1, seats_per_row=10)
    ids = seat_ids(event)
    before = scrape(client)
    taken = before.get(("holdfast_holds_taken_total", ()), 0)
    refused = before.get(("holdfast_holds_refused_total", (("reason", "seats_unavailable"),)), 0)
    held = hold_seats(event.id, "ann", ids[:2])
    with pytest.raises(BookingError):
        hold_seats(event.id, "bob", ids[1:3])  # ids[1] is Ann's
    sold(event, "cat", ("A5", "A6"))  # a confirmed booking and its charge
    found = scrape(client)
    assert found[("holdfast_holds_taken_total", ())] == taken + 2  # Ann's and Cat's
    key = ("holdfast_holds_refused_total", (("reason", "seats_unavailable"),))
    assert found[key] == refused + 1
    assert found[("holdfast_bookings", (("status", "confirmed"),))] == 1
    assert found[("holdfast_payments", (("kind", "charge"), ("status", "succeeded")))] == 1
    assert found[("holdfast_live_holds", (("event", str(event.id)),))] == 2
    assert ("holdfast_rq_jobs", (("queue", "holdfast"), ("state", "queued"))) in found
    # Ann's hold lapses 2.5 s ago; the listener path releases it.
    rds.delete(keys.hold_timer(event.id, held.hold_id))
    rds.hset(keys.hold_info(event.id, held.hold_id), "expires_ms", int(time.time() * 1000) - 2500)
    assert expire_holds([held.hold_id], "listener")[held.hold_id] == "released"
    lag = scrape(client)
    assert lag[("holdfast_expiry_lag_seconds_count", (("path", "listener"),))] == 1
    assert lag[("holdfast_expiry_lag_seconds_bucket", (("le", "2.0"), ("path", "listener")))] == 0
    assert lag[("holdfast_expiry_lag_seconds_bucket", (("le", "5.0"), ("path", "listener")))] == 1
    assert 2.4 < lag[("holdfast_expiry_lag_seconds_sum", (("path", "listener"),))] < 4
    assert lag[("holdfast_live_holds", (("event", str(event.id)),))] == 0
    assert lag[("holdfast_expiry_lag_seconds_count", (("path", "fallback"),))] == 0


def test_rq_dashboard_answers_only_to_staff(app, client):
    page = client.get("/staff/rq/")
    assert page.status_code == 303 and "/staff/login" in page.headers["Location"]
    assert client.get("/staff/rq/0/data/queues.json").status_code == 303


def test_rq_dashboard_for_staff(app, logged_in):  # noqa: F811
    app.extensions["holdfast_queue"].enqueue("workers.jobs.sweep_expired")
    page = logged_in.get("/staff/rq/")
    assert page.status_code == 200 and b"RQ dashboard" in page.data
    assert "'unsafe-inline'" in page.headers["Content-Security-Policy"]
    queues = logged_in.get("/staff/rq/0/data/queues.json").json["queues"]
    assert {"name": "holdfast", "count": 1}.items() <= next(
        q for q in queues if q["name"] == "holdfast"
    ).items()
    # Its posts carry no CSRF token: they must come from this site instead.
    job = app.extensions["holdfast_queue"].job_ids[0]
    foreign = logged_in.post(
        f"/staff/rq/job/{job}/delete", headers={"Origin": "https://evil.example"}
    )
    assert foreign.status_code == 403 and app.extensions["holdfast_queue"].count == 1
    same = logged_in.post(f"/staff/rq/job/{job}/delete", headers={"Origin": "http://localhost"})
    assert same.status_code == 200 and app.extensions["holdfast_queue"].count == 0


def test_rq_dashboard_changes_only_by_a_same_site_post(app, logged_in):  # noqa: F811
    """Issue 27.7: a top-level cross-site GET of /staff/rq/requeue/<queue> carries the
    Lax cookie and has no Origin; it requeued every failed job."""
    from rq.registry import FailedJobRegistry

    queue = app.extensions["holdfast_queue"]
    job = queue.enqueue("workers.jobs.sweep_expired")
    queue.remove(job)
    FailedJobRegistry(queue=queue).add(job, ttl=600, exc_string="boom")
    r = logged_in.get(f"/staff/rq/requeue/{queue.name}")  # what a link on evil.example does
    assert r.status_code == 405 and queue.count == 0
    assert FailedJobRegistry(queue=queue).count == 1
    r = logged_in.post(f"/staff/rq/requeue/{queue.name}", headers={"Origin": "http://localhost"})
    assert r.status_code == 200 and queue.count == 1


def test_every_staff_change_and_export_is_in_the_audit_trail(app, logged_in, rds):  # noqa: F811
    """Issue 27.8: blocks, released holds, refunds, CSV exports, job retries and
    rq-dashboard actions wrote no staff-action row."""
    from rq.registry import FailedJobRegistry

    from tests.factories import confirmed_booking, make_event, seat_by_label
    from webapp.booking import hold_seats
    from webapp.booking.models import StaffAction
    from webapp.extensions import db

    event = make_event()
    logged_in.post(f"/staff/events/{event.id}/blocks", data={"labels": "B1 B2"})
    logged_in.post(f"/staff/events/{event.id}/blocks", data={"labels": "B2", "action": "unblock"})
    hold = hold_seats(event.id, "carl", [seat_by_label(event, "A5").id])
    logged_in.post(f"/staff/events/{event.id}/holds/{hold.hold_id}/release")
    booking = confirmed_booking(event)
    logged_in.post(
        f"/staff/bookings/{booking.reference}/refund", data={"reason": "ill", "confirm": "1"}
    )
    logged_in.get(f"/staff/events/{event.id}/bookings.csv").close()
    queue = app.extensions["holdfast_queue"]
    failed = queue.enqueue("workers.jobs.sweep_expired")
    queue.remove(failed)
    FailedJobRegistry(queue=queue).add(failed, ttl=600, exc_string="boom")
    logged_in.post(f"/staff/ops/failed/{failed.id}/retry")
    logged_in.post(f"/staff/rq/job/{failed.id}/delete", headers={"Origin": "http://localhost"})
    db.session.commit()
    rows = db.session.scalars(db.select(StaffAction).order_by(StaffAction.id)).all()
    assert [(r.action, r.actor) for r in rows] == [
        ("blocked", "staff:boss@example.com"),
        ("unblocked", "staff:boss@example.com"),
        ("released hold", "staff:boss@example.com"),
        ("refunded booking", "staff:boss@example.com"),
        ("exported bookings (CSV)", "staff:boss@example.com"),
        ("retried job", "staff:boss@example.com"),
        ("rq-dashboard delete_job_view", "staff:boss@example.com"),
    ]
    assert rows[0].detail == "B1, B2" and booking.reference in rows[3].detail
    page = logged_in.get("/staff/audit").data.decode()
    assert "exported bookings (CSV)" in page and "rq-dashboard delete_job_view" in page
