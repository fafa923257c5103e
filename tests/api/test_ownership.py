"""Who may touch what (design §6; security tests 11, 13, 14).

The matrices are generated from the app's route table (tests/routes.py), so a route added
later is checked without anyone editing this file:

- every route with a `{record_id}`, for every method on it: patient A using patient B's id
  gets exactly the 404 a random id gets, and B's rows stay byte-identical;
- every write on a patient collection: a clinician gets 403;
- every route that is not public: no session, 401.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import SQLModel

from app.db import unit_of_work
from app.models import PatientSyncState
from app.schemas.entities import BY_COLLECTION, ENTITIES, Entity
from app.services import accounts, records
from app.services.records import Actor, Mutation
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields
from tests.routes import UNSAFE_METHODS, Endpoint, endpoints

RECORD_ROUTE = re.compile(r"^/api/v1/(?P<collection>[a-z-]+)/\{record_id\}(?P<rest>/.*)?$")
COLLECTION_ROUTE = re.compile(r"^/api/v1/(?P<collection>[a-z-]+)(?:/\{record_id\})?$")


def record_endpoints(app: FastAPI) -> list[Endpoint]:
    return [e for e in endpoints(app) if "record_id" in e.params]


def entity_of(endpoint: Endpoint) -> Entity:
    """The entity whose record `{record_id}` names, from the collection in the path."""
    match = RECORD_ROUTE.match(endpoint.path)
    assert match and match["collection"] in BY_COLLECTION, (
        f"{endpoint} takes a record id outside any known collection: teach "
        "tests/api/test_ownership.py which record it names, so its ownership is checked")
    return BY_COLLECTION[match["collection"]]


def body_for(endpoint: Endpoint, entity: Entity) -> dict[str, Any] | None:
    """A body that would be accepted for the caller's own record, so that only ownership
    can stop the request."""
    if endpoint.method not in UNSAFE_METHODS or endpoint.method == "DELETE":
        return None
    fields = valid_fields(entity.name)
    fields.pop("goal_id", None)  # points at a goal of the caller's own, or nowhere
    return fields


def clinician_actor(engine: sa.Engine) -> Actor:
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=f"{uuid.uuid4().hex[:8]}@clinic.example",
                                    password=PASSWORD, name="Dr Carla Clinician",
                                    role="clinician")
    return Actor(user.id, "clinician", name="Dr Carla Clinician", care_role="physiotherapist")


def make_one_of_each(engine: sa.Engine, owner: uuid.UUID, clinician: Actor) -> dict[str, str]:
    """One live record of every entity for `owner`, written through the one write path
    (care notes by the clinician), references pointing at the owner's own records."""
    made: dict[str, str] = {}
    pending = sorted(ENTITIES, key=lambda name: len(ENTITIES[name].references))
    with unit_of_work(engine, write=True) as session:
        for name in pending:
            entity = ENTITIES[name]
            fields = valid_fields(name)
            for field_name, target in entity.references.items():
                fields[field_name] = made[target]
            record_id = uuid.uuid4()
            actor = Actor(owner, "patient") if entity.writable_by_patient else clinician
            (result,) = records.apply_mutations(
                session, patient_id=owner, actor=actor,
                mutations=[Mutation(name, "upsert", record_id, fields)])
            assert result.status == "applied", (name, result)
            made[name] = str(record_id)
    return made


def rows_of(engine: sa.Engine, user_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that points at the user (or is the user), in key order."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns
                       if any(fk.column.table.name == "user" for fk in c.foreign_keys)]
            if table.name == "user":
                columns.append(table.c.id)
            if not columns:
                continue
            rows = connection.execute(
                sa.select(table).where(sa.or_(*(c == user_id for c in columns)))
                .order_by(*table.primary_key.columns)
            ).all()
            snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


def version_of(engine: sa.Engine, owner: uuid.UUID) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(PatientSyncState.version).where(  # type: ignore[call-overload]
                PatientSyncState.patient_id == owner)
        ).scalar_one()


def send(client: Browser, endpoint: Endpoint, body: Any, **values: str) -> Any:
    return client.request(endpoint.method, endpoint.url(**values), json=body,
                          follow_redirects=False)


def masked(response: Any, *ids: str) -> tuple[int, str, str]:
    text = response.text
    for record_id in ids:
        text = text.replace(record_id, "<id>")
    return response.status_code, response.headers.get("content-type", ""), text


# -- the record matrix ----------------------------------------------------------------------


def test_the_record_routes_cover_every_collection_and_method(app: FastAPI) -> None:
    found = record_endpoints(app)
    assert found, "no route takes a {record_id}: the matrix would check nothing"
    by_collection: dict[str, set[str]] = {}
    for endpoint in found:
        by_collection.setdefault(entity_of(endpoint).collection, set()).add(endpoint.method)
    assert set(by_collection) == set(BY_COLLECTION)
    for collection, methods in by_collection.items():
        writable = BY_COLLECTION[collection].writable_by_patient
        assert methods >= ({"GET", "PATCH", "DELETE"} if writable else {"GET"}), collection


def test_another_patients_record_answers_every_route_exactly_like_a_missing_one(
    app: FastAPI, engine: sa.Engine, patient: Browser, other_patient: Browser
) -> None:
    clinician = clinician_actor(engine)
    a_id, b_id = uuid.UUID(patient.me["id"]), uuid.UUID(other_patient.me["id"])
    mine = make_one_of_each(engine, a_id, clinician)
    theirs = make_one_of_each(engine, b_id, clinician)
    b_reads = {name: other_patient.get(
        f"/api/v1/{ENTITIES[name].collection}/{record_id}").json()
        for name, record_id in theirs.items()}
    b_before = rows_of(engine, b_id)
    a_version = version_of(engine, a_id)

    checked = []
    for endpoint in record_endpoints(app):
        entity = entity_of(endpoint)
        body = body_for(endpoint, entity)
        missing = str(uuid.uuid4())
        to_theirs = send(patient, endpoint, body, record_id=theirs[entity.name])
        to_nothing = send(patient, endpoint, body, record_id=missing)
        assert to_theirs.status_code == 404, (str(endpoint), to_theirs.text)
        assert masked(to_theirs, theirs[entity.name]) == masked(to_nothing, missing), str(endpoint)
        assert to_theirs.json()["error"] == "not_found"
        checked.append(str(endpoint))

    assert checked
    assert version_of(engine, a_id) == a_version
    assert rows_of(engine, b_id) == b_before
    for name, record_id in theirs.items():
        read = other_patient.get(f"/api/v1/{ENTITIES[name].collection}/{record_id}")
        assert read.json() == b_reads[name]

    # The same routes do work on the caller's own records: the 404s above were ownership.
    for endpoint in sorted(record_endpoints(app), key=lambda e: e.method == "DELETE"):
        entity = entity_of(endpoint)
        response = send(patient, endpoint, body_for(endpoint, entity),
                        record_id=mine[entity.name])
        assert 200 <= response.status_code < 300, (str(endpoint), response.text)


def test_a_patient_lists_only_their_own_records_in_every_collection(
    engine: sa.Engine, patient: Browser, other_patient: Browser
) -> None:
    clinician = clinician_actor(engine)
    mine = make_one_of_each(engine, uuid.UUID(patient.me["id"]), clinician)
    make_one_of_each(engine, uuid.UUID(other_patient.me["id"]), clinician)
    for name, record_id in mine.items():
        page = patient.get(f"/api/v1/{ENTITIES[name].collection}").json()
        assert [item["id"] for item in page["items"]] == [record_id], name


def test_creating_a_record_with_another_patients_id_does_not_touch_theirs(
    engine: sa.Engine, patient: Browser, other_patient: Browser
) -> None:
    b_id = uuid.UUID(other_patient.me["id"])
    theirs = make_one_of_each(engine, b_id, clinician_actor(engine))
    before = rows_of(engine, b_id)
    for name, record_id in theirs.items():
        entity = ENTITIES[name]
        if not entity.writable_by_patient:
            continue
        fields = {**valid_fields(name), "id": record_id}
        fields.pop("goal_id", None)
        response = patient.post(f"/api/v1/{entity.collection}", json=fields)
        assert 400 <= response.status_code < 500, (name, response.text)
    assert rows_of(engine, b_id) == before


# -- clinicians and strangers ---------------------------------------------------------------


def collection_writes(app: FastAPI) -> list[Endpoint]:
    found = []
    for endpoint in endpoints(app):
        match = COLLECTION_ROUTE.match(endpoint.path)
        if match and match["collection"] in BY_COLLECTION and endpoint.method in UNSAFE_METHODS:
            found.append(endpoint)
    return found


def test_a_clinician_gets_403_on_every_write_to_a_patient_collection(
    app: FastAPI, engine: sa.Engine, new_browser: Any, other_patient: Browser
) -> None:
    b_id = uuid.UUID(other_patient.me["id"])
    theirs = make_one_of_each(engine, b_id, clinician_actor(engine))
    with unit_of_work(engine, write=True) as session:
        accounts.create_user(session, email="cleo@clinic.example", password=PASSWORD,
                             name="Dr Cleo Clinician", role="clinician")
    clinician = new_browser()
    assert clinician.sign_in("cleo@clinic.example").status_code == 200
    before = rows_of(engine, b_id)

    writes = collection_writes(app)
    writable = {c for c, e in BY_COLLECTION.items() if e.writable_by_patient}
    assert {COLLECTION_ROUTE.match(e.path)["collection"] for e in writes} == writable  # type: ignore[index]
    for endpoint in writes:
        entity = BY_COLLECTION[COLLECTION_ROUTE.match(endpoint.path)["collection"]]  # type: ignore[index]
        response = send(clinician, endpoint, body_for(endpoint, entity),
                        record_id=theirs[entity.name])
        assert response.status_code == 403, (str(endpoint), response.text)
        assert response.json()["error"] == "patients_only", response.text

    assert rows_of(engine, b_id) == before


def test_every_route_that_is_not_public_answers_401_without_a_session(
    app: FastAPI, new_browser: Any
) -> None:
    stranger = new_browser()
    stranger.headers["Accept"] = "application/json"
    private = [e for e in endpoints(app) if not e.is_public]
    assert len(private) > 2 * len(BY_COLLECTION)
    covered = {COLLECTION_ROUTE.match(e.path)["collection"]  # type: ignore[index]
               for e in private if COLLECTION_ROUTE.match(e.path)}
    assert covered >= set(BY_COLLECTION)

    wrong = []
    for endpoint in private:
        body: dict[str, Any] | None = (
            {} if endpoint.method in UNSAFE_METHODS and endpoint.method != "DELETE" else None)
        response = send(stranger, endpoint, body)
        if not endpoint.path.startswith("/api/") and endpoint.method == "GET":
            # A page sends the person to sign in rather than answering with JSON.
            if response.status_code != 303 or response.headers.get("location") != "/login":
                wrong.append(f"{endpoint}: {response.status_code}, not a redirect to /login")
            continue
        if response.status_code != 401 or response.json().get("error") != "not_authenticated":
            wrong.append(f"{endpoint}: {response.status_code} {response.content[:120]!r}")
    assert wrong == []


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/healthz"])
def test_the_public_pages_answer_without_a_session(new_browser: Any, path: str) -> None:
    assert new_browser().get(path).status_code == 200
