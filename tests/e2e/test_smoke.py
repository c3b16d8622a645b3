"""The browser reaches the real server and sees the events."""

from playwright.sync_api import expect

from tests.factories import make_event


def test_home_page_in_chromium(app, server, new_page):
    make_event(name="Opening Night")
    page = new_page()
    page.goto(server + "/")
    expect(page.get_by_role("link", name="Opening Night")).to_be_visible()
    expect(page.get_by_text("20 of 20 seats left")).to_be_visible()
