"""What the benchmarks share: the app under gunicorn on a free port of 127.0.0.1, and a
throwaway PostgreSQL (scripts/pg_local.sh) to serve it from."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(*, workers: int, env: dict | None = None, args: tuple[str, ...] = ()) -> Iterator[str]:
    """Serve the app with gunicorn until /health/ answers; yield its base URL; stop it.

    ``args``: more of gunicorn's options (``("--timeout", "120")``).
    """
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *args,
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/health/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not answer on /health/")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def start_postgres() -> tuple[str, str]:
    """Start a throwaway PostgreSQL; its DATABASE_URL and the folder to stop it by."""
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "pg_local.sh"), "start"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return values["DATABASE_URL"], values["PGLOCAL_DIR"]


def stop_postgres(pg_dir: str) -> None:
    """Stop the PostgreSQL that ``start_postgres`` started, and remove its folder."""
    subprocess.run(["bash", str(ROOT / "scripts" / "pg_local.sh"), "stop", pg_dir])
