"""Fuzz the JSON API from its OpenAPI description (schemathesis) against a live server.

Every check is on: no 5xx, responses match the schema and the documented status
codes, schema-valid requests are accepted and invalid ones refused, and the
stateful phase chains holds into checkouts and bookings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_event

pytestmark = pytest.mark.slow


def test_api_survives_schemathesis(app, live_server, tmp_path):
    make_event()
    st = Path(sys.executable).parent / "st"
    result = subprocess.run(
        [
            str(st),
            "run",
            f"{live_server}/api/v1/openapi.yaml",
            "--url",
            f"{live_server}/api/v1",
            "--checks",
            "all",
            "--max-examples",
            "40",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,  # its cache (.schemathesis/) is the run's own, not the checkout's
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert "API Operations" in result.stdout
