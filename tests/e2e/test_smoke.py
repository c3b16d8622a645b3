"""The browser reaches the real server and sees the events."""

from playwright.sync_api import expect

from tests.factories import make_event


def test_home_page_in_chromium(app, server, new_page):
    make_event(name="Opening Night")
    page = new_page()
    page.goto(server + "/")
    expect(page.get_by_role("link", name="Opening Night")).to_be_visible()
    expect(page.get_by_text("20 of 20 seats left")).to_be_visible()


def test_pages_satisfy_the_content_security_policy(app, server, new_page):
    """No CSP violation while browsing and clicking: scripts and styles come from /static."""
    event = make_event(name="Strict Night")
    page = new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{server}/events/{event.id}")
    page.wait_for_function("window.htmx !== undefined")
    page.locator("#seatmap .seat").first.click()
    expect(page.locator("#basket")).to_contain_text("Row A seat 1")
    page.goto(f"{server}/staff/login")
    assert not problems, problems
