"""Customer pages render (the browser tests drive them further)."""

from tests.factories import make_event


def test_home_lists_events_with_availability(client, app):
    make_event(name="Hamlet")
    r = client.get("/")
    assert r.status_code == 200
    assert b"Hamlet" in r.data and b"20 of 20 seats left" in r.data


def test_unknown_event_and_booking_are_friendly_404s(client, app):
    r = client.get("/events/999")
    assert r.status_code == 404 and b"That event does not exist." in r.data
    r = client.get("/bookings/HFNOPE")
    assert r.status_code == 404 and b"does not exist or is not yours" in r.data
