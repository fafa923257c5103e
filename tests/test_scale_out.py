"""Several app processes on one database (design §6, issue 7 item 7): nothing lives in a
process's memory, so two devices of one patient can sync through either process, in turn,
and end up equal to the server with nothing duplicated or lost."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from app import migrate
from app.db import make_engine
from app.syncclient import Device, HttpTransport
from tests.conftest import PASSWORD, make_settings
from tests.factories import valid_fields
from tests.live import live_server
from tests.sync.helpers import pull_everything, server_view, stored_rows

pytestmark = pytest.mark.slow
ROUNDS = 6


def test_two_devices_syncing_through_two_processes_in_turn_end_equal_to_the_server(
    database_url: str,
) -> None:
    migrate.upgrade(make_settings(database_url))
    with live_server(database_url) as first, live_server(database_url) as second:
        servers = (first, second)
        email = f"{uuid.uuid4().hex[:8]}@example.org"
        registered = httpx.post(f"{first}/api/v1/auth/register", timeout=30,
                                json={"email": email, "password": PASSWORD, "name": "Pat"})
        assert registered.status_code == 201, registered.text
        patient_id = registered.json()["id"]

        clients = [httpx.Client(base_url=first, timeout=30) for _ in range(2)]
        devices = [Device(HttpTransport.signed_in(client, email, PASSWORD))
                   for client in clients]
        created: list[str] = []
        deleted: set[str] = set()
        notes: dict[str, str] = {}
        try:
            for round_number in range(ROUNDS):
                for index, (client, device) in enumerate(zip(clients, devices, strict=True)):
                    # The same session cookie, now presented to the other process.
                    client.base_url = httpx.URL(servers[(round_number + index) % 2])
                    for _ in range(3):
                        text = f"round {round_number} device {index} {uuid.uuid4().hex[:6]}"
                        record_id = device.upsert("diary_entry",
                                                  valid_fields("diary_entry", notes=text))
                        created.append(record_id)
                        notes[record_id] = text
                    visible = [key[1] for key in device.view() if key[1] not in deleted]
                    edited = visible[round_number % len(visible)]
                    notes[edited] = f"edited in round {round_number} by device {index}"
                    device.upsert("diary_entry", {"notes": notes[edited]}, edited)
                    if round_number % 2 == index:
                        gone = created[-3]
                        device.delete("diary_entry", gone)
                        deleted.add(gone)
                    device.sync()
                    assert device.pending == 0
                    assert device.rejected == []

            for round_number in range(2):  # let each device see the other's last round
                for index, (client, device) in enumerate(zip(clients, devices, strict=True)):
                    client.base_url = httpx.URL(servers[(round_number + index) % 2])
                    device.sync()

            expected = {("diary_entry", record_id): notes[record_id]
                        for record_id in created if record_id not in deleted}
            for server in servers:
                with httpx.Client(base_url=server, cookies=clients[0].cookies,
                                  timeout=30) as reader:
                    server_state = server_view(pull_everything(reader))
                assert {key: fields["notes"] for key, fields in server_state.items()} == expected
                for device in devices:
                    assert device.view() == server_state
        finally:
            for client in clients:
                client.close()

    engine = make_engine(make_settings(database_url))
    try:
        rows = stored_rows(engine, "diary_entry", patient_id)
    finally:
        engine.dispose()
    ids = [str(row["id"]) for row in rows]
    assert len(ids) == len(set(ids)) == len(created) == ROUNDS * 2 * 3
    assert {str(row["id"]) for row in rows if row["deleted"]} == deleted
    assert {str(row["id"]): row["notes"] for row in rows if not row["deleted"]} == {
        key[1]: text for key, text in expected.items()}


WRITERS_PER_PROCESS = 8
WRITES_EACH = 10


def test_concurrent_writers_in_two_processes_never_see_a_busy_database(
    database_url: str,
) -> None:
    """Security test 28, shortened: writers in two processes at once, each push waiting its
    turn instead of failing with 503 or a locked database; every acknowledged write kept.
    A short busy timeout makes a writer that waits by polling (SQLite's own busy handler)
    give up; writers waiting in line do not."""
    migrate.upgrade(make_settings(database_url))
    short = {"PACEWISE_SQLITE_BUSY_TIMEOUT_MS": "1000"}
    with live_server(database_url, **short) as first, \
            live_server(database_url, **short) as second:
        email = f"{uuid.uuid4().hex[:8]}@example.org"
        registered = httpx.post(f"{first}/api/v1/auth/register", timeout=30,
                                json={"email": email, "password": PASSWORD, "name": "Pat"})
        assert registered.status_code == 201, registered.text
        cookies = dict(registered.cookies)
        headers = {"X-CSRF-Token": cookies["csrf_token"]}

        def writer(number: int) -> list[int]:
            base = (first, second)[number % 2]
            statuses, client_id = [], str(uuid.uuid4())
            with httpx.Client(base_url=base, cookies=cookies, headers=headers,
                              timeout=30) as client:
                for mutation_id in range(1, WRITES_EACH + 1):
                    answer = client.post("/api/v1/sync/push", json={
                        "client_id": client_id, "schema_version": 1, "mutations": [{
                            "id": mutation_id, "entity": "diary_entry", "op": "upsert",
                            "record_id": str(uuid.uuid4()), "base_version": 0,
                            "fields": valid_fields("diary_entry")}]})
                    statuses.append(answer.status_code)
            return statuses

        with ThreadPoolExecutor(max_workers=2 * WRITERS_PER_PROCESS) as pool:
            statuses = [s for found in pool.map(writer, range(2 * WRITERS_PER_PROCESS))
                        for s in found]

    assert statuses == [200] * (2 * WRITERS_PER_PROCESS * WRITES_EACH), statuses.count(503)
    engine = make_engine(make_settings(database_url))
    try:
        assert len(stored_rows(engine, "diary_entry", registered.json()["id"])) == len(statuses)
    finally:
        engine.dispose()
