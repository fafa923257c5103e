"""The audit trail (security test 24; design §6): each audited action writes exactly one
row naming who, what, whose, when (UTC), from where and how it went; the patient's access
log still shows only the care team's reads; and the database refuses to rewrite the trail
(an UPDATE on both engines, a DELETE on PostgreSQL outside an account erasure)."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from app import cli, migrate
from app.config import get_settings
from app.db import make_engine, unit_of_work
from app.models import AuditEvent
from app.models.care import APPEND_ONLY
from app.services import accounts
from tests.api.test_sharing import ACCESS_LOG, LINKS, clinician, linked, uid
from tests.conftest import PASSWORD, Browser, make_settings
from tests.factories import valid_fields
from tests.sync.helpers import delete, new_entry, push
from tests.test_erasure import rows_of

MIGRATION = next((Path(__file__).parents[1] / "migrations" / "versions")
                 .glob("*_9c2f4e1a7d35_audit_event_append_only.py"))
CLIENT = "testclient"  # the address Starlette's test client reports


def all_rows(engine: sa.Engine) -> dict[uuid.UUID, AuditEvent]:
    with unit_of_work(engine, write=False) as session:
        return {event.id: event for event in session.exec(select(AuditEvent)).all()}


@contextmanager
def one_row(engine: sa.Engine, **expected: Any) -> Iterator[list[AuditEvent]]:
    """Expect the block to append exactly one row to the trail, with these fields, a UTC
    time within the block, and an outcome of success or failure."""
    before, started = set(all_rows(engine)), datetime.now(UTC)
    added: list[AuditEvent] = []
    yield added
    finished = datetime.now(UTC)
    added.extend(event for key, event in all_rows(engine).items() if key not in before)
    assert len(added) == 1, [(e.action, e.outcome, e.resource) for e in added]
    event = added[0]
    assert {name: getattr(event, name) for name in expected} == expected
    assert event.at.tzinfo is not None and event.at.utcoffset() == UTC.utcoffset(None)
    assert started <= event.at <= finished
    assert event.outcome in ("success", "failure")


def patient_of(client: Browser) -> dict[str, Any]:
    """What a row about this patient acting on their own account says."""
    return {"actor_id": uid(client), "actor_role": "patient"}


def disable_by_command(database_url: str, email: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `pacewise user disable EMAIL` against the test's database."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        assert cli.main(["user", "disable", email]) == 0
    finally:
        get_settings.cache_clear()


def test_each_audited_action_writes_exactly_one_row_naming_who_what_whose_when_and_where(
    engine: sa.Engine, database_url: str, patient: Browser, new_browser: Callable[[], Browser],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = patient.me["email"]  # type: ignore[attr-defined]
    me = uid(patient)

    laptop = new_browser()
    with one_row(engine, **patient_of(patient), action="login", outcome="success",
                 patient_id=None, resource="session", address=CLIENT):
        assert laptop.sign_in(email).status_code == 200
    with one_row(engine, **patient_of(patient), action="login", outcome="failure",
                 patient_id=None, address=CLIENT):
        assert new_browser().sign_in(email, "not the password at all").status_code == 401
    typed = "nobody-here@example.org"
    with one_row(engine, actor_id=None, actor_role=None, action="login", outcome="failure",
                 patient_id=None, address=CLIENT) as rows:
        assert new_browser().sign_in(typed, PASSWORD).status_code == 401
    assert not any(typed in str(value) for value in rows[0].model_dump().values()), \
        "an unknown email is not kept in the trail"
    with one_row(engine, **patient_of(patient), action="logout", outcome="success",
                 address=CLIENT):
        assert laptop.post("/api/v1/auth/logout").status_code == 204

    with one_row(engine, **patient_of(patient), patient_id=me, action="create",
                 outcome="success", address=CLIENT) as rows:
        created = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"))
        assert created.status_code == 201, created.text
    record = created.json()["id"]
    assert rows[0].resource == f"diary_entry:{record}"
    with one_row(engine, **patient_of(patient), patient_id=me, action="update",
                 resource=f"diary_entry:{record}", address=CLIENT):
        assert patient.patch(f"/api/v1/diary-entries/{record}",
                             json={"pain": 2}).status_code == 200
    with one_row(engine, **patient_of(patient), patient_id=me, action="delete",
                 resource=f"diary_entry:{record}", address=CLIENT):
        assert patient.delete(f"/api/v1/diary-entries/{record}").status_code == 204
    before = all_rows(engine)
    assert patient.patch(f"/api/v1/diary-entries/{uuid.uuid4()}",
                         json={"pain": 2}).status_code == 404
    assert all_rows(engine).keys() == before.keys(), "a refused write is rolled back whole"

    with one_row(engine, **patient_of(patient), patient_id=me, action="sync_push",
                 resource="applied 2, rejected 1, duplicate 0", address=CLIENT):
        pushed = push(patient, str(uuid.uuid4()), [
            new_entry(1), new_entry(2), delete(3, "diary_entry", str(uuid.uuid4()))])
        assert [r["status"] for r in pushed.json()["results"]] == [
            "applied", "applied", "rejected"]

    with one_row(engine, **patient_of(patient), patient_id=None, action="export",
                 resource="export:json", address=CLIENT):
        assert patient.get("/api/v1/export?format=json").status_code == 200

    doctor_row = {"actor_role": "clinician", "patient_id": me, "address": CLIENT,
                  "outcome": "success"}
    with one_row(engine, action="login", outcome="success"):
        doctor = clinician(engine, new_browser, name="Dr Dee Doctor")
    with one_row(engine, **doctor_row, actor_id=uid(doctor), action="share_grant") as rows:
        link = linked(engine, patient, doctor)
    assert rows[0].resource == f"care_link:{link}"
    with one_row(engine, **doctor_row, actor_id=uid(doctor), action="read",
                 resource="patient_summary"):
        assert doctor.get(f"/clinic/patients/{me}").status_code == 200
    with one_row(engine, **doctor_row, actor_id=uid(doctor), action="export",
                 resource="export:csv"):
        assert doctor.get(f"/clinic/patients/{me}/export?format=csv").status_code == 200
    with one_row(engine, **patient_of(patient), patient_id=me, action="share_revoke",
                 resource=f"care_link:{link}", address=CLIENT):
        assert patient.delete(f"{LINKS}/{link}").status_code == 204

    # The patient sees the care team's reads, and nothing of their own or the sign-ins.
    log = patient.get(ACCESS_LOG).json()["items"]
    assert sorted((i["actor_name"], i["action"], i["resource"]) for i in log) == [
        ("Dr Dee Doctor", "export", "export:csv"), ("Dr Dee Doctor", "read", "patient_summary")]

    with one_row(engine, actor_id=None, actor_role="admin", patient_id=None,
                 action="session_kill", outcome="success") as rows:
        disable_by_command(database_url, email, monkeypatch)
    assert rows[0].resource == f"user:{me}, 1 session(s) ended"
    assert rows[0].address is not None and rows[0].address.startswith("cli")
    assert patient.get("/api/v1/me").status_code == 401


def test_the_tenth_failure_locks_the_account_with_one_lockout_row(
    engine: sa.Engine, patient: Browser, new_browser: Callable[[], Browser]
) -> None:
    email = patient.me["email"]  # type: ignore[attr-defined]
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT - 1):
        assert new_browser().sign_in(email, "not the password at all").status_code == 401
    before = set(all_rows(engine))
    assert new_browser().sign_in(email, "not the password at all").status_code == 401
    assert new_browser().sign_in(email, PASSWORD).status_code == 429

    added = [e for key, e in all_rows(engine).items() if key not in before]
    assert sorted((e.action, e.outcome, e.actor_id) for e in added) == [
        ("lockout", "failure", uid(patient)), ("login", "failure", uid(patient))]
    assert patient.get(ACCESS_LOG).json()["items"] == []


# -- append-only ------------------------------------------------------------------------------


def seed_row(engine: sa.Engine) -> tuple[uuid.UUID, uuid.UUID]:
    """A clinician's read of a patient's data; returns (the clinician's id, the row's id)."""
    with unit_of_work(engine, write=True) as session:
        people = [accounts.create_user(session, email=f"{role}@example.org", password=PASSWORD,
                                       name=role.title(), role=role)
                  for role in ("patient", "clinician")]
        event = AuditEvent(actor_id=people[1].id, actor_role="clinician",
                           patient_id=people[0].id, action="read", resource="summary")
        session.add(event)
    return people[1].id, event.id


@pytest.mark.parametrize("built_by", ["migrations", "models"])
def test_the_database_refuses_to_update_or_delete_audit_rows(
    database_url: str, built_by: str
) -> None:
    settings = make_settings(database_url)
    if built_by == "migrations":  # how deployments get the triggers
        migrate.upgrade(settings)
    engine = make_engine(settings)
    if built_by == "models":  # how the tests' databases do (metadata.create_all)
        SQLModel.metadata.create_all(engine)
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    postgresql = engine.dialect.name == "postgresql"
    try:
        actor, row = seed_row(engine)
        for change in ({"action": "nothing"}, {"at": datetime(2020, 1, 1, tzinfo=UTC)},
                       {"actor_id": None, "resource": "other"}):
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
                c.execute(sa.update(table).where(table.c.id == row).values(**change))
        if postgresql:
            for statement in (sa.delete(table), sa.text("TRUNCATE audit_event"),
                              sa.update(table).values(actor_id=None)):
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), \
                        engine.begin() as connection:
                    connection.execute(statement)
            with engine.begin() as connection:  # erasure lifts it for its own transaction
                connection.execute(sa.text("SET LOCAL pacewise.erasing = 'on'"))
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), \
                        connection.begin_nested():
                    connection.execute(sa.update(table).values(action="nothing"))
                connection.execute(sa.update(table).values(actor_id=None))  # SET NULL's
                with pytest.raises(sa.exc.DBAPIError, match="append-only"), \
                        connection.begin_nested():
                    connection.execute(sa.update(table).values(actor_id=actor))
            with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as c:
                c.execute(sa.delete(table))
        with engine.connect() as connection:
            assert connection.execute(sa.select(table.c.action)).scalars().all() == ["read"]
        if not postgresql:  # SQLite keeps DELETE open for erasure (see the migration)
            with engine.begin() as connection:
                assert connection.execute(sa.delete(table)).rowcount == 1
    finally:
        engine.dispose()


def test_the_models_install_the_same_triggers_as_the_migration() -> None:
    spec = importlib.util.spec_from_file_location("append_only_revision", MIGRATION)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    assert revision.down_revision == "7b3e2d9a41c0"
    assert APPEND_ONLY == {"postgresql": revision.POSTGRESQL, "sqlite": revision.SQLITE}


# -- erasure --------------------------------------------------------------------------------


def test_erasure_still_removes_every_row_of_the_person_and_keeps_others_access_logs(
    engine: sa.Engine, patient: Browser, new_browser: Callable[[], Browser]
) -> None:
    doctor = clinician(engine, new_browser, name="Dr Dee Doctor")
    linked(engine, patient, doctor)
    me, email = uid(patient), patient.me["email"]  # type: ignore[attr-defined]
    assert doctor.get(f"/clinic/patients/{me}").status_code == 200
    assert patient.post("/api/v1/diary-entries",
                        json=valid_fields("diary_entry")).status_code == 201
    assert new_browser().sign_in(email, "not the password at all").status_code == 401
    doctor_id, doctor_email = uid(doctor), doctor.me["email"]  # type: ignore[attr-defined]
    assert "audit_event.actor_id" in rows_of(engine, doctor_id, doctor_email)

    gone = doctor.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert gone.status_code == 204, gone.text
    assert rows_of(engine, doctor_id, doctor_email) == {}
    assert [(i["actor_id"], i["actor_name"], i["action"])
            for i in patient.get(ACCESS_LOG).json()["items"]] == [(None, None, "read")]

    assert "audit_event.patient_id" in rows_of(engine, me, email)
    gone = patient.request("DELETE", "/api/v1/me", json={"password": PASSWORD})

    assert gone.status_code == 204, gone.text
    assert rows_of(engine, me, email) == {}
    assert all_rows(engine) == {}, "nothing of either person is left in the trail"
