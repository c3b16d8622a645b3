"""Playwright against a real gunicorn server, Redis and Debian's chromium.

`playwright install` cannot download browsers here, so the tests launch the
system chromium (CHROMIUM, default /usr/bin/chromium). On failure a screenshot
of every open page is saved under tests/e2e/artifacts/.
"""

from __future__ import annotations

import os
import re
from contextlib import suppress
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

from webapp.booking.models import utcnow
from webapp.booking.venues.venues import create_event
from webapp.devtools.processes import spawn, terminate
from webapp.devtools.server import start_gunicorn, stop
from webapp.seed import arena_layout, theatre_layout

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No chromium at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def e2e_env() -> dict[str, str]:
    """Extra server environment; a test module may override this fixture."""
    return {}


@pytest.fixture
def server(app, database_url, redis_url, e2e_env):
    """gunicorn plus the expiry listener, RQ worker and scheduler, as in production."""
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "e2e",
        "PAYMENT_WEBHOOK_SECRET": "whsec_e2e",
        "RATELIMIT_ENABLED": "0",
        "TEST_PAYMENT_PROVIDER": "1",
        "TIME_ZONE": "UTC",  # as the in-process app (tests/conftest.py base_config)
        **e2e_env,
    }
    proc, url = start_gunicorn(env, workers=2, threads=8)
    background = [spawn(kind, env) for kind in ("listener", "worker", "scheduler")]
    yield url
    for p in background:
        terminate(p)
    stop(proc)


@pytest.fixture
def new_page(browser, request):
    """Factory for pages in fresh contexts (separate customers); screenshots kept."""
    contexts = []

    def make():
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        contexts.append(context)
        return context.new_page()

    yield make
    keep_screens(request, contexts, full_page=True)


def keep_screens(request, contexts: list, full_page: bool) -> None:
    """Every test's pages as it left them, passed or failed, under tests/e2e/artifacts/
    (a failed test's names start with FAILED-); then the contexts are closed."""
    report = getattr(request.node, "rep_call", None)
    prefix = "FAILED-" if report is not None and report.failed else ""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for i, context in enumerate(contexts):
        for j, page in enumerate(context.pages):
            name = re.sub(r"[^\w.-]+", "_", f"{prefix}{request.node.name}-{i}-{j}")
            with suppress(PlaywrightError):  # a page that crashed has no picture to keep
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full_page)
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def theatre(app):
    """The demo theatre (240 seats in three price zones), for the device tests."""
    return create_event("Phone Theatre", "Hamlet", utcnow().replace(year=2031), theatre_layout())


@pytest.fixture
def arena(app):
    """The 20,000-seat demo arena, for the device tests."""
    return create_event("Phone Arena", "Arena Night", utcnow().replace(year=2031), arena_layout())


@pytest.fixture
def device(browser, request):
    """A page in a fresh context with the given device settings (screenshots kept)."""
    contexts = []

    def make(settings: dict) -> Page:
        context = browser.new_context(**settings)
        contexts.append(context)
        return context.new_page()

    yield make
    keep_screens(request, contexts, full_page=False)
