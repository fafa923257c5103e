"""A real Pacewise server for tests: `uvicorn` in a subprocess on a free loopback port.

    with live_server(database_url) as base_url:
        httpx.get(f"{base_url}/healthz")

The database must already have its tables (run `pacewise migrate` first). Extra keyword
arguments are environment variables for the server, e.g. `PACEWISE_ENV="production"`.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
TEST_SECRET_KEY = "live-test-secret-" + "k" * 32  # noqa: S105 - test-only secret
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(database_url: str, base_url: str, **env: str) -> dict[str, str]:
    """The parent's environment without its Pacewise settings, plus the server's own."""
    inherited = {
        key: value for key, value in os.environ.items()
        if not key.startswith("PACEWISE_") and key != "DATABASE_URL"
    }
    return {
        **inherited,
        "DATABASE_URL": database_url,
        "PACEWISE_SECRET_KEY": TEST_SECRET_KEY,
        "PACEWISE_BASE_URL": base_url,
        "PYTHONUNBUFFERED": "1",
        **env,
    }


@contextmanager
def live_server(database_url: str, **env: str) -> Iterator[str]:
    """Run Pacewise in its own process until the block ends; yield its base URL."""
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    with tempfile.TemporaryFile(mode="w+", prefix="pacewise-live-") as log:
        for _attempt in range(3):  # another process may take the free port before we do
            port = free_port()
            base_url = f"http://127.0.0.1:{port}"
            process = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
                [python, "-m", "uvicorn", "app.main:create_app", "--factory",
                 "--host", "127.0.0.1", "--port", str(port), "--no-server-header"],
                cwd=REPO, env=server_environment(database_url, base_url, **env),
                stdout=log, stderr=subprocess.STDOUT,
            )
            try:
                if _wait_until_healthy(process, base_url):
                    yield base_url
                    return
            finally:
                _stop(process)
            if "address already in use" not in _read(log).lower():
                break
        raise RuntimeError(f"the Pacewise server did not start:\n{_read(log)[-4000:]}")


def _wait_until_healthy(process: subprocess.Popen[bytes], base_url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _read(log: IO[str]) -> str:
    log.flush()
    log.seek(0)
    return log.read()


@dataclass
class StoredDiary:
    """What a live server left in its store, read straight from the database."""

    problems: list[str]  # what SQLite's integrity and foreign-key checks found (PostgreSQL
    #                      refuses such rows as they are written, so it has none to report)
    ids: set[str]        # the diary entries' ids
    counter: int         # the patient's change counter (one patient per store)
    highest: int         # the highest diary entry version


def read_stored_diary(database_url: str) -> StoredDiary:
    queries = ("SELECT id FROM diary_entry", "SELECT version FROM patient_sync_state",
               "SELECT max(version) FROM diary_entry")
    problems: list[str] = []
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
            problems += [] if integrity == "ok" else [integrity]
            problems += [f"foreign key broken: {row}"
                         for row in connection.execute("PRAGMA foreign_key_check")]
            ids, counter, highest = (connection.execute(query).fetchall() for query in queries)
        finally:
            connection.close()
    else:
        engine = sa.create_engine(database_url)
        try:
            with engine.connect() as pg:
                ids, counter, highest = (pg.execute(sa.text(query)).fetchall()
                                         for query in queries)
        finally:
            engine.dispose()
    return StoredDiary(problems, {str(uuid.UUID(str(row[0]))) for row in ids},
                       counter[0][0] if counter else 0, highest[0][0] or 0)
