"""Clinician list benchmark (design §8 "clinician list"): `/clinic` for 50, 500 and 2 000
actively linked patients, beside baselines measured in the same run.

    .venv/bin/python bench/clinic.py                 # SQLite (a temporary file)
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/clinic.py
    .venv/bin/python bench/clinic.py 50 500          # only these sizes

The data is written with bulk Core inserts (not the sync write path, which would take far
longer and is measured by bench/sync.py). Each patient gets, per day, a diary entry (some
marked as flares) and a paced session, and every 30 days a PSFS, PEG, PHQ-2 and GAD-2, plus a
pacing plan, two goals with weekly check-ins, a flare episode a month and a synced device.
The first 500 patients get a year of days; patients beyond 500 get 90 days, to keep the
build within a few minutes (the signals only look back 14 days, or at the latest two
questionnaires, so older days add volume, not work). On PostgreSQL the load is followed by
ANALYZE, as autovacuum would do: without statistics the planner took 2.3 s for 500.

Printed for each size: the page time (best of 5, in-process TestClient, the whole request
including the session check) and the number of SQL statements it ran, beside /healthz
and /clinic with no linked patient. Bar: the statement count is the same at every size and
≤ 10.
"""

from __future__ import annotations

import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sqlalchemy as sa  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import app.models as models  # noqa: E402
from app.config import Settings  # noqa: E402
from app.db import unit_of_work  # noqa: E402
from app.main import create_app  # noqa: E402
from app.security import hash_password  # noqa: E402
from app.services import accounts  # noqa: E402
from bench.scratch_db import database  # noqa: E402

SIZES = (50, 500, 2000)
FULL_YEAR_UP_TO = 500
YEAR, SHORT = 365, 90
REPEATS = 5
PASSWORD = "bench-pass-phrase-01"  # noqa: S105 - a throwaway benchmark account
NOW = datetime.now(UTC)
TODAY = NOW.date()


def record(patient_id: uuid.UUID, version: int, **fields: Any) -> dict[str, Any]:
    return {"id": uuid.uuid4(), "patient_id": patient_id, "version": version,
            "deleted": False, "created_at": NOW, "updated_at": NOW, **fields}


def patient_rows(index: int, days: int, password_hash: str) -> dict[str, list[dict[str, Any]]]:
    """One patient's account, link and records, as rows per table."""
    pid = uuid.uuid4()
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "user", "care_link", "diary_entry", "pacing_plan", "pacing_session", "outcome_response",
        "flare", "goal", "goal_checkin", "sync_client")}
    rows["user"].append({"id": pid, "email": f"patient{index}@bench.example",
                         "name": f"Patient {index:04d}", "role": "patient",
                         "password_hash": password_hash, "timezone": "UTC", "disabled": False,
                         "created_at": NOW})
    version = 0

    def add(table: str, **fields: Any) -> dict[str, Any]:
        nonlocal version
        version += 1
        row = record(pid, version, **fields)
        rows[table].append(row)
        return row

    plan = add("pacing_plan", activity="Walking", unit="minutes", baseline=8, quota=10,
               active=True, created_at=NOW - timedelta(days=days))
    goals = [add("goal", title=title, status="active", review_every_days=every,
                 created_at=NOW - timedelta(days=days))
             for title, every in (("Walk to the shop", 7), ("Cook a meal", 14))]
    for back in range(days):
        day = TODAY - timedelta(days=back)
        start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        add("diary_entry", local_date=day, pain=(index + back) % 11,
            interference=(index + 2 * back) % 11, function=(index * 3 + back) % 11,
            mood=back % 11, sleep_hours=6 + back % 3, flare=(index + back) % 23 == 0,
            body_areas=["lower_back"], notes="a walk and some rest")
        add("pacing_session", plan_id=plan["id"], kind="quota", started_at=start,
            ended_at=start + timedelta(minutes=10), planned=10,
            achieved=10 - (index + back) % 4, unit="minutes")
        if back % 7 == index % 7:
            for goal in goals:
                add("goal_checkin", goal_id=goal["id"], local_date=day, amount=back % 5,
                    ability=(index + back) % 11)
        if back % 30 == index % 30:
            add("outcome_response", instrument="psfs", local_date=day, score=(back + index) % 11,
                answers={"activities": [{"activity": "Walking",
                                         "score": (back + index) % 11}]})
            peg = (back + index) % 10
            add("outcome_response", instrument="peg", local_date=day, score=peg,
                answers={"pain": peg, "enjoyment": peg, "activity": peg})
            add("outcome_response", instrument="phq2", local_date=day, score=(index + back) % 7,
                answers={"interest": (index + back) % 4, "mood": 0})
            add("outcome_response", instrument="gad2", local_date=day, score=index % 4,
                answers={"nervous": index % 4, "worry": 0})
            add("flare", started_at=start - timedelta(hours=2), ended_at=start + timedelta(days=1))
    rows["sync_client"].append({"client_id": uuid.uuid4(), "patient_id": pid,
                                "last_mutation_id": version, "created_at": NOW,
                                "last_seen_at": NOW - timedelta(days=index % 9)})
    rows["patient_sync_state"] = [{"patient_id": pid, "version": version, "purged_through": 0}]
    return rows


def add_patients(engine: sa.Engine, clinician_id: uuid.UUID, first: int, last: int,
                 password_hash: str) -> int:
    """Insert patients first..last-1 in bulk; return the number of rows written."""
    tables = SQLModel.metadata.tables
    order = ("user", "patient_sync_state", "care_link", "pacing_plan", "goal", "diary_entry",
             "pacing_session", "goal_checkin", "outcome_response", "flare", "sync_client")
    written = 0
    for chunk in range(first, last, 50):
        batch: dict[str, list[dict[str, Any]]] = {name: [] for name in order}
        for index in range(chunk, min(chunk + 50, last)):
            days = YEAR if index < FULL_YEAR_UP_TO else SHORT
            rows = patient_rows(index, days, password_hash)
            rows["care_link"] = [{"id": uuid.uuid4(), "patient_id": rows["user"][0]["id"],
                                  "clinician_id": clinician_id, "role": "physiotherapist",
                                  "status": "active", "code_hash": None, "expires_at": NOW,
                                  "created_at": NOW, "revoked_at": None}]
            for name, values in rows.items():
                batch[name].extend(values)
        with engine.begin() as connection:
            for name in order:
                if batch[name]:
                    connection.execute(tables[name].insert(), batch[name])
                    written += len(batch[name])
    if engine.dialect.name == "postgresql":  # what autovacuum would do after such a load
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
    return written


def measure(client: TestClient, engine: sa.Engine, path: str) -> tuple[float, int]:
    """The best time of REPEATS requests, and the statements one request runs."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    assert client.get(path).status_code == 200  # warm up
    times = []
    for repeat in range(REPEATS):
        if repeat == 0:
            sa.event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        if repeat == 0:
            sa.event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, response.text[:300]
    return min(times), len(statements)


def main() -> int:
    sizes = tuple(int(arg) for arg in sys.argv[1:]) or SIZES
    with database() as url:
        settings = Settings(database_url=url, secret_key="bench-secret-" + "x" * 32)
        application = create_app(settings)
        engine = application.state.engine
        assert models  # every table on the metadata
        SQLModel.metadata.create_all(engine)
        with unit_of_work(engine, write=True) as session:
            clinician = accounts.create_user(session, email="clinician@bench.example",
                                             password=PASSWORD, name="Dr Bench",
                                             role="clinician")
        password_hash = hash_password(PASSWORD)
        print(f"engine: {engine.dialect.name}")
        with TestClient(application) as client:
            signed = client.post("/api/v1/auth/login", json={
                "email": "clinician@bench.example", "password": PASSWORD})
            assert signed.status_code == 200, signed.text
            health, health_statements = measure(client, engine, "/healthz")
            empty, empty_statements = measure(client, engine, "/clinic")
            print(f"{'page':<28}{'time ms':>10}{'statements':>12}{'× /healthz':>12}"
                  f"{'× empty list':>14}")
            print(f"{'/healthz':<28}{health * 1000:>10.1f}{health_statements:>12}")
            print(f"{'/clinic, 0 patients':<28}{empty * 1000:>10.1f}{empty_statements:>12}"
                  f"{empty / health:>12.1f}")
            have = 0
            counts = []
            for size in sizes:
                started = time.perf_counter()
                rows = add_patients(engine, clinician.id, have, size, password_hash)
                built = time.perf_counter() - started
                have = size
                took, statements = measure(client, engine, "/clinic")
                counts.append(statements)
                print(f"{f'/clinic, {size} patients':<28}{took * 1000:>10.1f}{statements:>12}"
                      f"{took / health:>12.1f}{took / empty:>14.1f}"
                      f"   (built {rows} rows in {built:.0f} s)", flush=True)
        ok = len(set(counts)) == 1 and max(counts) <= 10
        print(f"bar: the same statement count at every size and ≤ 10: "
              f"{'met' if ok else 'NOT met'} ({sorted(set(counts))})")
        engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
