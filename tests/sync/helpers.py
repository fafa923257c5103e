"""Small helpers for the sync tests: raw pushes and pulls, the server's own view, devices."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from app.models import PatientSyncState, RecordRevision, SyncClient
from app.schemas.entities import ENTITIES
from app.syncclient import Device, HttpTransport
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields

State = dict[tuple[str, str], dict[str, Any]]
PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"


def upsert(mutation_id: int, entity: str, record_id: str, fields: dict[str, Any],
           base_version: int = 0) -> dict[str, Any]:
    return {"id": mutation_id, "entity": entity, "op": "upsert", "record_id": record_id,
            "base_version": base_version, "fields": fields}


def delete(mutation_id: int, entity: str, record_id: str, base_version: int = 0) -> dict[str, Any]:
    return {"id": mutation_id, "entity": entity, "op": "delete", "record_id": record_id,
            "base_version": base_version}


def new_entry(mutation_id: int, **fields: Any) -> dict[str, Any]:
    fields = valid_fields("diary_entry", **fields)
    return upsert(mutation_id, "diary_entry", str(uuid.uuid4()), fields)


def push(client: httpx.Client, client_id: str, mutations: list[dict[str, Any]],
         schema_version: int = 1) -> httpx.Response:
    return client.post(PUSH, json={"client_id": client_id, "schema_version": schema_version,
                                   "mutations": mutations})


def pull_everything(client: httpx.Client, *, cursor: int = 0, limit: int = 500,
                    client_id: str | None = None) -> State:
    """Pull from `cursor` until `more` is false: every record's latest change by key."""
    state: State = {}
    more = True
    while more:
        params: dict[str, Any] = {"cursor": cursor, "limit": limit}
        if client_id:
            params["client_id"] = client_id
        response = client.get(PULL, params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        assert not page["reset"]
        for change in page["changes"]:
            state[(change["entity"], change["id"])] = change
        cursor, more = page["cursor"], page["more"]
    return state


def server_version(engine: sa.Engine, patient_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(PatientSyncState.version).where(  # type: ignore[call-overload]
                PatientSyncState.patient_id == uuid.UUID(patient_id))
        ).scalar_one()


def last_mutation_id(engine: sa.Engine, client_id: str) -> int | None:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(SyncClient.last_mutation_id).where(  # type: ignore[call-overload]
                SyncClient.client_id == uuid.UUID(client_id))
        ).scalar()


def stored_rows(engine: sa.Engine, entity: str, patient_id: str) -> list[dict[str, Any]]:
    """Every stored row of one entity for one patient, as the database has it."""
    table = ENTITIES[entity].table.__table__  # type: ignore[attr-defined]
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(table).where(table.c.patient_id == uuid.UUID(patient_id))
            .order_by(table.c.version)
        ).mappings().all()
    return [dict(row) for row in rows]


def all_patient_rows(engine: sa.Engine, patient_id: str) -> dict[str, list[dict[str, Any]]]:
    return {name: stored_rows(engine, name, patient_id) for name in ENTITIES}


def revisions(engine: sa.Engine, record_id: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(RecordRevision.__table__)  # type: ignore[attr-defined]
            .where(RecordRevision.record_id == uuid.UUID(record_id))  # type: ignore[arg-type]
            .order_by(RecordRevision.by_version)  # type: ignore[arg-type]
        ).mappings().all()
    return [dict(row) for row in rows]


def signed_in_copy(person: Browser, browser: Browser) -> Browser:
    """`browser` carrying `person`'s session cookie and CSRF header (another tab)."""
    for cookie in person.cookies.jar:
        browser.cookies.set(cookie.name, cookie.value or "", domain=cookie.domain,
                            path=cookie.path)
    browser.headers["X-CSRF-Token"] = person.headers.get("X-CSRF-Token", "")
    return browser


def sign_in(browser: Browser, email: str) -> Browser:
    response = browser.sign_in(email, PASSWORD)
    assert response.status_code == 200, response.text
    return browser


def device_for(browser: Browser, **options: Any) -> Device:
    return Device(HttpTransport(browser), **options)


def server_view(state: State) -> State:
    """The live records of a full pull, as a device's view shows them."""
    return {key: change["fields"] for key, change in state.items() if not change["deleted"]}
