"""Field validation of every entity, driven by the registry (design §3, §6 "Bad input").

A good record is stored and read back as sent; a bad one gets 422
`{"error": "validation", "detail": ...}` naming the field and the bad value, and changes
nothing: no row, no new version. The bad values are derived from each entity's own JSON
schema, so a field added later is covered without editing this file.

Care notes are written by clinicians, not through patient REST, so their cases go through
`records.write_one` with a clinician as the actor: the one path every write takes.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel, ValidationError
from sqlmodel import SQLModel

from app.db import unit_of_work
from app.errors import DomainError, describe_errors
from app.models import PatientSyncState
from app.schemas.entities import ENTITIES, Entity
from app.services import accounts, records
from app.services.records import Actor, Mutation
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields

ENTITY_NAMES = sorted(ENTITIES)
META = {"id", "version", "deleted", "created_at", "updated_at"}

# One valid change per entity; the registry check below makes a new entity fail until it
# has one.
PATCHES: dict[str, dict[str, Any]] = {
    "diary_entry": {"mood": 7},
    "value": {"importance": 3},
    "goal": {"status": "paused"},
    "goal_checkin": {"ability": 8},
    "pacing_plan": {"quota": 10},
    "pacing_session": {"effort": 4},
    "outcome_response": {"local_date": "2026-11-28"},
    "performance_test": {"value": 11},
    "flare_plan": {"comfort": ["Warm bath"]},
    "flare": {"ended_at": "2026-11-22T07:00:00Z"},
    "weekly_review": {"confidence": 8},
    "reminder": {"enabled": False},
    "treatment": {"helpfulness": 6},
    "routine": {"days": [0, 2, 4]},
    "decision": {"choice": "Join the group"},
    "care_note": {"text": "Walking tolerance is up again."},
}
# Fields a client might try to set that only the server may (security test 14).
SERVER_SET = ("patient_id", "version", "deleted", "created_at", "updated_at", "author_id",
              "author_role", "author_name", "owner_id", "user_id", "is_admin", "role",
              "clinician_id")


# -- how a write is made and what it answers ------------------------------------------------


@dataclass
class Answer:
    status: int
    body: dict[str, Any]

    @property
    def detail(self) -> str:
        return str(self.body.get("detail", ""))


@dataclass
class Writer:
    """Writes records of one patient: through REST as the patient, or (for entities only
    the care team writes) as a linked clinician the way a route does it: the body checked
    against the entity's schema, then `records.write_one`."""

    patient: Browser
    engine: sa.Engine

    @property
    def patient_id(self) -> uuid.UUID:
        return uuid.UUID(self.patient.me["id"])

    @cached_property
    def clinician_id(self) -> uuid.UUID:
        """A clinician of the patient's care team, made when first needed (hashing a
        password takes a while)."""
        with unit_of_work(self.engine, write=True) as session:
            user = accounts.create_user(
                session, email=f"{uuid.uuid4().hex[:8]}@clinic.example", password=PASSWORD,
                name="Dr Carla Clinician", role="clinician")
            return user.id

    def create(self, entity: Entity, fields: Any) -> Answer:
        if entity.writable_by_patient:
            response = self.patient.post(f"/api/v1/{entity.collection}", json=fields)
            return Answer(response.status_code, response.json())
        body = self._body(entity.create, fields)
        if isinstance(body, Answer):
            return body
        record_id = uuid.UUID(body.pop("id")) if body.get("id") else uuid.uuid4()
        return self._service(entity, Mutation(entity.name, "upsert", record_id, body),
                             must_exist=False, created=201)

    def patch(self, entity: Entity, record_id: str, fields: Any) -> Answer:
        if entity.writable_by_patient:
            response = self.patient.patch(f"/api/v1/{entity.collection}/{record_id}",
                                          json=fields)
            return Answer(response.status_code, response.json())
        body = self._body(entity.update, fields)
        if isinstance(body, Answer):
            return body
        with unit_of_work(self.engine, write=False) as session:
            row = session.get(entity.table, uuid.UUID(record_id))
            base = row.version if row is not None else 0  # type: ignore[attr-defined]
        mutation = Mutation(entity.name, "upsert", uuid.UUID(record_id), body,
                            base_version=base)
        return self._service(entity, mutation, must_exist=True, created=200)

    def read(self, entity: Entity, record_id: str) -> dict[str, Any]:
        response = self.patient.get(f"/api/v1/{entity.collection}/{record_id}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    @staticmethod
    def _body(model: type[BaseModel], fields: Any) -> dict[str, Any] | Answer:
        try:
            parsed = model.model_validate(fields)
        except ValidationError as exc:
            detail = describe_errors(exc.errors(include_url=False))
            return Answer(422, {"error": "validation", "detail": detail})
        return parsed.model_dump(mode="json", exclude_unset=True)

    def _service(self, entity: Entity, mutation: Mutation, *, must_exist: bool,
                 created: int) -> Answer:
        actor = Actor(user_id=self.clinician_id, role="clinician", name="Dr Carla Clinician",
                      care_role="physiotherapist")
        try:
            with unit_of_work(self.engine, write=True) as session:
                row = records.write_one(session, patient_id=self.patient_id, actor=actor,
                                        mutation=mutation, must_exist=must_exist)
                return Answer(created, records.to_wire(entity, row))
        except DomainError as exc:
            return Answer(exc.status, {"error": exc.code, "detail": exc.detail})

    # what is stored

    def version(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(PatientSyncState.version).where(  # type: ignore[call-overload]
                    PatientSyncState.patient_id == self.patient_id)
            ).scalar_one()

    def count(self, entity: Entity) -> int:
        table = entity.table.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as connection:
            return connection.execute(
                sa.select(sa.func.count()).select_from(table).where(
                    table.c.patient_id == self.patient_id)
            ).scalar_one()

    def stored(self, entity: Entity, record_id: str) -> dict[str, Any]:
        table = entity.table.__table__  # type: ignore[attr-defined]
        with self.engine.connect() as connection:
            row = connection.execute(
                sa.select(table).where(table.c.id == uuid.UUID(record_id))
            ).mappings().one()
        return dict(row)

    # valid records, with the records they point at

    def base_fields(self, entity: Entity) -> dict[str, Any]:
        """A valid record of `entity`, its references pointing at new records of the
        patient's own."""
        fields = valid_fields(entity.name)
        for field_name, target in entity.references.items():
            fields[field_name] = self.make(ENTITIES[target])["id"]
        return fields

    def make(self, entity: Entity, **overrides: Any) -> dict[str, Any]:
        answer = self.create(entity, {**self.base_fields(entity), **overrides})
        assert answer.status == 201, answer.body
        return answer.body


@pytest.fixture
def writer(patient: Browser, engine: sa.Engine) -> Writer:
    return Writer(patient, engine)


@pytest.fixture
def other_writer(other_patient: Browser, engine: sa.Engine) -> Writer:
    return Writer(other_patient, engine)


def assert_refused(answer: Answer, *named: str) -> None:
    """A 422 in the flat error shape whose detail contains every one of `named`."""
    assert answer.status == 422, (answer.status, answer.body)
    assert set(answer.body) == {"error", "detail"}, answer.body
    assert answer.body["error"] == "validation", answer.body
    for text in named:
        assert text in answer.detail, f"{text!r} not named in {answer.detail!r}"


def contains(sent: Any, got: Any) -> bool:
    """Whether `got` holds everything `sent` said (objects may hold more, e.g. defaults)."""
    if isinstance(sent, dict):
        return isinstance(got, dict) and all(
            key in got and contains(value, got[key]) for key, value in sent.items()
        )
    if isinstance(sent, list):
        return isinstance(got, list) and len(sent) == len(got) and all(
            contains(a, b) for a, b in zip(sent, got, strict=True)
        )
    if isinstance(sent, bool) or isinstance(got, bool):
        return sent is got
    return bool(sent == got)


# -- bad values, derived from each entity's JSON schema -----------------------------------


@dataclass(frozen=True)
class Bad:
    """One bad value for one field: where it goes, what it is, what the detail must name."""

    path: tuple[str | int, ...]
    value: Any
    named: tuple[str, ...]

    def __str__(self) -> str:
        return f"{_where(self.path)}={_shown(self.value)}"


def _where(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _shown(value: Any) -> str:
    """How the detail shows a value (a long string only by its start)."""
    text = repr(value)
    return text[:40] if len(text) > 40 else text


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The property's own schema (through `$ref` and the non-null branch of `anyOf`) and
    whether it takes null."""
    nullable = False
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b.get("type") != "null"]
        nullable = len(branches) < len(schema["anyOf"])
        schema = branches[0]
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema, nullable


def bad_values(path: tuple[str | int, ...], schema: dict[str, Any], defs: dict[str, Any],
               example: Any) -> Iterator[Bad]:
    """Values the property `schema` must refuse; `example` is a valid value, if known, used
    as the frame for bad values deeper inside it."""
    where = _where(path)
    own, nullable = _resolve(schema, defs)
    kind = own.get("type")

    def bad(value: Any, *, show: bool = True) -> Bad:
        return Bad(path, value, (where, _shown(value)) if show else (where,))

    if not nullable:
        yield bad(None)
    if kind in ("integer", "number"):
        low, high = own.get("minimum"), own.get("maximum")
        if high is not None:
            yield bad(int(high) + 1)
        if low is not None:
            yield bad(int(low) - 1)
            yield bad(str(int(low)))  # a number in a string: refused, not coerced
            yield bad(True)
            if kind == "integer":
                yield bad(low + 0.5)
        else:
            yield bad("four")
    elif kind == "boolean":
        yield bad("yes")
        yield bad(1)
    elif kind == "string":
        yield bad(42)
        if "enum" in own:
            yield bad("not_a_choice")
        elif own.get("format") == "date":
            yield bad("2026-13-01")
            yield bad("yesterday")
        elif own.get("format") == "date-time":
            yield bad("2026-11-27T09:00:00")  # no time zone
            yield bad("not a time")
        elif own.get("format") == "uuid":
            yield bad("not-a-uuid")
        elif "pattern" in own:
            yield bad("not-matching")
        else:
            if "maxLength" in own:
                yield bad("x" * (own["maxLength"] + 1))
            if own.get("minLength", 0) >= 1:
                yield bad("")
    elif kind == "array":
        yield bad("not a list")
        item_example = example[0] if isinstance(example, list) and example else None
        for inner in bad_values((*path, 0), own.get("items", {}), defs, item_example):
            frame = copy.deepcopy(example) if item_example is not None else [None]
            frame[0] = inner.value  # every bad item is framed at index 0 by now
            yield Bad(path, frame, inner.named)
        if "maxItems" in own and item_example is not None:
            yield bad([item_example] * (own["maxItems"] + 1), show=False)
        if own.get("minItems", 0) >= 1 and item_example is not None:
            yield bad([item_example] * (own["minItems"] - 1), show=False)
    elif kind == "object":
        yield bad("x")
        for name, sub in own.get("properties", {}).items():
            if isinstance(example, dict):
                for inner in bad_values((*path, name), sub, defs, example.get(name)):
                    frame = copy.deepcopy(example)
                    frame[name] = inner.value
                    yield Bad(path, frame, inner.named)


def bad_cases(entity: Entity, example: dict[str, Any]) -> list[Bad]:
    """Bad values for every field of `entity`. The id of a record written by the care team
    travels beside its fields (as in a sync mutation), not in them, so it has no case."""
    schema = entity.create.model_json_schema()
    defs = schema.get("$defs", {})
    cases: list[Bad] = []
    for name, prop in schema["properties"].items():
        if name == "id" and not entity.writable_by_patient:
            continue
        cases.extend(bad_values((name,), prop, defs, example.get(name)))
    return cases


def required_fields(entity: Entity) -> list[str]:
    return [name for name in entity.create.model_json_schema().get("required", [])]


def non_nullable_fields(entity: Entity) -> list[str]:
    schema = entity.create.model_json_schema()
    return [name for name, prop in schema["properties"].items()
            if not _resolve(prop, schema.get("$defs", {}))[1]]


# -- the tests ------------------------------------------------------------------------------


def test_every_entity_has_a_valid_record_and_a_patch_here() -> None:
    assert set(PATCHES) == set(ENTITIES)
    for name in ENTITIES:
        assert valid_fields(name), name


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_a_valid_record_is_stored_for_the_caller_and_read_back_as_sent(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    record_id = str(uuid.uuid4())
    fields = {**writer.base_fields(entity), "id": record_id}
    before = writer.version()

    answer = writer.create(entity, dict(fields))

    assert answer.status == 201, answer.body
    created = answer.body
    assert created["id"] == record_id
    assert created["version"] == before + 1 == writer.version()
    assert created["deleted"] is False
    fields.pop("id")
    assert contains(fields, created), (fields, created)
    assert writer.read(entity, record_id) == created
    assert set(created) == set(entity.public.model_fields)
    assert writer.stored(entity, record_id)["patient_id"] == writer.patient_id


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_values_at_the_edges_of_every_range_and_length_are_accepted(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    schema = entity.create.model_json_schema()
    defs = schema.get("$defs", {})
    highest, lowest = writer.base_fields(entity), writer.base_fields(entity)
    for field_name, prop in schema["properties"].items():
        own, _ = _resolve(prop, defs)
        if own.get("type") in ("integer", "number") and "minimum" in own:
            highest[field_name], lowest[field_name] = own["maximum"], own["minimum"]
        elif own.get("type") == "string" and not {"enum", "format", "pattern"} & set(own):
            if "maxLength" in own:
                highest[field_name] = "é" * own["maxLength"]
            if own.get("minLength"):
                lowest[field_name] = "x" * own["minLength"]
    if name == "goal":  # a target must differ from its baseline: take opposite edges
        highest["baseline"], lowest["baseline"] = lowest["baseline"], highest["baseline"]
    for fields in (highest, lowest):
        answer = writer.create(entity, copy.deepcopy(fields))
        assert answer.status == 201, (fields, answer.body)
        assert contains(fields, writer.read(entity, answer.body["id"])), answer.body


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_every_bad_field_value_is_refused_naming_field_and_value_and_nothing_is_stored(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    example = writer.base_fields(entity)
    cases = bad_cases(entity, example)
    assert {case.path[0] for case in cases} >= set(entity.create.model_fields) - {"id"}
    count, version = writer.count(entity), writer.version()
    problems = []
    for case in cases:
        fields = copy.deepcopy(example)
        fields[str(case.path[0])] = case.value
        answer = writer.create(entity, fields)
        missing = [text for text in case.named if text not in answer.detail]
        if (answer.status, answer.body.get("error")) != (422, "validation") or missing:
            problems.append(f"{case}: {answer.status} {answer.body}, not naming {missing}")
    assert problems == []
    assert writer.count(entity) == count
    assert writer.version() == version


# Design §3 ranges and the brief's own examples, with the words a person reads.
NAMED_CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("diary_entry", {"pain": 11}, ["pain 11 is outside 0–10"]),
    ("diary_entry", {"pain": -1}, ["pain -1 is outside 0–10"]),
    ("diary_entry", {"sleep_hours": 25}, ["sleep_hours 25 is outside 0–24"]),
    ("goal_checkin", {"gas_level": 3}, ["gas_level 3 is outside -2–2"]),
    ("reminder", {"time": "25:00"}, ["time '25:00'"]),
    ("reminder", {"days": [7]}, ["days[0] 7 is outside 0–6"]),
    ("routine", {"days": [0, -1]}, ["days[1] -1 is outside 0–6"]),
    ("diary_entry", {"pain": "4"}, ["pain '4'", "integer"]),
    ("diary_entry", {"pain": 4.5}, ["pain 4.5", "integer"]),
    ("diary_entry", {"flare": "yes"}, ["flare 'yes'", "boolean"]),
    ("diary_entry", {"notes": "n" * 2001}, ["notes 'nnnn", "at most 2000 characters"]),
    ("value", {"title": "t" * 81}, ["title 'tttt", "at most 80 characters"]),
    ("diary_entry", {"local_date": "2026-13-01"}, ["local_date '2026-13-01'"]),
    ("diary_entry", {"local_date": "yesterday"}, ["local_date 'yesterday'"]),
    ("diary_entry", {"id": "not-a-uuid"}, ["id 'not-a-uuid'"]),
    ("goal", {"value_ids": ["nope"]}, ["value_ids[0] 'nope'"]),
    ("pacing_session", {"started_at": "2026-11-27T09:00:00", "ended_at": None},
     ["started_at '2026-11-27T09:00:00'", "no time zone"]),
    ("flare", {"started_at": "2026-11-20T07:00:00"}, ["started_at '2026-11-20T07:00:00'"]),
    ("flare", {"started_at": "9999-12-31T23:59:59-12:00"},
     ["started_at '9999-12-31T23:59:59-12:00'", "out of range"]),
    ("pacing_session", {"kind": "marathon"}, ["kind 'marathon' is not one of"]),
    ("diary_entry", {"body_areas": ["left_elbow"]}, ["body_areas[0] 'left_elbow' is not one of"]),
    ("goal", {"status": "done"}, ["status 'done' is not one of"]),
    ("goal", {"baseline": 12, "target": 12}, ["target 12 is the same as the baseline 12"]),
    ("goal", {"steps": [{"title": "Walk", "done": "no"}]}, ["steps[0].done 'no'"]),
    ("decision", {"options": [{"option": ""}]}, ["options[0].option ''"]),
    ("diary_entry", {"notes": "a\x00b"}, ["notes 'a\\x00b' contains a NUL character"]),
    ("goal", {"barriers": [{"barrier": "Rain", "plan": "mall\x00"}]},
     ["barriers[0].plan", "NUL"]),
    ("care_note", {"kind": "gossip"}, ["kind 'gossip' is not one of"]),
    ("care_note", {"text": "c" * 4001}, ["text 'cccc", "at most 4000 characters"]),
]


@pytest.mark.parametrize(("name", "overrides", "named"), NAMED_CASES,
                         ids=[f"{n}-{sorted(o)[0]}" for n, o, _ in NAMED_CASES])
def test_a_bad_value_is_refused_in_words_that_name_it(
    writer: Writer, name: str, overrides: dict[str, Any], named: list[str]
) -> None:
    entity = ENTITIES[name]
    fields = {**writer.base_fields(entity), **overrides}
    count, version = writer.count(entity), writer.version()

    assert_refused(writer.create(entity, fields), *named)

    assert writer.count(entity) == count
    assert writer.version() == version


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_a_record_missing_a_required_field_is_refused_naming_it(writer: Writer, name: str) -> None:
    entity = ENTITIES[name]
    required = required_fields(entity)
    if not required:  # then an empty record is a record
        assert writer.create(entity, {}).status == 201
        return
    for field_name in required:
        fields = writer.base_fields(entity)
        fields.pop(field_name, None)
        version = writer.version()
        assert_refused(writer.create(entity, fields), f"{field_name} is required")
        assert writer.version() == version
    assert writer.count(entity) == 0


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_server_set_and_unknown_fields_are_refused_and_the_owner_is_always_the_caller(
    writer: Writer, other_writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    someone_else = str(other_writer.patient_id)
    for field_name in (*SERVER_SET, "colour"):
        value = someone_else if field_name.endswith("_id") else "x"
        fields = {**writer.base_fields(entity), field_name: value}
        assert_refused(writer.create(entity, fields), f"{field_name} is not a known field")
    assert writer.count(entity) == 0

    record = writer.make(entity)
    version = writer.version()
    in_body = ("id",) if entity.writable_by_patient else ()
    for field_name in (*SERVER_SET, *in_body, "colour"):
        value = someone_else if field_name.endswith("id") else "x"
        answer = writer.patch(entity, record["id"], {field_name: value})
        assert_refused(answer, f"{field_name} is not a known field")
    assert writer.version() == version
    assert writer.read(entity, record["id"]) == record
    assert writer.stored(entity, record["id"])["patient_id"] == writer.patient_id
    assert other_writer.count(entity) == 0


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_a_valid_patch_changes_only_its_field_and_takes_the_next_version(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    record = writer.make(entity)
    (field_name, value), = PATCHES[name].items()
    assert record[field_name] != value

    answer = writer.patch(entity, record["id"], {field_name: value})

    assert answer.status == 200, answer.body
    changed = writer.read(entity, record["id"])
    assert changed == answer.body
    assert changed["version"] == record["version"] + 1 == writer.version()
    assert changed["updated_at"] >= record["updated_at"]
    expected = {**record, field_name: value}
    for key in ("version", "updated_at"):
        del expected[key]
        del changed[key]
    assert contains(expected, changed) and set(expected) == set(changed), (expected, changed)


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_patching_a_field_that_cannot_be_empty_to_null_is_refused(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    record = writer.make(entity)
    fields = [f for f in non_nullable_fields(entity) if f != "id"]
    assert set(required_fields(entity)) <= set(fields)
    for field_name in fields:
        assert_refused(writer.patch(entity, record["id"], {field_name: None}),
                       field_name, "None")
    assert writer.read(entity, record["id"]) == record
    assert writer.version() == record["version"]


@pytest.mark.parametrize("name", ENTITY_NAMES)
def test_a_bad_value_in_a_patch_is_refused_and_the_record_is_unchanged(
    writer: Writer, name: str
) -> None:
    entity = ENTITIES[name]
    record = writer.make(entity)
    example = writer.base_fields(entity)
    problems = []
    for case in bad_cases(entity, example):
        if case.path[0] == "id":
            continue  # a patch names its record in the path; "id" in it is unknown (above)
        answer = writer.patch(entity, record["id"], {str(case.path[0]): case.value})
        missing = [text for text in case.named if text not in answer.detail]
        if (answer.status, answer.body.get("error")) != (422, "validation") or missing:
            problems.append(f"{case}: {answer.status} {answer.body}, not naming {missing}")
    assert problems == []
    assert writer.read(entity, record["id"]) == record


# -- rules across fields --------------------------------------------------------------------

ORDER_CASES = [
    ("pacing_session", {"started_at": "2026-11-27T09:00:00Z", "ended_at": "2026-11-27T08:59:59Z"},
     ["ended_at 2026-11-27T08:59:59+00:00 is before started_at 2026-11-27T09:00:00+00:00"]),
    ("flare", {"started_at": "2026-11-20T07:00:00Z", "ended_at": "2026-11-19T07:00:00+02:00"},
     ["ended_at 2026-11-19T05:00:00+00:00 is before started_at 2026-11-20T07:00:00+00:00"]),
    ("treatment", {"started_on": "2026-11-01", "stopped_on": "2026-10-31"},
     ["stopped_on 2026-10-31 is before started_on 2026-11-01"]),
]


@pytest.mark.parametrize(("name", "fields", "named"), ORDER_CASES,
                         ids=[c[0] for c in ORDER_CASES])
def test_a_record_that_ends_before_it_starts_is_refused(
    writer: Writer, name: str, fields: dict[str, Any], named: list[str]
) -> None:
    entity = ENTITIES[name]
    assert_refused(writer.create(entity, {**writer.base_fields(entity), **fields}), *named)
    assert writer.count(entity) == 0


@pytest.mark.parametrize(("name", "fields", "named"), ORDER_CASES,
                         ids=[c[0] for c in ORDER_CASES])
def test_a_patch_that_makes_a_record_end_before_it_starts_is_refused(
    writer: Writer, name: str, fields: dict[str, Any], named: list[str]
) -> None:
    entity = ENTITIES[name]
    start = next(key for key in fields if key.startswith("start"))
    record = writer.make(entity, **{start: fields[start]})
    end = next(key for key in fields if key not in (start,))

    assert_refused(writer.patch(entity, record["id"], {end: fields[end]}), end, start)
    assert writer.read(entity, record["id"]) == record
    assert writer.version() == record["version"]


def test_a_goal_checkin_patched_to_say_nothing_is_refused(writer: Writer) -> None:
    entity = ENTITIES["goal_checkin"]
    record = writer.make(entity)
    answer = writer.patch(entity, record["id"], {"amount": None, "ability": None})
    assert_refused(answer, "needs an amount, ability, GAS level, step or note")
    assert writer.read(entity, record["id"]) == record


ANSWER_CASES = [
    ("peg", {"pain": 6, "enjoyment": 5}, ["peg answers.activity is required"]),
    ("peg", {"pain": 6, "enjoyment": 5, "activity": 11},
     ["peg answers.activity 11 is outside 0–10"]),
    ("peg", {"pain": "6", "enjoyment": 5, "activity": 4}, ["peg answers.pain '6'"]),
    ("phq2", {"interest": 4, "mood": 1}, ["phq2 answers.interest 4 is outside 0–3"]),
    ("phq2", {"interest": 1, "mood": 1, "item4": 2}, ["phq2 answers.item4 is not an item of phq2"]),
    ("gad2", {"nervous": 1}, ["gad2 answers.worry is required"]),
    ("pgic", {"change": 8}, ["pgic answers.change 8 is outside 1–7"]),
    ("pgic", {"change": 0}, ["pgic answers.change 0 is outside 1–7"]),
    ("psfs", {"activities": []}, ["psfs answers.activities", "at least 1 item"]),
    ("psfs", {"activities": [{"activity": f"a{i}", "score": 5} for i in range(6)]},
     ["psfs answers.activities", "at most 5 items"]),
    ("psfs", {"activities": [{"activity": "Walking", "score": 11}]},
     ["psfs answers.activities[0].score 11 is outside 0–10"]),
    ("psfs", {"activities": [{"activity": "", "score": 3}]},
     ["psfs answers.activities[0].activity ''"]),
    ("peg", {"activities": [{"activity": "Walking", "score": 3}]}, ["peg answers."]),
]


@pytest.mark.parametrize(("instrument", "answers", "named"), ANSWER_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ANSWER_CASES)])
def test_outcome_answers_that_do_not_fit_the_instrument_are_refused(
    writer: Writer, instrument: str, answers: dict[str, Any], named: list[str]
) -> None:
    entity = ENTITIES["outcome_response"]
    fields = valid_fields("outcome_response", instrument=instrument, answers=answers)
    assert_refused(writer.create(entity, fields), *named)
    assert writer.count(entity) == 0


def test_a_patch_with_answers_that_do_not_fit_the_instrument_is_refused(writer: Writer) -> None:
    entity = ENTITIES["outcome_response"]
    record = writer.make(entity)
    assert_refused(writer.patch(entity, record["id"], {"instrument": "phq2"}),
                   "phq2 answers.")
    assert_refused(writer.patch(entity, record["id"], {"answers": {"interest": 1, "mood": 1}}),
                   "peg answers.")
    assert writer.read(entity, record["id"]) == record


@pytest.mark.parametrize(("instrument", "answers", "score"), [
    ("peg", {"pain": 6, "enjoyment": 5, "activity": 4}, 5.0),
    ("psfs", {"activities": [{"activity": "Walking", "score": 3},
                             {"activity": "Cooking", "score": 4}]}, 3.5),
    ("phq2", {"interest": 2, "mood": 3}, 5.0),
    ("gad2", {"nervous": 0, "worry": 1}, 1.0),
    ("pgic", {"change": 6}, 6.0),
])
def test_the_server_computes_the_score_and_replaces_the_clients(
    writer: Writer, instrument: str, answers: dict[str, Any], score: float
) -> None:
    entity = ENTITIES["outcome_response"]
    fields = valid_fields("outcome_response", instrument=instrument, answers=answers, score=99)

    answer = writer.create(entity, fields)

    assert answer.status == 201, answer.body
    assert answer.body["score"] == score
    assert writer.stored(entity, answer.body["id"])["score"] == score
    assert writer.read(entity, answer.body["id"])["score"] == score


def test_a_patch_of_answers_recomputes_the_score_and_a_sent_score_is_ignored(
    writer: Writer
) -> None:
    entity = ENTITIES["outcome_response"]
    record = writer.make(entity)  # peg 6, 5, 4
    assert record["score"] == 5.0

    patched = writer.patch(entity, record["id"], {"answers": {"pain": 9, "enjoyment": 9,
                                                              "activity": 6}})
    assert patched.status == 200, patched.body
    assert patched.body["score"] == 8.0

    forced = writer.patch(entity, record["id"], {"score": 1})
    assert forced.status == 200, forced.body
    assert forced.body["score"] == 8.0
    assert writer.stored(entity, record["id"])["score"] == 8.0


# -- references to other records ------------------------------------------------------------

REFERENCES = [(name, field_name, target)
              for name, entity in sorted(ENTITIES.items())
              for field_name, target in sorted(entity.references.items())]


def test_the_reference_cases_cover_the_registry() -> None:
    assert {(name, field_name) for name, field_name, _ in REFERENCES} >= {
        ("goal_checkin", "goal_id"), ("pacing_session", "plan_id"), ("pacing_plan", "goal_id")}


@pytest.mark.parametrize(("name", "field_name", "target"), REFERENCES,
                         ids=[f"{n}.{f}" for n, f, _ in REFERENCES])
def test_a_record_pointing_at_another_patients_record_or_at_nothing_is_refused(
    writer: Writer, other_writer: Writer, name: str, field_name: str, target: str
) -> None:
    entity = ENTITIES[name]
    theirs = other_writer.make(ENTITIES[target])["id"]
    nobodys = str(uuid.uuid4())
    version = writer.version()
    for target_id in (theirs, nobodys):
        fields = {**writer.base_fields(entity), field_name: target_id}
        version = writer.version()
        assert_refused(writer.create(entity, fields),
                       f"{field_name} {target_id} is not one of your {target} records")
        assert writer.version() == version
    assert writer.count(entity) == 0

    record = writer.make(entity)
    for target_id in (theirs, nobodys):
        assert_refused(writer.patch(entity, record["id"], {field_name: target_id}),
                       f"{field_name} {target_id}")
    assert writer.read(entity, record["id"]) == record


def test_the_tables_the_tests_count_are_the_entities_tables() -> None:
    tables = {entity.table.__table__.name for entity in ENTITIES.values()}  # type: ignore[attr-defined]
    assert tables <= set(SQLModel.metadata.tables)


def test_a_create_with_id_null_gets_an_id_of_the_servers_choosing(patient: Browser) -> None:
    answer = patient.post("/api/v1/diary-entries",
                          json={"local_date": "2026-11-27", "pain": 4, "id": None})

    assert answer.status_code == 201, answer.text
    stored = patient.get(f"/api/v1/diary-entries/{answer.json()['id']}")
    assert stored.json()["pain"] == 4
