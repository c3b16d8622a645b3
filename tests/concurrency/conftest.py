"""A real gunicorn server over the test database and Redis, for concurrency tests."""

from __future__ import annotations

import pytest

from webapp.devtools.server import start_gunicorn, stop


@pytest.fixture
def server_env(database_url, redis_url) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "RATELIMIT_ENABLED": "0",
        "TEST_PAYMENT_PROVIDER": "1",
        "MAX_SEATS_PER_ADDRESS": "0",
    }  # every client is 127.0.0.1


@pytest.fixture
def live_server(app, server_env):
    """Base URL of gunicorn serving the app; the `app` fixture has cleaned DB and Redis."""
    proc, url = start_gunicorn(server_env)
    yield url
    stop(proc)
