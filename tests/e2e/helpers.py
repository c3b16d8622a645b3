"""Finding things on the seat map, and logging in as staff, the way a person would."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


def seat(page: Page, label: str) -> Locator:
    """The seat button labelled e.g. "C12" (its tooltip starts with the label)."""
    return page.locator(f'#seatmap .seat[data-price^="{label} ·"]')


def open_event(page: Page, base: str, event_id: int) -> None:
    page.goto(f"{base}/events/{event_id}")
    page.wait_for_function("window.htmx !== undefined")


def staff_login(page: Page, base: str, email: str, password: str) -> None:
    """Log in through the staff login form."""
    page.goto(f"{base}/staff/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
