"""Crash safety (security test 29; issue 7 item 3): a real server under a sync write storm is
killed with SIGKILL at a random moment, again and again, and restarted. After every kill:
every push acknowledged before it is stored; the store is intact (SQLite's
`PRAGMA integrity_check` is `ok`); no push is half-applied (each push's records are all
there or none is, and the patient's change counter equals the records it counted); and the
push whose answer the kill cut off, sent again as a phone would, comes back all `duplicate`
or all `applied` — never a mix — after which every one of its records is there.

SQLite runs 20 rounds. PostgreSQL (when TEST_DATABASE_URL is set) runs 3: the database
server is not the process killed, so its rounds test one thing — that the app answers only
after commit — and a few keep the suite inside its time.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from app import migrate
from tests.conftest import PASSWORD, make_settings
from tests.factories import valid_fields
from tests.live import (
    REPO,
    VENV_PYTHON,
    _wait_until_healthy,
    free_port,
    read_stored_diary,
    server_environment,
)

pytestmark = pytest.mark.slow

ROUNDS = {"sqlite": 20, "postgresql": 3}
WRITERS = 2
BATCH = 50
SEED = 20261127
PUSH = "/api/v1/sync/push"
EMAIL = "pat@example.org"


def start_server(database_url: str) -> tuple[subprocess.Popen[bytes], str]:
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    for _attempt in range(3):  # another process may take the free port before we do
        base_url = f"http://127.0.0.1:{free_port()}"
        process = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
            [python, "-m", "uvicorn", "app.main:create_app", "--factory", "--host",
             "127.0.0.1", "--port", base_url.rsplit(":", 1)[1], "--no-server-header",
             "--no-access-log"],
            cwd=REPO, env=server_environment(database_url, base_url),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        if _wait_until_healthy(process, base_url):
            return process, base_url
        process.kill()
        process.wait()
    raise RuntimeError("the Pacewise server did not start")


def kill_9(process: subprocess.Popen[bytes]) -> None:
    process.kill()  # SIGKILL: no shutdown, no flush, no rollback by the app
    process.wait()


class Writer:
    """One phone pushing batches of new diary entries until the server goes away."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.client_id = str(uuid.uuid4())
        self.next_id = 1
        self.sent: list[list[str]] = []  # every push's record ids, acknowledged or not
        self.acknowledged: list[list[str]] = []
        self.unanswered: dict | None = None  # the push the kill cut off, to send again
        self.errors: list[str] = []

    def storm(self) -> None:
        while True:
            ids = [str(uuid.uuid4()) for _ in range(BATCH)]
            body = {"client_id": self.client_id, "schema_version": 1, "mutations": [
                {"id": self.next_id + n, "entity": "diary_entry", "op": "upsert",
                 "record_id": record_id, "base_version": 0,
                 "fields": valid_fields("diary_entry")} for n, record_id in enumerate(ids)]}
            self.sent.append(ids)
            try:
                response = self.client.post(PUSH, json=body)
            except httpx.TransportError:
                self.unanswered = body  # the server died: whether it acted is unknown
                return
            if response.status_code != 200:
                self.errors.append(f"{response.status_code} {response.text[:200]}")
                return
            statuses = {result["status"] for result in response.json()["results"]}
            if statuses != {"applied"}:
                self.errors.append(f"unexpected results {statuses}")
            self.acknowledged.append(ids)
            self.next_id += BATCH


def signed_in(base_url: str, cookies: httpx.Cookies | None = None) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=30, cookies=cookies)
    if cookies is None:
        response = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
        assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.cookies.get("csrf_token") or ""
    return client


def test_pushes_acknowledged_before_a_kill_9_survive_and_none_is_half_applied(
    database_url: str,
) -> None:
    engine_name = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    rounds = ROUNDS[engine_name]
    randomness = random.Random(SEED)
    migrate.upgrade(make_settings(database_url))
    process, base_url = start_server(database_url)
    try:
        registered = httpx.post(f"{base_url}/api/v1/auth/register", timeout=30,
                                json={"email": EMAIL, "password": PASSWORD, "name": "Pat"})
        assert registered.status_code == 201, registered.text
        acknowledged_total = resent = 0
        for round_number in range(rounds):
            writers = [Writer(signed_in(base_url)) for _ in range(WRITERS)]
            threads = [threading.Thread(target=writer.storm) for writer in writers]
            for thread in threads:
                thread.start()
            time.sleep(randomness.uniform(0.15, 0.6))
            kill_9(process)
            for thread in threads:
                thread.join(timeout=30)

            store = read_stored_diary(database_url)
            stored, counter = store.ids, store.counter
            assert store.problems == [], (round_number, store.problems)
            for writer in writers:
                assert writer.errors == [], (round_number, writer.errors)
                lost = [record for push in writer.acknowledged for record in push
                        if record not in stored]
                assert lost == [], (round_number, f"{len(lost)} acknowledged records lost")
                halves = [sum(record in stored for record in push) for push in writer.sent]
                assert all(count in (0, BATCH) for count in halves), (round_number, halves)
            assert counter == len(stored), (round_number, "counter and rows disagree",
                                            counter, len(stored))

            # Restart; each phone sends its cut-off push again with the session it had.
            process, base_url = start_server(database_url)
            for writer in writers:
                cookies = writer.client.cookies
                writer.client.close()
                if writer.unanswered is None:
                    continue
                with signed_in(base_url, cookies) as client:
                    response = client.post(PUSH, json=writer.unanswered)
                assert response.status_code == 200, (round_number, response.text)
                statuses = {result["status"] for result in response.json()["results"]}
                assert statuses in ({"applied"}, {"duplicate"}), (round_number, statuses)
                resent += 1
            store = read_stored_diary(database_url)
            stored, counter = store.ids, store.counter
            for writer in writers:
                if writer.unanswered is not None:
                    missing = [record for record in writer.sent[-1] if record not in stored]
                    assert missing == [], (round_number, "a push sent again is not all there")
            assert counter == len(stored), (round_number, counter, len(stored))
            acknowledged_total += sum(len(writer.acknowledged) for writer in writers)

        assert acknowledged_total >= rounds, "the storms must have written something"
        print(f"crash safety on {engine_name}: {rounds} kills, {acknowledged_total} pushes of "
              f"{BATCH} acknowledged and all present, {resent} cut-off pushes sent again "
              "and applied once")
    finally:
        if process.poll() is None:
            kill_9(process)
