"""Staff roles: every staff URL against every role (a table over the app's URL map, so
a route that names no permission, or another than this table's, fails), event scope,
the team page, invitations and disabled accounts."""

from __future__ import annotations

import re
import time

import pytest
from flask import g
from sqlalchemy import select

from tests.factories import confirmed_booking, make_event, seat_by_label
from webapp.booking import hold_seats
from webapp.booking.models import Booking, OutboxMessage, StaffAction
from webapp.extensions import db
from webapp.staff import PUBLIC_ENDPOINTS
from webapp.staff.access import required_permission
from webapp.staff.roles import ROLES
from webapp.staff.users import StaffUser, create_staff

PASSWORD = "a long enough password"

# Who may use each staff URL: a new staff route must be added here (and name a
# permission in its view) or test_every_staff_route_is_in_the_table fails.
EXPECTED = {
    "staff.overview": "dashboard",
    "staff.event": "dashboard",
    "staff.release_hold": "seats",
    "staff.release_seat_holds": "seats",
    "staff.block_seats": "seats",
    "staff.bookings": "bookings",
    "staff.booking": "bookings",
    "staff.refund": "refunds",
    "staff.waitlist_page": "bookings",
    "staff.export_csv": "export",
    "staff.door_events": "door",
    "staff.door_page": "door",
    "staff.door_scan": "door",
    "staff.door_manifest": "door",
    "staff.door_sync": "door",
    "staff.room_page": "onsale",
    "staff.room_open": "onsale",
    "staff.room_pause": "onsale",
    "staff.room_rate": "onsale",
    "staff.room_settings": "onsale",
    "staff.create_presale_code": "onsale",
    "staff.new_event": "setup",
    "staff.new_venue": "setup",
    "staff.ops": "ops",
    "staff.retry_job": "ops",
    "staff.outbox_page": "ops",
    "staff.audit_trail": "audit",
    "staff.team_page": "team",
    "staff.invite": "team",
    "staff.change_account": "team",
    "ops.metrics": "ops",
}


def staff_endpoints(app) -> set[str]:
    found = set()
    for rule in app.url_map.iter_rules():
        public = rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint == "rq_dashboard.static"
        if rule.rule.startswith("/staff") and not public:
            found.add(rule.endpoint)
    return found | {"ops.metrics"}


def log_in(client, email: str) -> None:
    r = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert r.status_code == 303, r.data


@pytest.fixture
def team(app):
    """An admin (the first account), then one account of each other role."""
    create_staff("admin@example.com", PASSWORD, "door")  # the first is admin whatever
    for role in ("box_office", "door", "read_only"):
        create_staff(f"{role}@example.com", PASSWORD, role)
    return {role: f"{role}@example.com" for role in ROLES}


def sold(event, customer="ann"):
    return confirmed_booking(event, customer, ("A1",), f"{customer}@example.com")


def test_every_staff_route_is_in_the_table_and_names_its_permission(app):
    endpoints = staff_endpoints(app)
    for endpoint in endpoints - {"ops.metrics"}:
        if endpoint.startswith("rq_dashboard."):
            continue  # one check for the whole dashboard: test_rq_dashboard_is_for_admins
        assert endpoint in EXPECTED, f"{endpoint} is not in the roles table"
        assert required_permission(endpoint) == EXPECTED[endpoint], endpoint
    assert set(EXPECTED) <= endpoints


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_exactly_what_its_permissions_say(app, client, team, role):
    event = make_event(rows=1, seats_per_row=6)
    booking = sold(event)
    log_in(client, team[role])
    values = {"event_id": event.id, "reference": booking.reference, "user_id": 1}
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in EXPECTED:
            continue
        url = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(values.get(m.group(1), "x")), rule.rule)
        allowed = EXPECTED[rule.endpoint] in ROLES[role]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            r = client.open(url, method=method, data={})
            refused = 401 if rule.endpoint == "ops.metrics" else 403
            if allowed:
                assert r.status_code != refused, (role, method, url, r.status_code)
            else:
                assert r.status_code == refused, (role, method, url, r.status_code)
                if refused == 403:
                    assert f"“{EXPECTED[rule.endpoint]}” permission" in r.get_data(as_text=True)
            checked += 1
    assert checked >= len(EXPECTED)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_rq_dashboard_is_for_admins(app, client, team, role):
    log_in(client, team[role])
    r = client.get("/staff/rq/0/data/queues.json")
    assert r.status_code == (200 if role == "admin" else 403)
    changed = client.post(
        "/staff/rq/requeue/default", headers={"Origin": "http://localhost"}, data={}
    )
    assert (changed.status_code == 403) == (role != "admin")


def test_a_door_account_is_refused_refunds_csv_room_presale_and_other_events(app, client):
    mine, other = make_event(name="Mine"), make_event(name="Other")
    booking = sold(mine)
    create_staff("admin@example.com", PASSWORD)
    create_staff("door@example.com", PASSWORD, "door", [mine.id])
    log_in(client, "door@example.com")
    assert client.get(f"/staff/events/{mine.id}/door").status_code == 200
    r = client.get(f"/staff/events/{other.id}/door")
    assert r.status_code == 403 and "its own events only" in r.get_data(as_text=True)
    assert client.get(f"/staff/events/{other.id}/door/manifest").status_code == 403
    for refused in (
        client.post(f"/staff/bookings/{booking.reference}/refund"),
        client.get(f"/staff/events/{mine.id}/bookings.csv"),
        client.get(f"/staff/events/{mine.id}/room"),
        client.post(f"/staff/events/{mine.id}/presale-codes", data={"code": "SECRETCODE1"}),
        client.get("/staff/rq/"),
        client.get("/staff/team"),
    ):
        assert refused.status_code == 403
    assert db.session.get(Booking, booking.id).status == "confirmed"
    landing = client.get("/staff/door").get_data(as_text=True)
    assert "Mine" in landing and "Other" not in landing
    assert client.get(f"/bookings/{booking.reference}").status_code == 404  # not a staff lookup


def test_a_box_office_limited_to_one_event_sees_and_changes_only_its_own(app, client):
    mine, other = make_event(name="Mine"), make_event(name="Other")
    ours, theirs = sold(mine, "ann"), sold(other, "bob")
    create_staff("admin@example.com", PASSWORD)
    create_staff("desk@example.com", PASSWORD, "box_office", [mine.id])
    log_in(client, "desk@example.com")
    listing = client.get("/staff/bookings").get_data(as_text=True)
    assert ours.reference in listing and theirs.reference not in listing
    overview = client.get("/staff/").get_data(as_text=True)
    assert "Mine" in overview and "Other" not in overview
    assert client.get(f"/staff/bookings/{theirs.reference}").status_code == 403
    assert client.post(f"/staff/bookings/{theirs.reference}/refund").status_code == 403
    assert client.get(f"/staff/events/{other.id}/bookings.csv").status_code == 403
    assert client.get(f"/staff/bookings/{ours.reference}").status_code == 200
    # Another event's hold through this event's URL: not found, and still held.
    held = hold_seats(other.id, "cat", [seat_by_label(other, "B1").id])
    r = client.post(f"/staff/events/{mine.id}/holds/{held.hold_id}/release")
    assert r.status_code == 303
    assert "does not exist" in client.get(r.headers["Location"]).get_data(as_text=True)
    from webapp.booking import get_hold

    assert get_hold(held.hold_id, "cat") is not None
    assert db.session.get(Booking, theirs.id).status == "confirmed"


def test_pages_show_only_what_the_role_may_do(app, client, team):
    event = make_event()
    booking = sold(event)
    log_in(client, team["read_only"])
    page = client.get(f"/staff/events/{event.id}").get_data(as_text=True)
    assert "Download bookings" not in page and "Block" not in page and "Door" not in page
    nav = client.get("/staff/").get_data(as_text=True)
    assert "Bookings</a>" not in nav and "Ops</a>" not in nav and "Team</a>" not in nav
    client.post("/staff/logout")
    log_in(client, team["box_office"])
    page = client.get(f"/staff/bookings/{booking.reference}").get_data(as_text=True)
    assert "Refund the chosen tickets" in page
    assert "Download bookings" in client.get(f"/staff/events/{event.id}").get_data(as_text=True)


def test_the_first_account_is_an_admin_and_create_staff_takes_a_role(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["create-staff", "a@example.com", "--password", PASSWORD])
    door = runner.invoke(
        args=["create-staff", "d@example.com", "--password", PASSWORD, "--role", "door"]
    )
    assert "(admin)" in first.output and "(door)" in door.output
    bad = runner.invoke(args=["create-staff", "x@example.com", "--password", "p", "--role", "boss"])
    assert bad.exit_code != 0 and "boss" in bad.output
    log_in(client, "d@example.com")
    assert client.get("/staff/").status_code == 403


def invitation_link(to: str) -> str:
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to == to))
    return re.search(r"http://[^\s]+/staff/invite/\S+", message.body).group(0)


def test_an_admin_invites_a_door_account_whose_link_works_once(app, client, team):
    event = make_event(name="Gala")
    log_in(client, team["admin"])
    r = client.post(
        "/staff/team/invite",
        data={"email": "New@Example.com", "role": "door", "events": "some", "event_id": event.id},
    )
    assert r.status_code == 303
    link = invitation_link("new@example.com").removeprefix("http://localhost")
    client.post("/staff/logout")
    # Before the link is used the account cannot log in.
    r = client.post("/staff/login", data={"email": "new@example.com", "password": "!invited"})
    assert r.status_code == 401
    assert client.get(link).status_code == 200
    short = client.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 12" in short.get_data(as_text=True)
    r = client.post(link, data={"password": PASSWORD, "confirm": PASSWORD})
    assert r.status_code == 303
    assert client.get(link).status_code == 410  # spent
    assert client.post(link, data={"password": "x" * 20, "confirm": "x" * 20}).status_code == 410
    r = client.post("/staff/login", data={"email": "new@example.com", "password": PASSWORD})
    assert r.headers["Location"] == "/staff/door"
    assert client.get(f"/staff/events/{event.id}/door").status_code == 200
    actions = [a.action for a in db.session.scalars(select(StaffAction))]
    assert "invited staff" in actions and "accepted invitation" in actions


def test_an_invitation_lapses(app, client, team, monkeypatch):
    log_in(client, team["admin"])
    client.post(
        "/staff/team/invite",
        data={"email": "late@example.com", "role": "read_only", "events": "all"},
    )
    link = invitation_link("late@example.com").removeprefix("http://localhost")
    later = time.time() + 73 * 3600
    monkeypatch.setattr("itsdangerous.timed.time.time", lambda: later)
    r = client.get(link)
    assert r.status_code == 410 and "lapsed" in r.get_data(as_text=True)
    assert client.get(link[:-3] + "abc").status_code == 410  # forged


def test_team_changes_are_audited_disable_ends_sessions_and_the_last_admin_stays(app, client, team):
    door_client = app.test_client()
    log_in(door_client, team["door"])
    assert door_client.get("/staff/door").status_code == 200
    log_in(client, team["admin"])
    door = db.session.scalar(select(StaffUser).where(StaffUser.email == team["door"]))
    r = client.post(f"/staff/team/{door.id}", data={"role": "door", "events": "all"})  # no active
    assert r.status_code == 303
    g.pop("_login_user", None)  # the tests share one app context: Flask-Login's cache
    assert door_client.get("/staff/door").status_code == 303  # sent to log in again
    r = door_client.post("/staff/login", data={"email": team["door"], "password": PASSWORD})
    assert r.status_code == 401
    g.pop("_login_user", None)
    admin = db.session.scalar(select(StaffUser).where(StaffUser.email == team["admin"]))
    r = client.post(
        f"/staff/team/{admin.id}", data={"role": "read_only", "events": "all", "active": "1"}
    )
    assert "last admin" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert db.session.get(StaffUser, admin.id).role == "admin"
    bad = client.post(f"/staff/team/{door.id}", data={"role": "god", "events": "all"})
    assert "Choose a role" in client.get(bad.headers["Location"]).get_data(as_text=True)
    details = [a.detail for a in db.session.scalars(select(StaffAction))]
    assert any("door@example.com: door, disabled" in (d or "") for d in details)
