"""Security headers, a database outage answered with 503, and hand-written bad input."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

from tests.conftest import base_config
from tests.factories import make_event, seat_ids
from webapp import create_app


def test_security_headers_and_cookie_flags(client, app):
    make_event()
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "SAMEORIGIN"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_pages_have_no_inline_scripts(client, app):
    event = make_event()
    for url in ("/", f"/events/{event.id}", "/staff/login"):
        html = client.get(url).data.decode()
        assert "<script>" not in html and " on" + "click=" not in html
        assert all("src=" in tag for tag in html.split("<script")[1:])


@pytest.mark.parametrize("name", ["Zoë 🎭 Ødegård", "x" * 200])
def test_unicode_and_long_names_are_kept(client, app, name):
    event = make_event()
    hold = client.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 1}).get_json()
    r = client.post(
        f"/api/v1/holds/{hold['hold_id']}/checkout",
        json={"name": name, "email": "z@example.com"},
        headers={"Idempotency-Key": "u"},
    )
    assert r.status_code == 201 and r.get_json()["booking"]["name"] == name


def test_ten_kilobyte_name_is_refused(client, app):
    event = make_event()
    hold = client.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 1}).get_json()
    r = client.post(
        f"/api/v1/holds/{hold['hold_id']}/checkout",
        json={"name": "n" * 10_240, "email": "z@example.com"},
        headers={"Idempotency-Key": "u"},
    )
    assert r.status_code == 422 and "200 characters" in r.get_json()["message"]


def test_foreign_and_expired_hold_ids_and_keys_scoped_per_customer(client, app):
    event = make_event()
    other = app.test_client()
    mine = client.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 1}).get_json()
    theirs = other.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 1}).get_json()
    body = {"name": "A", "email": "a@example.com"}
    r = client.post(
        f"/api/v1/holds/{theirs['hold_id']}/checkout",
        json=body,
        headers={"Idempotency-Key": "shared"},
    )
    assert r.status_code == 404
    assert client.delete(f"/api/v1/holds/{theirs['hold_id']}").status_code == 404
    # The same key used by another customer is a different key: no replay, no leak.
    r = other.post(
        f"/api/v1/holds/{theirs['hold_id']}/checkout",
        json=body,
        headers={"Idempotency-Key": "shared"},
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/v1/holds/{mine['hold_id']}/checkout",
        json=body,
        headers={"Idempotency-Key": "shared2"},
    )
    assert r.status_code == 201
    for bad in ("not-a-hold", "999-abc", "0", "-"):
        assert client.post(
            f"/api/v1/holds/{bad}/checkout", json=body, headers={"Idempotency-Key": bad}
        ).status_code in (404, 410)


def test_seats_of_another_event_and_non_integer_ids(client, app):
    a, b = make_event(), make_event(name="B")
    r = client.post(f"/api/v1/events/{a.id}/holds", json={"seat_ids": [seat_ids(b)[0]]})
    assert r.status_code == 404 and r.get_json()["error"] == "foreign_seats"
    for bad in (["1"], [None], [{"id": 1}], [1e3], [2**70]):
        r = client.post(f"/api/v1/events/{a.id}/holds", json={"seat_ids": bad})
        assert r.status_code in (409, 422), (bad, r.status_code)


class _Proxy:
    """A TCP forwarder we can cut, to take the database away and bring it back."""

    def __init__(self, target: tuple[str, int]):
        self.target, self.up = target, True
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                with contextlib.suppress(OSError):
                    s.close()

    def cut(self):
        self.up = False
        for s in self.conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
        self.conns = []

    def restore(self):
        self.up = True


def test_database_outage_is_a_clean_503_and_service_recovers(app, database_url, redis_url):
    """PostgreSQL behind a TCP proxy that we cut for a moment (SQLite has no server to lose)."""
    from sqlalchemy.engine import make_url

    if not database_url.startswith("postgresql"):
        pytest.skip("needs a database server: runs on the PostgreSQL pass")
    url = make_url(database_url)
    proxy = _Proxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    outage_app = create_app(base_config(proxied, redis_url))
    client = outage_app.test_client()
    event_id = make_event().id  # through the test app; same database
    assert client.get(f"/api/v1/events/{event_id}/seats").status_code == 200
    try:
        proxy.cut()
        # A hold reads nothing from the database (Redis decides, the event is primed):
        # seats can still be held while the database is away...
        r = client.post(f"/api/v1/events/{event_id}/holds", json={"quantity": 1})
        assert r.status_code == 201
        hold_id = r.get_json()["hold_id"]
        # ...but checking out needs it: a clean 503, and nothing written.
        r = client.post(
            f"/api/v1/holds/{hold_id}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "outage"},
        )
        assert r.status_code == 503 and r.headers["Retry-After"] == "2"
        assert r.get_json()["error"] == "unavailable"
        assert client.get("/").status_code == 503
        proxy.restore()
        r = client.post(
            f"/api/v1/holds/{hold_id}/checkout",
            json={"name": "Ann", "email": "ann@example.com"},
            headers={"Idempotency-Key": "outage"},
        )
        assert r.status_code == 201  # recovered by itself (pool pre-ping reconnects)
    finally:
        proxy.restore()
        with outage_app.app_context():
            from webapp.extensions import db

            db.session.remove()
            db.engine.dispose()


def test_ids_beyond_32_bits_are_404_not_500(client, app):
    big = 2**70
    assert client.get(f"/api/v1/events/{big}/seats").status_code == 404
    assert client.post(f"/api/v1/events/{big}/holds", json={"quantity": 1}).status_code == 404
    assert client.get(f"/events/{big}").status_code == 404
    assert client.get(f"/events/{big}/changes?since=1").status_code in (204, 404)


def test_many_sessions_from_one_address_share_the_seat_cap(app, client):
    """Opening new sessions does not get round MAX_SEATS_PER_ADDRESS (8 by default)."""
    event = make_event(rows=2, seats_per_row=10)
    sessions = [app.test_client() for _ in range(5)]
    got = [s.post(f"/api/v1/events/{event.id}/holds", json={"quantity": 3}) for s in sessions]
    assert [r.status_code for r in got] == [201, 201, 429, 429, 429]
    assert got[2].get_json()["error"] == "address_limit"
    other = app.test_client()
    r = other.post(
        f"/api/v1/events/{event.id}/holds",
        json={"quantity": 2},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert r.status_code == 201  # another address has its own allowance
    hold = got[0].get_json()["hold_id"]
    assert sessions[0].delete(f"/api/v1/holds/{hold}").status_code == 204
    again = sessions[2].post(f"/api/v1/events/{event.id}/holds", json={"quantity": 3})
    assert again.status_code == 201  # releasing gives the allowance back
