"""Start a private localstripe (a stateful fake of Stripe's API and Stripe.js) for the
tests and `make run` with PAYMENT_PROVIDER=stripe; nothing it holds outlives it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests

from webapp.devtools.redis_server import free_port

BIN = Path(sys.executable).parent


def start_localstripe(log: Path, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """localstripe on loopback, from scratch; returns (process, base URL)."""
    port = port or free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [str(BIN / "localstripe"), "--port", str(port), "--from-scratch"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/js.stripe.com/v3/", timeout=1).raise_for_status()
            return proc, url
        except requests.RequestException:
            if proc.poll() is not None:
                exited = f"localstripe exited with {proc.returncode}; see {log}"
                raise RuntimeError(exited) from None
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise
            time.sleep(0.1)


def register_webhook(base: str, name: str, url: str, secret: str) -> None:
    """Have localstripe deliver its signed events to `url` (its /_config API)."""
    requests.post(
        f"{base}/_config/webhooks/{name}", data={"url": url, "secret": secret}, timeout=5
    ).raise_for_status()
