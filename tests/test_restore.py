"""Restore drill (issue 7 item 4): a backup taken while a phone keeps pushing, restored into
a fresh instance that a new server runs on. Every record acknowledged before the backup
began is there, the copy is intact and consistent (the patient's change counter equals
the records it counted), the patient signs in to the restored instance and a fresh device
pulls everything, and the instance takes new writes, its versions carrying on from the copy.

SQLite: `pacewise backup PATH` (the online backup API), the copy served as it is.
PostgreSQL (when TEST_DATABASE_URL is set): `pg_dump --format=custom` of the instance's
schema while it is written to, `pg_restore` into a new database, as the README shows.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine.url import make_url

from app import migrate
from app.syncclient import Device, HttpTransport
from tests.conftest import PASSWORD, make_settings
from tests.factories import valid_fields
from tests.live import REPO, live_server, read_stored_diary

pytestmark = pytest.mark.slow

EMAIL = "pat@example.org"
BATCH = 20
PUSH = "/api/v1/sync/push"


class Writer:
    """A phone pushing batches of new diary entries until told to stop."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        HttpTransport.signed_in(self.client, EMAIL, PASSWORD)
        self.client_id, self.next_id = str(uuid.uuid4()), 1
        self.acknowledged: list[str] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self) -> None:
        while not self.stop.is_set():
            ids = [str(uuid.uuid4()) for _ in range(BATCH)]
            response = self.client.post(PUSH, json={
                "client_id": self.client_id, "schema_version": 1, "mutations": [
                    {"id": self.next_id + n, "entity": "diary_entry", "op": "upsert",
                     "record_id": record_id, "base_version": 0,
                     "fields": valid_fields("diary_entry")} for n, record_id in enumerate(ids)]})
            statuses = ({result["status"] for result in response.json()["results"]}
                        if response.status_code == 200 else {response.status_code})
            with self.lock:
                if statuses == {"applied"}:
                    self.acknowledged.extend(ids)
                    self.next_id += BATCH
                else:
                    self.errors.append(f"{statuses} {response.text[:200]}")
                    return

    def snapshot(self) -> set[str]:
        with self.lock:
            return set(self.acknowledged)

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while len(self.snapshot()) < count and not self.errors:
            assert time.monotonic() < deadline, "the writer wrote too little"
            time.sleep(0.05)


def libpq_url(database_url: str, database: str | None = None) -> str:
    url = make_url(database_url).set(drivername="postgresql", query={})
    if database:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:  # `make test` installs it (Debian's postgresql-client)
        pytest.fail(f"{name} is not installed: the PostgreSQL restore drill needs it; "
                    "run `make pg-client` as root")
    return path


@contextmanager
def backed_up(database_url: str, folder: Path) -> Iterator[str]:
    """Take a backup of the live instance now; yield the URL of a fresh instance made from
    it (removed afterwards)."""
    if database_url.startswith("sqlite"):
        copy = folder / "restored" / "pacewise.db"
        environment = {key: value for key, value in os.environ.items()
                       if not key.startswith("PACEWISE_")}
        result = subprocess.run(  # noqa: S603 - our own command
            [str(REPO / ".venv" / "bin" / "pacewise"), "backup", str(copy)], cwd=REPO,
            env={**environment, "DATABASE_URL": database_url},
            capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
        yield f"sqlite:///{copy}"
        return
    pg_dump, pg_restore = pg_tool("pg_dump"), pg_tool("pg_restore")
    schema = make_url(database_url).query["options"].rsplit("=", 1)[1]
    dump = folder / "pacewise.dump"
    subprocess.run([pg_dump, "--format=custom", f"--schema={schema}", f"--file={dump}",  # noqa: S603
                    libpq_url(database_url)], check=True, timeout=120)
    name = f"restore_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        subprocess.run([pg_restore, "--no-owner", "--exit-on-error",  # noqa: S603
                        f"--dbname={libpq_url(database_url, name)}", str(dump)],
                       check=True, timeout=120)
        yield str(make_url(database_url).set(database=name).render_as_string(
            hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_a_backup_under_load_restores_every_acknowledged_record_and_syncs_on(
    database_url: str, tmp_path: Path,
) -> None:
    migrate.upgrade(make_settings(database_url))
    with live_server(database_url) as base_url:
        registered = httpx.post(f"{base_url}/api/v1/auth/register", timeout=30,
                                json={"email": EMAIL, "password": PASSWORD, "name": "Pat"})
        assert registered.status_code == 201, registered.text
        writer = Writer(base_url)
        writer.thread.start()
        try:
            writer.wait_for(3 * BATCH)
            before = writer.snapshot()
            with backed_up(database_url, tmp_path) as restored_url:
                writer.wait_for(len(before) + BATCH)  # the writer went on during the backup
                writer.stop.set()
                writer.thread.join(timeout=30)
                assert writer.errors == []
                written_in_all = len(writer.snapshot())
                drill(restored_url, before, written_in_all)
        finally:
            writer.stop.set()
            writer.thread.join(timeout=30)
            writer.client.close()


def drill(restored_url: str, before: set[str], written_in_all: int) -> None:
    store = read_stored_diary(restored_url)
    stored, counter, highest = store.ids, store.counter, store.highest
    assert store.problems == []
    missing = before - stored
    assert not missing, f"{len(missing)} of {len(before)} acknowledged records are not restored"
    assert counter == len(stored) == highest, "one consistent moment: counter, rows, versions"
    assert len(stored) <= written_in_all

    with live_server(restored_url) as restored, \
            httpx.Client(base_url=restored, timeout=30) as client:
        fresh = Device(HttpTransport.signed_in(client, EMAIL, PASSWORD))
        fresh.sync()
        pulled = {key[1] for key, _ in fresh.confirmed_live() if key[0] == "diary_entry"}
        assert pulled == stored

        new_id = fresh.upsert("diary_entry", valid_fields("diary_entry", notes="after"))
        fresh.sync()
        assert fresh.pending == 0 and fresh.rejected == []
        assert fresh.store.records["diary_entry", new_id].version == counter + 1
    after = read_stored_diary(restored_url)
    assert new_id in after.ids and after.counter == counter + 1
