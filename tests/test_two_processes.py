"""Sign-in throttling lives in the database, so it holds across several server processes
(design §6; security test 9). Two real uvicorn processes share one database."""

from __future__ import annotations

import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from app.db import make_engine, unit_of_work
from app.models import LoginAttempt, utcnow
from tests.conftest import PASSWORD, make_settings
from tests.live import REPO, live_server

pytestmark = pytest.mark.slow


def migrate(database_url: str) -> None:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PACEWISE_")}
    environment["DATABASE_URL"] = database_url
    result = subprocess.run(  # noqa: S603 - our own command
        [str(REPO / ".venv" / "bin" / "pacewise"), "migrate"], cwd=REPO, env=environment,
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr


def sign_in(base_url: str, email: str, password: str) -> httpx.Response:
    return httpx.post(f"{base_url}/api/v1/auth/login",
                      json={"email": email, "password": password}, timeout=30)


def test_failed_sign_ins_counted_by_one_process_lock_the_account_in_the_other(
    database_url: str,
) -> None:
    migrate(database_url)
    with live_server(database_url) as first, live_server(database_url) as second:
        for base_url, email in ((first, "pat@example.org"), (second, "sam@example.org")):
            registered = httpx.post(f"{base_url}/api/v1/auth/register", timeout=30,
                                    json={"email": email, "password": PASSWORD, "name": "Pat"})
            assert registered.status_code == 201, registered.text

        for attempt in range(10):
            server = (first, second)[attempt % 2]
            answer = sign_in(server, "pat@example.org", "not it at all")
            assert answer.status_code == 401, (attempt, answer.text)

        for server in (first, second):
            for password in (PASSWORD, "not it at all"):
                locked = sign_in(server, "pat@example.org", password)
                assert locked.status_code == 429, (server, locked.text)
                assert locked.json()["error"] == "too_many_attempts"
                assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
                assert "set-cookie" not in locked.headers
        # Another account from the same address is not caught by the account's lock.
        assert sign_in(first, "sam@example.org", PASSWORD).status_code == 200
        assert sign_in(second, "sam@example.org", PASSWORD).status_code == 200

        _move_attempts_back(database_url, timedelta(minutes=15, seconds=5))

        assert sign_in(second, "pat@example.org", "not it at all").status_code == 401
        assert sign_in(first, "pat@example.org", PASSWORD).status_code == 200


def test_parallel_guesses_at_both_processes_get_no_more_than_ten_tries(
    database_url: str,
) -> None:
    """Counting and recording an attempt must not race: 24 guesses sent at once, half to
    each process, still get exactly 10 answers of 401 and 429 for the rest."""
    migrate(database_url)
    with live_server(database_url) as first, live_server(database_url) as second:
        registered = httpx.post(f"{first}/api/v1/auth/register", timeout=30,
                                json={"email": "pat@example.org", "password": PASSWORD,
                                      "name": "Pat"})
        assert registered.status_code == 201, registered.text
        servers = [first, second] * 12

        with ThreadPoolExecutor(max_workers=len(servers)) as pool:
            answers = list(pool.map(
                lambda server: sign_in(server, "pat@example.org", "not it at all").status_code,
                servers))

    assert sorted(answers) == [401] * 10 + [429] * 14


def _move_attempts_back(database_url: str, by: timedelta) -> None:
    """Let the throttle window pass, as if the attempts had been made `by` ago."""
    engine = make_engine(make_settings(database_url))
    try:
        with unit_of_work(engine, write=True) as session:
            session.execute(sa.update(LoginAttempt).values(at=utcnow() - by))
    finally:
        engine.dispose()
