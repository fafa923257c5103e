"""Erasure (security test 23; design §6): deleting an account removes every row of the
person — found by walking the foreign keys — ends their sessions and shares, and on SQLite
leaves the deleted text in neither the database file nor its write-ahead log."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from app.models import User
from tests.api.test_sharing import LINKS, clinician, linked
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields

CANARY = "zq-canary-7f3a9c-erase-me"
PUSH = "/api/v1/sync/push"


def tables_referencing_users() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every (table, column) whose foreign key points at user.id."""
    user_id = User.__table__.c.id  # type: ignore[attr-defined]
    found = []
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if any(fk.column is user_id for fk in column.foreign_keys):
                found.append((table, column))
    return found


def rows_of(engine: sa.Engine, user_id: uuid.UUID, email: str) -> dict[str, int]:
    """How many rows in each table still point at the person (zero counts left out)."""
    users = User.__table__  # type: ignore[attr-defined]
    attempts = SQLModel.metadata.tables["login_attempt"]
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        queries = [("user", sa.select(sa.func.count()).where(users.c.id == user_id)),
                   ("login_attempt.email", sa.select(sa.func.count()).select_from(attempts)
                    .where(attempts.c.email == email))]
        queries += [(f"{table.name}.{column.name}",
                     sa.select(sa.func.count()).select_from(table).where(column == user_id))
                    for table, column in tables_referencing_users()]
        for name, query in queries:
            count = connection.execute(query).scalar_one()
            if count:
                counts[name] = count
    return counts


def sqlite_files(engine: sa.Engine) -> list[Path]:
    if engine.url.get_backend_name() != "sqlite":
        return []
    database = Path(str(engine.url.database))
    return [path for path in (database, database.with_name(database.name + "-wal"))
            if path.exists()]


def fill_the_account(patient: Browser) -> None:
    """Records of several entities holding the canary, sync rows, an export, a session."""
    for entity, collection, overrides in (
        ("diary_entry", "diary-entries", {"notes": f"knee {CANARY}"}),
        ("value", "values", {"title": f"Family {CANARY}"}),
        ("weekly_review", "weekly-reviews", {"went_well": f"Walks {CANARY}"}),
    ):
        response = patient.post(f"/api/v1/{collection}",
                                json=valid_fields(entity, **overrides))
        assert response.status_code == 201, response.text
    pushed = patient.post(PUSH, json={
        "client_id": str(uuid.uuid4()), "schema_version": 1,
        "mutations": [{"id": 1, "entity": "diary_entry", "op": "upsert",
                       "record_id": str(uuid.uuid4()), "base_version": 0,
                       "fields": valid_fields("diary_entry", notes=f"synced {CANARY}")}]})
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["results"][0]["status"] == "applied"
    assert patient.get("/api/v1/export").status_code == 200


def test_deleting_an_account_leaves_no_row_of_the_person_and_ends_sessions_and_shares(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    doctor = clinician(engine, new_browser)
    link_id = linked(engine, patient, doctor)
    fill_the_account(patient)
    user_id, email = uuid.UUID(patient.me["id"]), patient.me["email"]  # type: ignore[attr-defined]
    assert new_browser().sign_in(email, "wrong guess here").status_code == 401
    before = rows_of(engine, user_id, email)
    assert {"user", "login_attempt.email", "care_link.patient_id"} <= before.keys(), before
    assert len(before) >= 8, before
    session_cookies = dict(patient.cookies)
    assert CANARY.encode() in b"".join(path.read_bytes() for path in sqlite_files(engine)) \
        or engine.url.get_backend_name() != "sqlite", "the check below must be able to fail"

    response = patient.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert response.status_code == 204, response.text
    assert rows_of(engine, user_id, email) == {}
    with Browser(patient.app) as stale:
        stale.cookies.update(session_cookies)
        assert stale.get("/api/v1/me").status_code == 401
    assert [item["id"] for item in doctor.get(LINKS).json()["items"]
            if item["id"] == link_id] == []

    url = engine.url
    if url.get_backend_name() == "sqlite":
        database = Path(str(url.database))
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar_one() == 1
        engine.dispose()
        connection = sqlite3.connect(database)
        try:
            assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        finally:
            connection.close()
        assert database.read_bytes().count(b"SQLite format 3") == 1
        for path in sqlite_files(engine):
            assert CANARY.encode() not in path.read_bytes(), path.name
