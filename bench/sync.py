"""Sync benchmark (design §8): our push and pull beside baselines measured in the same run.

    .venv/bin/python bench/sync.py                 # SQLite (a temporary file)
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/sync.py

Figures printed, each next to its baseline:
- push: 500 mutations in one request, applied by the server's push service, as mutations/s,
  beside a bare bulk insert (SQLAlchemy Core executemany) of the same rows into the same
  database; bar: ≥ 1/3 of the bare insert.
- pull: 10 000 records from cursor 0 by the server's pull service, records/s; bar ≥ 20 000.
- end to end through a real uvicorn server on loopback and the reference client
  (app/syncclient.py): a fresh device's initial sync of 10 000 records and a device's push
  of 500; when npm is on the machine, the PouchDB replication peer of ../shared/peers/ runs
  on the same records in the same run, and our time is printed as a ratio of the peer's;
  bars: pull ≥ 5× faster, push ≥ 4× faster.
On PostgreSQL the benchmark works in a schema of its own and drops it afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from app import migrate  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import make_engine, unit_of_work  # noqa: E402
from app.models import DiaryEntry  # noqa: E402
from app.schemas.sync import PushRequest  # noqa: E402
from app.services import accounts  # noqa: E402
from app.services import sync as sync_service  # noqa: E402
from app.services.records import Actor  # noqa: E402
from app.syncclient import Device, HttpTransport  # noqa: E402
from bench.scratch_db import database  # noqa: E402
from tests.live import live_server  # noqa: E402

N_PULL = 10_000
N_PUSH = 500
REPEATS = 5
PASSWORD = "bench-pass-phrase-01"  # noqa: S105 - a throwaway benchmark account
PEER_DIR = REPO / "bench" / ".peer"
PEER_SCRIPT = REPO.parent / "shared" / "peers" / "pouch_sync.js"
PEER_PACKAGES = ["pouchdb-server@4.2.0", "pouchdb@9.0.0", "pouchdb-adapter-memory"]


def entry(i: int) -> dict[str, Any]:
    """The same diary-shaped record the PouchDB peer replicates (pouch_sync.js)."""
    day = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(hours=4 * i)
    return {
        "local_date": day.date().isoformat(), "pain": i % 11, "interference": (i * 3) % 11,
        "function": (i * 7) % 11, "mood": (i * 5) % 11, "fatigue": i % 7,
        "sleep_hours": 5 + (i % 8) / 2, "sleep_quality": i % 10, "flare": i % 37 == 0,
        "body_areas": ["lower_back", "knee_left"], "activities": ["walk", "cook"],
        "medications": "paracetamol", "notes": "walked to the mailbox and back, rested after",
    }


def mutations(start: int, count: int, first_id: int = 1) -> list[dict[str, Any]]:
    return [
        {"id": first_id + k, "entity": "diary_entry", "op": "upsert",
         "record_id": str(uuid.uuid4()), "base_version": 0, "fields": entry(start + k)}
        for k in range(count)
    ]


def best(times: list[float]) -> float:
    return min(times)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def new_patient(engine: sa.Engine, settings: Settings, email: str) -> uuid.UUID:
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=email, password=PASSWORD, name="Bench")
        return user.id


def server_side(engine: sa.Engine, settings: Settings) -> dict[str, float]:
    """Push and pull through the services, in this process, against the bare baselines."""
    figures: dict[str, float] = {}

    # Bare bulk insert: the same 500 rows, straight into the same table.
    bare_times = []
    for repeat in range(REPEATS):
        owner = new_patient(engine, settings, f"bare{repeat}@bench.example")
        now = datetime.now(UTC)
        rows = []
        for k, mutation in enumerate(mutations(repeat * N_PUSH, N_PUSH)):
            values = dict(mutation["fields"])
            values["local_date"] = date.fromisoformat(values["local_date"])
            rows.append({"id": uuid.UUID(mutation["record_id"]), "patient_id": owner,
                         "version": k + 1, "deleted": False, "created_at": now,
                         "updated_at": now, **values})

        def insert(rows: list[dict[str, Any]] = rows) -> None:
            with engine.begin() as connection:
                connection.execute(sa.insert(DiaryEntry), rows)

        bare_times.append(timed(insert))
    figures["bare_insert_rows_per_s"] = N_PUSH / best(bare_times)

    push_times = []
    for repeat in range(REPEATS):
        owner = new_patient(engine, settings, f"push{repeat}@bench.example")
        actor = Actor(user_id=owner, role="patient")
        request = PushRequest.model_validate({
            "client_id": str(uuid.uuid4()), "schema_version": 1,
            "mutations": mutations(repeat * N_PUSH, N_PUSH),
        })

        def push(request: PushRequest = request, owner: uuid.UUID = owner,
                 actor: Actor = actor) -> None:
            with unit_of_work(engine, write=True) as session:
                outcome = sync_service.push(session, patient_id=owner, actor=actor,
                                            request=request)
            assert all(r["status"] == "applied" for r in outcome.results), outcome.results[:3]

        push_times.append(timed(push))
    figures["push_mutations_per_s"] = N_PUSH / best(push_times)

    # Pull: one patient with 10 000 records, read from cursor 0 in pages of 2000.
    owner = new_patient(engine, settings, "pull@bench.example")
    actor = Actor(user_id=owner, role="patient")
    client_id = str(uuid.uuid4())
    for batch in range(N_PULL // N_PUSH):
        request = PushRequest.model_validate({
            "client_id": client_id, "schema_version": 1,
            "mutations": mutations(batch * N_PUSH, N_PUSH, first_id=batch * N_PUSH + 1),
        })
        with unit_of_work(engine, write=True) as session:
            sync_service.push(session, patient_id=owner, actor=actor, request=request)

    def pull_all() -> None:
        cursor, more, seen = 0, True, 0
        while more:
            with unit_of_work(engine, write=False) as session:
                page = json.loads(sync_service.pull(session, patient_id=owner, cursor=cursor,
                                                    limit=2000))
            cursor, more, seen = page["cursor"], page["more"], seen + len(page["changes"])
        assert seen == N_PULL, seen

    figures["pull_records_per_s"] = N_PULL / best([timed(pull_all) for _ in range(REPEATS)])
    return figures


def end_to_end(database_url: str) -> dict[str, float]:
    """A fresh device pulling 10 000 records and a device pushing 500, over real HTTP."""
    figures: dict[str, float] = {}
    with live_server(database_url) as base_url:
        with httpx.Client(base_url=base_url) as client:
            response = client.post("/api/v1/auth/register", json={
                "email": "device@bench.example", "password": PASSWORD, "name": "Device"})
            response.raise_for_status()
        with httpx.Client(base_url=base_url) as client:
            seeder = Device(HttpTransport.signed_in(client, "device@bench.example", PASSWORD))
            for i in range(N_PULL):
                seeder.upsert("diary_entry", entry(i))
            seeder.push()

        pull_times = []
        for _ in range(REPEATS):
            with httpx.Client(base_url=base_url) as client:
                fresh = Device(HttpTransport.signed_in(client, "device@bench.example", PASSWORD))
                pull_times.append(timed(fresh.pull))
                assert sum(1 for _ in fresh.confirmed_live()) == N_PULL
        figures["e2e_pull_s"] = best(pull_times)

        push_times = []
        for repeat in range(REPEATS):
            with httpx.Client(base_url=base_url) as client:
                device = Device(HttpTransport.signed_in(client, "device@bench.example", PASSWORD))
                for i in range(N_PUSH):
                    device.upsert("diary_entry", entry(N_PULL + repeat * N_PUSH + i))
                push_times.append(timed(device.push))
                assert device.store.acked_through == N_PUSH and not device.rejected
        figures["e2e_push_s"] = best(push_times)
    return figures


def peer() -> dict[str, Any] | None:
    """Run the PouchDB replication peer on the same records, if npm is here."""
    npm, node = shutil.which("npm"), shutil.which("node")
    if not (npm and node and PEER_SCRIPT.exists()):
        print(f"peer: skipped (npm {'found' if npm else 'missing'}, "
              f"{PEER_SCRIPT} {'found' if PEER_SCRIPT.exists() else 'missing'})")
        return None
    PEER_DIR.mkdir(parents=True, exist_ok=True)
    if not (PEER_DIR / "node_modules" / "pouchdb-server").exists():
        print("peer: installing PouchDB (first run only) …", flush=True)
        subprocess.run([npm, "install", "--silent", "--no-audit", "--no-fund",  # noqa: S603
                        *PEER_PACKAGES], cwd=PEER_DIR, check=True)
    shutil.copy(PEER_SCRIPT, PEER_DIR / "pouch_sync.js")
    from tests.live import free_port

    port = free_port()
    server = subprocess.Popen(  # noqa: S603
        [str(PEER_DIR / "node_modules" / ".bin" / "pouchdb-server"), "--in-memory",
         "--port", str(port), "--host", "127.0.0.1"],
        cwd=PEER_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        runs = []
        for _ in range(3):
            out = subprocess.run([node, "pouch_sync.js", f"http://127.0.0.1:{port}",  # noqa: S603
                                  str(N_PULL)], cwd=PEER_DIR, check=True, capture_output=True,
                                 text=True, timeout=300)
            runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
        return {"pull_s": min(r["pull_s"] for r in runs),
                "push_500_s": min(r["push_500_s"] for r in runs)}
    finally:
        server.terminate()
        server.wait(timeout=10)


def verdict(ok: bool) -> str:
    return "meets the bar" if ok else "BELOW THE BAR"


def main() -> int:
    with database() as url:
        engine_name = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
        settings = Settings(database_url=url, secret_key="bench-" + "s" * 40)
        migrate.upgrade(settings)
        engine = make_engine(settings)
        try:
            server = server_side(engine, settings)
        finally:
            engine.dispose()
        e2e = end_to_end(url)
    peer_figures = peer()

    ok = True
    print(f"\nPacewise sync benchmark on {engine_name}, best of {REPEATS} "
          f"({os.cpu_count()} cores, Python {sys.version.split()[0]})")
    ratio = server["push_mutations_per_s"] / server["bare_insert_rows_per_s"]
    ok &= ratio >= 1 / 3
    print(f"push  500 mutations:   {server['push_mutations_per_s']:>9,.0f} mutations/s   "
          f"bare bulk insert {server['bare_insert_rows_per_s']:>9,.0f} rows/s   "
          f"ratio {ratio:.2f} (bar ≥ 0.33) {verdict(ratio >= 1 / 3)}")
    pull = server["pull_records_per_s"]
    ok &= pull >= 20_000
    print(f"pull  10 000 records:  {pull:>9,.0f} records/s (bar ≥ 20,000) "
          f"{verdict(pull >= 20_000)}")
    print(f"end to end (uvicorn + reference client): fresh device pulls 10 000 in "
          f"{e2e['e2e_pull_s'] * 1000:.0f} ms; push of 500 in {e2e['e2e_push_s'] * 1000:.0f} ms")
    if peer_figures:
        pull_ratio = peer_figures["pull_s"] / e2e["e2e_pull_s"]
        push_ratio = peer_figures["push_500_s"] / e2e["e2e_push_s"]
        ok &= pull_ratio >= 5 and push_ratio >= 4
        print(f"PouchDB peer: pull 10 000 in {peer_figures['pull_s'] * 1000:.0f} ms → ours is "
              f"{pull_ratio:.1f}× faster (bar ≥ 5×) {verdict(pull_ratio >= 5)}")
        print(f"PouchDB peer: push 500 in {peer_figures['push_500_s'] * 1000:.0f} ms → ours is "
              f"{push_ratio:.1f}× faster (bar ≥ 4×) {verdict(push_ratio >= 4)}")
    peer_json = {f"peer_{k}": v for k, v in (peer_figures or {}).items()}
    print(json.dumps({"engine": engine_name, **server, **e2e, **peer_json}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
