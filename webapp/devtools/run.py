"""`make run`: Redis if needed, migrations, demo data, then every process via honcho.

Uses REDIS_URL when set; otherwise starts a private redis-server under
instance/redis on a free loopback port and stops it again on Ctrl-C.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from webapp.devtools.redis_server import start_redis, wait_for_redis

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def flask(*args: str, env: dict) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "webapp", *args], cwd=ROOT, env=env, check=True)


def main() -> None:
    env = dict(os.environ)
    redis_proc = None
    if env.get("REDIS_URL"):
        wait_for_redis(env["REDIS_URL"])
    else:
        redis_proc, env["REDIS_URL"] = start_redis(ROOT / "instance" / "redis")
        print(f"Started a private Redis at {env['REDIS_URL']}")
    port = env.setdefault("PORT", "8000")
    # A laptop stack: the test payment provider on, its webhooks to this server.
    env.setdefault("TEST_PAYMENT_PROVIDER", "1")
    env.setdefault("PUBLIC_BASE_URL", f"http://127.0.0.1:{port}")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    try:
        flask("db", "upgrade", env=env)
        flask("seed-demo", "--if-empty", env=env)
        flask("demo-onsale", env=env)
        print(f"\n  Holdfast is starting at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
        print("  Staff accounts: flask --app webapp create-staff you@example.com\n")
        subprocess.run(
            [str(BIN / "honcho"), "start", "-f", str(ROOT / "Procfile")], cwd=ROOT, env=env
        )
    except KeyboardInterrupt:
        pass
    finally:
        if redis_proc is not None:
            redis_proc.terminate()
            redis_proc.wait(10)


if __name__ == "__main__":
    main()
