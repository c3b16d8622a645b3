"""Staff tools in a real browser (issue 28): rq-dashboard lists the queues under its own
content security policy; refunds and opening the sale ask first."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import staff_login
from webapp.staff.users import create_staff


def test_rq_dashboard_lists_the_queues(server, new_page):
    """It stayed on "Loading..." for ever: its scripts need eval, which the CSP blocked."""
    create_staff("admin@example.com", "s3cret-admin")
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    staff_login(page, server, "admin@example.com", "s3cret-admin")
    page.goto(f"{server}/staff/rq/")
    queues = page.locator("table#queues, #queues")
    expect(queues.first).to_contain_text("holdfast", timeout=10000)  # webapp.queues
    expect(page.get_by_text("Loading...")).to_have_count(0)
    assert not [e for e in errors if "Content Security Policy" in e], errors
