"""Holdfast on a real 3-primary Redis Cluster: holds, checkout, expiry and a rush.

Events are created until every primary owns at least one, so each path runs on
all three nodes. Queues stay on the plain Redis (REDIS_URL); holds use the cluster.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter

import pytest
import requests
from redis.cluster import RedisCluster
from sqlalchemy import func, select

from tests.conftest import base_config
from tests.factories import make_event, seat_ids
from tests.workers.conftest import wait_until
from webapp import create_app
from webapp.booking import confirm_payment, hold_seats, seat_states, start_checkout
from webapp.booking.holds import keys
from webapp.booking.models import Booking, BookingEvent, BookingSeat
from webapp.devtools.processes import spawn, terminate
from webapp.devtools.redis_server import start_cluster
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster_url(tmp_path_factory):
    procs, url = start_cluster(tmp_path_factory.mktemp("cluster"))
    yield url
    for proc in procs:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def cluster_app(app, database_url, redis_url, cluster_url):
    """The app with holds on the cluster (inside the plain `app`, which cleaned the database)."""
    clustered = create_app(base_config(database_url, redis_url, REDIS_CLUSTER_URL=cluster_url))
    client = clustered.extensions["holdfast_redis"]
    client.flushall()
    with clustered.app_context():
        yield clustered
        db.session.remove()
        db.engine.dispose()
    client.close()


def events_on_every_primary(client: RedisCluster, rows: int = 1, per_row: int = 10) -> list:
    """Create events until each primary owns one; returns one event per primary."""
    owners: dict[str, object] = {}
    while len(owners) < len(client.get_primaries()):
        event = make_event(rows=rows, seats_per_row=per_row)
        node = client.get_node_from_key(keys.tag(event.id))
        owners.setdefault(node.name, event)
    return list(owners.values())


def test_hold_checkout_and_sale_on_every_primary(cluster_app):
    client = cluster_app.extensions["holdfast_redis"]
    events = events_on_every_primary(client)
    for i, event in enumerate(events):
        ids = seat_ids(event)
        hold = hold_seats(event.id, f"c{i}", ids[:2])
        status, body = start_checkout(hold.hold_id, f"c{i}", "C", "c@example.com", f"k{i}")
        assert status == 201
        booking = confirm_payment(body["payment_url"].rsplit("/", 1)[1], True)
        assert booking.status == "confirmed"
        assert client.get(keys.seat(event.id, ids[0])) == "sold"
        assert [s.status for s in seat_states(event.id).seats[:3]] == [
            "booked",
            "booked",
            "available",
        ]
    owners = {client.get_node_from_key(keys.tag(e.id)).name for e in events}
    assert len(owners) == 3


def test_listener_expires_holds_on_every_primary(cluster_app, database_url, redis_url, cluster_url):
    cluster_app.config["HOLD_TTL_SECONDS"] = 1
    listener = spawn(
        "listener",
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "REDIS_CLUSTER_URL": cluster_url,
            "SECRET_KEY": "t",
        },
    )
    try:
        client = cluster_app.extensions["holdfast_redis"]
        primaries = client.get_primaries()
        wait_until(
            lambda: all(
                dict(n.redis_connection.pubsub_numsub("__keyevent@0__:expired")).get(
                    "__keyevent@0__:expired"
                )
                for n in primaries
            ),
            timeout=20,
        )
        refs = []
        for i, event in enumerate(events_on_every_primary(client)):
            hold = hold_seats(event.id, f"c{i}", seat_ids(event)[:1])
            _, body = start_checkout(hold.hold_id, f"c{i}", "C", "c@example.com", f"k{i}")
            refs.append(body["booking"]["reference"])

        def all_expired():
            db.session.commit()
            return (
                db.session.scalar(
                    select(func.count(Booking.id)).where(
                        Booking.reference.in_(refs), Booking.status == "expired"
                    )
                )
                == 3
            )

        wait_until(all_expired, timeout=15)
        actors = set(
            db.session.scalars(
                select(BookingEvent.actor).where(BookingEvent.to_status == "expired")
            )
        )
        assert actors == {"expiry listener"}
    finally:
        terminate(listener)


def test_rush_on_the_cluster_sells_each_seat_once(
    cluster_app, database_url, redis_url, cluster_url
):
    events = events_on_every_primary(cluster_app.extensions["holdfast_redis"], rows=2, per_row=50)
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_CLUSTER_URL": cluster_url,
        "SECRET_KEY": "t",
        "RATELIMIT_ENABLED": "0",
        "MAX_SEATS_PER_ADDRESS": "0",
    }
    web, base = start_gunicorn(env, workers=2, threads=8)
    barrier = threading.Barrier(360)
    results: list = []

    def customer(event_id):
        s = requests.Session()
        s.get(f"{base}/api/v1/events", timeout=30)
        barrier.wait()
        r = s.post(f"{base}/api/v1/events/{event_id}/holds", json={"quantity": 1}, timeout=60)
        if r.status_code != 201:
            results.append((event_id, r.json()["error"]))
            return
        c = s.post(
            f"{base}/api/v1/holds/{r.json()['hold_id']}/checkout",
            timeout=60,
            json={"name": "R", "email": "r@example.com"},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        results.append((event_id, "booked" if c.status_code == 201 else c.json()["error"]))

    threads = [threading.Thread(target=customer, args=(events[i % 3].id,)) for i in range(360)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        stop(web)
    outcome = Counter(results)
    for event in events:
        assert outcome[(event.id, "booked")] == 100 and outcome[(event.id, "sold_out")] == 20
    db.session.commit()
    active = db.session.scalars(select(BookingSeat.seat_id).where(BookingSeat.active)).all()
    assert len(active) == len(set(active)) == 300


def test_waiting_room_on_every_primary(cluster_app):
    """Joins, admission and figures on each primary: the room's keys share the event's
    hash tag, so its Lua scripts run on a cluster as they do on one Redis."""
    from webapp.booking.models import Event
    from webapp.booking.onsale import room, room_figures

    client = cluster_app.extensions["holdfast_redis"]
    for event in events_on_every_primary(client):
        row = db.session.get(Event, event.id)
        row.waiting_room, row.admit_per_minute = True, 60_000
        db.session.commit()
        room.forget(event.id)
        now = room.now_ms()
        for i in range(200):
            assert room.join(event.id, f"c{i}", now).state == "waiting"
        admitted = []
        for second in range(1, 6):
            admitted += room.admit(event.id, now + second * 1000)
        assert admitted == [f"c{i}" for i in range(200)]
        place = room.join(event.id, "c7", now + 6000)
        assert place.state == "admitted"
        assert room.gate(event.id, "c7", place.token, now + 7000) == 0
        figures = room_figures.figures(event.id, now + 7000)
        assert (figures.waiting, figures.active, figures.admitted_total) == (0, 200, 200)
    assert room.admit_all(room.now_ms()) == 0  # the admitter walks every room's node
