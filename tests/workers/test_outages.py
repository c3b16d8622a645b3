"""Outages under a running stack (issue 14.6): Redis, or the database server, shuts down
and comes back; the web process answers 503 meanwhile, no process exits, and within 5 s
of the return pages, holds, payments and expiry work again, holds that lapsed meanwhile
released."""

from __future__ import annotations

import contextlib
import time

import pytest
import redis
import requests
from sqlalchemy import select

from tests.factories import make_event, seat_ids
from tests.workers.conftest import wait_until
from tests.workers.test_payments import post_event
from webapp.booking.models import Booking
from webapp.devtools.pg_server import PrivatePostgres, pg_binary
from webapp.devtools.processes import spawn, terminate
from webapp.devtools.redis_server import start_redis
from webapp.devtools.server import start_gunicorn, stop
from webapp.extensions import db

pytestmark = pytest.mark.slow
BACK_WITHIN = 5.0


@pytest.fixture
def own_redis(tmp_path):
    """A Redis this test may shut down: it saves to disk on SHUTDOWN and reloads on start."""
    workdir = tmp_path / "redis"
    proc, url = start_redis(workdir)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    state = {"proc": proc, "url": url}

    def restart():
        state["proc"], _ = start_redis(workdir, port)

    state["restart"] = restart
    yield state
    terminate(state["proc"])


def ready(url: str) -> tuple[int, set[str]]:
    """/readyz's status and the names of the checks that failed."""
    r = requests.get(f"{url}/readyz", timeout=10)
    return r.status_code, {name for name, c in r.json()["checks"].items() if not c["ok"]}


def shut_down(url: str, proc) -> None:
    with contextlib.suppress(redis.ConnectionError):  # it closes the connection as it goes
        redis.Redis.from_url(url).shutdown(save=True)
    proc.wait(10)


def test_redis_restart_under_a_running_stack(app, proc_env, own_redis, tmp_path):
    event = make_event(rows=2, seats_per_row=10)
    ids = seat_ids(event)
    env = {**proc_env, "REDIS_URL": own_redis["url"], "HOLD_TTL_SECONDS": "3",
           "HOLD_GRACE_SECONDS": "1", "TEST_PAYMENT_PROVIDER": "1"}  # fmt: skip
    web, url = start_gunicorn(env, workers=2, threads=4)
    background = {
        k: spawn(k, env, tmp_path / f"{k}.log") for k in ("listener", "worker", "scheduler")
    }
    try:
        buyer = requests.Session()
        page = f"{url}/events/{event.id}"
        assert buyer.get(page).status_code == 200
        wait_until(lambda: ready(url) == (200, set()), timeout=10)
        hold = buyer.post(f"{url}/api/v1/events/{event.id}/holds", json={"seat_ids": ids[:1]})
        assert hold.status_code == 201
        done = buyer.post(
            f"{url}/api/v1/holds/{hold.json()['hold_id']}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "k1"},
        )
        assert done.status_code == 201
        reference = done.json()["booking"]["reference"]
        assert buyer.post(f"{url}/api/v1/events/{event.id}/holds", json={"seat_ids": ids[1:2]}).ok

        shut_down(own_redis["url"], own_redis["proc"])
        for path in (page, f"{url}/api/v1/events/{event.id}/seats"):
            r = buyer.get(path)
            assert r.status_code == 503 and r.headers["Retry-After"]
        status, failing = ready(url)
        assert status == 503 and {"redis", "listener", "scheduler"} <= failing
        assert "database" not in failing
        time.sleep(4)  # both holds lapse while Redis is away
        assert all(p.poll() is None for p in (web, *background.values())), "a process exited"

        own_redis["restart"]()
        back = time.monotonic()

        def page_answers():
            return buyer.get(page).status_code == 200

        wait_until(page_answers, timeout=BACK_WITHIN)
        wait_until(lambda: ready(url) == (200, set()), timeout=BACK_WITHIN + 5)

        def lapsed_holds_released():
            db.session.commit()
            booking = db.session.scalar(select(Booking).where(Booking.reference == reference))
            seats = buyer.get(f"{url}/api/v1/events/{event.id}/seats").json()["seats"]
            free = {s["id"] for s in seats if s["status"] == "available"}
            return booking.status == "expired" and {ids[0], ids[1]} <= free

        wait_until(lapsed_holds_released, timeout=BACK_WITHIN - (time.monotonic() - back))

        # Holds, checkout and a payment through the worker work again.
        hold = buyer.post(f"{url}/api/v1/events/{event.id}/holds", json={"seat_ids": ids[2:3]})
        assert hold.status_code == 201
        done = buyer.post(
            f"{url}/api/v1/holds/{hold.json()['hold_id']}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "k2"},
        )
        payment_id = done.json()["payment_url"].rsplit("/", 1)[1]
        assert post_event(url, "evt_after_outage", payment_id).status_code == 200
        paid = done.json()["booking"]["reference"]

        def confirmed():
            r = buyer.get(f"{url}/api/v1/bookings/{paid}")
            return r.ok and r.json()["booking"]["status"] == "confirmed"

        wait_until(confirmed, timeout=BACK_WITHIN)
        assert all(p.poll() is None for p in (web, *background.values())), "a process exited"
    finally:
        for p in background.values():
            terminate(p)
        stop(web)


def test_database_server_restart_under_a_running_stack(
    app, database_url, proc_env, redis_url, tmp_path
):
    """The database server stops and starts again (PostgreSQL: a private server of its own,
    never the machine's): 503 where a page needs it, no process exits, and within 5 s of
    its return checkout works and holds that lapsed meanwhile are released."""
    if not database_url.startswith("postgresql"):
        pytest.skip("needs a database server: runs on the PostgreSQL pass")
    if pg_binary("initdb") is None or pg_binary("pg_ctl") is None:
        pytest.skip("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    pg = PrivatePostgres()
    try:
        _database_restart(pg, proc_env, redis_url, tmp_path)
    finally:
        pg.remove()


def _database_restart(pg, proc_env, redis_url, tmp_path):
    from flask_migrate import upgrade

    from tests.conftest import base_config
    from webapp import create_app

    own = create_app(base_config(pg.url, redis_url))
    with own.app_context():
        upgrade()
        event = make_event(rows=2, seats_per_row=10)
        event_id, ids = event.id, seat_ids(event)
        # Close this app's pooled connections before the server goes away: a connection
        # left to the garbage collector warns (ResourceWarning), which CI treats as an error.
        db.session.remove()
        db.engine.dispose()
    env = {**proc_env, "DATABASE_URL": pg.url, "HOLD_TTL_SECONDS": "3",
           "HOLD_GRACE_SECONDS": "1"}  # fmt: skip
    web, url = start_gunicorn(env, workers=2, threads=4)
    background = {
        k: spawn(k, env, tmp_path / f"{k}.log") for k in ("listener", "worker", "scheduler")
    }
    try:
        buyer = requests.Session()
        api = f"{url}/api/v1"
        wait_until(lambda: ready(url) == (200, set()), timeout=10)
        hold = buyer.post(f"{api}/events/{event_id}/holds", json={"seat_ids": ids[:1]})
        done = buyer.post(
            f"{api}/holds/{hold.json()['hold_id']}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "k1"},
        )
        reference = done.json()["booking"]["reference"]
        pg.stop()
        r = buyer.get(f"{api}/bookings/{reference}")
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert ready(url) == (503, {"database"})
        time.sleep(4)  # the hold lapses while the database is away
        assert all(p.poll() is None for p in (web, *background.values())), "a process exited"
        pg.start()

        def expired():
            r = buyer.get(f"{api}/bookings/{reference}")
            return r.ok and r.json()["booking"]["status"] == "expired"

        wait_until(expired, timeout=BACK_WITHIN)
        assert ready(url) == (200, set())
        hold = buyer.post(f"{api}/events/{event_id}/holds", json={"seat_ids": ids[:1]})
        assert hold.status_code == 201  # the lapsed hold's seat is on sale again
        done = buyer.post(
            f"{api}/holds/{hold.json()['hold_id']}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "k2"},
        )
        assert done.status_code == 201
        assert all(p.poll() is None for p in (web, *background.values())), "a process exited"
    finally:
        for p in background.values():
            terminate(p)
        stop(web)
