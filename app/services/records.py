"""Writing and reading patient records: the one path every change takes.

A REST call, a sync mutation, a clinician's note and the demo loader all end in
`apply_mutations`, which holds the patient's version row while it works, so every applied
write takes the next per-patient version and shows up in pulls (design §4).
"""

from __future__ import annotations

import base64
import binascii
import json
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import sqlalchemy as sa
from pydantic import ValidationError
from pydantic_core import to_jsonable_python
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from app import jsoncodec
from app.errors import Conflict, Forbidden, Invalid, NotFound, describe_errors
from app.models import PatientSyncState, RecordColumns, RecordRevision, utcnow
from app.schemas.common import NUL_FREE
from app.schemas.entities import ENTITIES, Entity
from app.services import scoring

META_FIELDS = tuple(RecordColumns.model_fields)  # id, patient_id, version, deleted, ...
# A record as the write path holds it: a table model instance loaded from the database, or
# a NewRecord created in the batch (both give its columns as attributes).
Row = Any
RejectReason = Literal["validation", "deleted", "unknown_entity", "not_found", "forbidden"]
# How long a write waits for the patient's version lock on PostgreSQL before giving up.
LOCK_TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Actor:
    """Who is writing: the patient themself or a linked clinician."""

    user_id: uuid.UUID
    role: Literal["patient", "clinician"]
    name: str = ""
    care_role: str | None = None


@dataclass
class Mutation:
    entity: str
    op: Literal["upsert", "delete"]
    record_id: uuid.UUID
    fields: dict[str, Any] = field(default_factory=dict)
    base_version: int = 0
    # True when the fields came from a JSON body already seen free of NUL characters.
    nul_free: bool = False


@dataclass
class Result:
    status: Literal["applied", "rejected"]
    version: int | None = None
    error: RejectReason | None = None
    detail: str | None = None
    row: Row | None = None
    created: bool = False


class _Rejected(Exception):
    def __init__(self, error: RejectReason, detail: str) -> None:
        super().__init__(detail)
        self.error, self.detail = error, detail


# -- the patient's version counter -------------------------------------------------------


def lock_patient_version(
    session: Session, patient_id: uuid.UUID, *, lock_timeout_ms: int = LOCK_TIMEOUT_MS
) -> int:
    """Take the patient's version row lock (FOR UPDATE on PostgreSQL; on SQLite the write
    transaction already began IMMEDIATE) and return the version, creating the row if needed.

    On PostgreSQL a wait longer than `lock_timeout_ms` fails with a lock timeout, which the
    API answers 503 with Retry-After, as SQLite's busy_timeout does."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"SET LOCAL lock_timeout = {int(lock_timeout_ms)}"))
    version = connection.execute(_LOCK_VERSION, {"patient_id": patient_id}).scalar()
    if version is None:
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        connection.execute(
            insert(PatientSyncState)
            .values(patient_id=patient_id, version=0, purged_through=0)
            .on_conflict_do_nothing()
        )
        version = connection.execute(_LOCK_VERSION, {"patient_id": patient_id}).scalar_one()
    return version  # type: ignore[no-any-return]


_STATE_TABLE: sa.Table = PatientSyncState.__table__  # type: ignore[attr-defined]
_LOCK_VERSION = (
    sa.select(_STATE_TABLE.c.version)
    .where(_STATE_TABLE.c.patient_id == sa.bindparam("patient_id", type_=sa.Uuid()))
    .with_for_update()
)
_SET_VERSION = (
    sa.update(_STATE_TABLE)
    .where(_STATE_TABLE.c.patient_id == sa.bindparam("of_patient", type_=sa.Uuid()))
    .values(version=sa.bindparam("new_version", type_=sa.Integer()))
)


# -- writing -------------------------------------------------------------------------------


def apply_mutations(
    session: Session,
    *,
    patient_id: uuid.UUID,
    actor: Actor,
    mutations: Sequence[Mutation],
    lock_timeout_ms: int = LOCK_TIMEOUT_MS,
    locked_version: int | None = None,
) -> list[Result]:
    """Apply mutations in order under the patient's lock; each is applied or rejected.
    `locked_version` is the patient's version from a caller that took the lock in this
    transaction already, with nothing written since.

    A batch in which every mutation creates a record, as its device believes (an upsert
    from base version 0), is first applied as if none of its ids existed yet, inside a
    savepoint: looking 500 new ids up was a tenth of a push on PostgreSQL. Should one exist
    after all (another patient's record, an edit of an old one) its insert fails; should
    any mutation be refused, the refusal may hold only for a record that is new. Either way
    the savepoint is rolled back and the batch applied again with every id looked up, so
    the answer is the same as if it had been looked up from the start."""
    version = (lock_patient_version(session, patient_id, lock_timeout_ms=lock_timeout_ms)
               if locked_version is None else locked_version)
    if all(mutation.op == "upsert" and mutation.base_version == 0 for mutation in mutations):
        try:
            with session.begin_nested():
                rows = _preload(session, mutations, targets_known_new=True)
                return _apply_batch(session, patient_id, actor, mutations, version, rows,
                                    all_new=True)
        except (IntegrityError, _NotAllNew):
            pass
    rows = _preload(session, mutations)
    return _apply_batch(session, patient_id, actor, mutations, version, rows)


class _NotAllNew(Exception):
    """A batch applied as if its records were all new had a mutation refused."""


def _apply_batch(
    session: Session, patient_id: uuid.UUID, actor: Actor, mutations: Sequence[Mutation],
    version: int, rows: _Rows, *, all_new: bool = False,
) -> list[Result]:
    results: list[Result] = []
    now = utcnow()
    counter = _Counter(version)
    # One flush at the end writes the whole batch (executemany), not one per mutation.
    with session.no_autoflush:
        for mutation in mutations:
            try:
                result = _apply_one(session, counter, patient_id, actor, mutation, now, rows)
            except _Rejected as rejection:
                if all_new:
                    raise _NotAllNew from None
                result = Result("rejected", error=rejection.error, detail=rejection.detail)
            results.append(result)
    if counter.version != version:  # one statement, however many were applied
        session.execute(_SET_VERSION, {"of_patient": patient_id,
                                        "new_version": counter.version})
    rows.insert_created()
    erased = {
        mutation.record_id
        for mutation, result in zip(mutations, results, strict=True)
        if mutation.op == "delete" and result.status == "applied"
    }
    if erased:
        _erase_revisions(session, patient_id, erased)
    session.flush()
    return results


class _Rows:
    """The rows a batch touches by (entity, id), None for an id that exists nowhere; rows
    created during the batch join as they are made, before any flush."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[str, uuid.UUID], Row | None] = {}
        self.created: dict[str, list[NewRecord]] = {}

    def get(self, entity: Entity, record_id: uuid.UUID) -> Row | None:
        key = (entity.name, record_id)
        if key not in self.known:
            self.known[key] = self.session.get(entity.table, record_id)
        return self.known[key]

    def add(self, entity: Entity, row: Row) -> None:
        self.known[(entity.name, row.id)] = row  # type: ignore[attr-defined]

    def create(self, entity: Entity, row: NewRecord) -> None:
        self.add(entity, row)
        self.created.setdefault(entity.name, []).append(row)

    def insert_created(self) -> None:
        """Insert the batch's new rows as they stand at its end, one statement per entity,
        on the session's own connection: the driver's executemany (SQLite) or COPY
        (PostgreSQL) with the values bound as SQLAlchemy binds them (`_bound_rows`), several
        times faster than the ORM's flush and about twice as fast as a Core executemany."""
        for name, created in self.created.items():
            table = ENTITIES[name].table.__table__  # type: ignore[attr-defined]
            _insert_rows(self.session, table, _column_names(ENTITIES[name]), created)
        self.created = {}


def _insert_rows(session: Session, table: sa.Table, columns: tuple[str, ...],
                 rows: list[Any]) -> None:
    connection = session.connection()
    dialect = connection.dialect
    bound = _bound_rows(dialect, table, columns, rows)
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    target = dialect.identifier_preparer.format_table(table)
    driver = connection.connection.driver_connection
    if dialect.name == "postgresql":
        statement = f"COPY {target} ({names}) FROM STDIN"
        errors = _psycopg_error()
        try:
            with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for values in bound:
                    copy.write_row(values)
        except errors as exc:  # wrapped as SQLAlchemy wraps an INSERT's error
            raise sa.exc.DBAPIError.instance(statement, None, exc, errors) from exc
        return
    statement = f"INSERT INTO {target} ({names}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608 - names from our own table
    try:
        driver.executemany(statement, bound)  # type: ignore[union-attr]
    except sqlite3.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, None, exc, sqlite3.Error) from exc


def _bound_rows(dialect: sa.Dialect, table: sa.Table, columns: tuple[str, ...],
                rows: list[Any]) -> list[tuple[Any, ...]]:
    """The rows' values as the driver takes them, worked out a column at a time with
    SQLAlchemy's own bind processor for the column; a value the batch shares (its time, its
    patient, an empty field) is processed once."""
    bound_columns = []
    for name in columns:
        values = [row.__dict__[name] for row in rows]
        process = _bind_processor(table.c[name], dialect)
        if process is not None:
            values = _processed(process, values)
        bound_columns.append(values)
    return list(zip(*bound_columns, strict=True))


def _bind_processor(column: sa.Column[Any], dialect: sa.Dialect) -> Callable[[Any], Any] | None:
    """SQLAlchemy's own bind processor for `column`, except on PostgreSQL, whose rows go in
    by COPY in text format: there a UUID or a JSON value is handed over as its text, which
    psycopg copies in C rather than through a Python dumper per value."""
    if dialect.name == "postgresql":
        if isinstance(column.type, sa.Uuid):
            return _text_or_none
        if isinstance(column.type, sa.JSON):
            return jsoncodec.dumps  # the engines' JSON serializer (app.db.JSON_CODEC)
    return column.type.dialect_impl(dialect).bind_processor(dialect)  # type: ignore[no-any-return]


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _processed(process: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    first = values[0]
    if len(set(map(id, values))) == 1:  # one object in every row: bind processors are pure
        return [process(first)] * len(values)
    return list(map(process, values))


def _psycopg_error() -> type[Exception]:
    import psycopg  # only installations on PostgreSQL reach this

    return psycopg.Error


def _preload(session: Session, mutations: Sequence[Mutation], *,
             targets_known_new: bool = False) -> _Rows:
    """Load every targeted or referenced row in one query per entity, so the walk below
    never goes to the database once per mutation. With `targets_known_new` the targeted
    ids are taken to exist nowhere and only referenced rows are looked up."""
    ids: dict[str, set[uuid.UUID]] = {}
    rows = _Rows(session)
    for mutation in mutations:
        entity = ENTITIES.get(mutation.entity)
        if entity is None:
            continue
        if targets_known_new:
            rows.known[(entity.name, mutation.record_id)] = None
        else:
            ids.setdefault(entity.name, set()).add(mutation.record_id)
        for field_name, target_name in entity.references.items():
            target_id = _as_uuid(mutation.fields.get(field_name))
            if target_id is not None:
                ids.setdefault(target_name, set()).add(target_id)
    for name, record_ids in ids.items():
        entity = ENTITIES[name]
        table = entity.table
        rows.known.update({(name, record_id): None for record_id in record_ids})
        listed, given = _id_list(session, table.__table__, record_ids)  # type: ignore[attr-defined]
        statement = select(table).where(table.id.in_(given))  # type: ignore[attr-defined]
        for row in session.exec(statement, params={"ids": listed}).all():
            rows.add(entity, row)
    return rows


def _id_list(session: Session, table: sa.Table, ids: set[uuid.UUID]) -> tuple[str, Any]:
    """`ids` as one parameter, a JSON list, however many there are, and the subquery that
    reads them back (`ids` bound to it): binding an IN list of 500 parameters one by one
    took longer than the query."""
    dialect = session.connection().dialect
    process = table.c.id.type.bind_processor(dialect)  # the id as the column stores it
    listed = jsoncodec.dumps([process(record_id) if process else str(record_id)
                              for record_id in ids])
    if dialect.name == "postgresql":
        elements = sa.func.json_array_elements_text(sa.cast(sa.bindparam("ids"), sa.JSON))
        return listed, sa.select(sa.cast(sa.column("value"), sa.Uuid())).select_from(elements)
    return listed, sa.select(sa.column("value")).select_from(sa.func.json_each(sa.bindparam("ids")))


def _as_uuid(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _apply_one(
    session: Session,
    counter: _Counter,
    patient_id: uuid.UUID,
    actor: Actor,
    mutation: Mutation,
    now: datetime,
    rows: _Rows,
) -> Result:
    entity = ENTITIES.get(mutation.entity)
    if entity is None:
        raise _Rejected("unknown_entity", f"unknown entity {mutation.entity!r}")
    row = rows.get(entity, mutation.record_id)
    foreign = row is not None and row.patient_id != patient_id  # type: ignore[attr-defined]
    if foreign:
        row = None  # another patient's record answers exactly like one that exists nowhere
    _check_actor_may_write(entity, actor, row)
    if row is not None and row.deleted:  # type: ignore[attr-defined]
        raise _Rejected("deleted", f"{entity.name} {mutation.record_id} was deleted")

    if mutation.op == "delete":
        if row is None:
            raise _Rejected("not_found", f"{entity.name} {mutation.record_id} was not found")
        version = counter.next()
        _erase(entity, row)
        _set(row, {"deleted": True, "version": version, "updated_at": now})
        return Result("applied", version=version, row=row)

    if row is None:
        values = _validate_new(entity, mutation)
        _check_references(rows, entity, patient_id, values)
        if foreign:  # its id is taken, so it cannot be created; nothing else differs
            raise _Rejected("not_found", f"{entity.name} {mutation.record_id} was not found")
        values.update(_author_fields(entity, actor))
        version = counter.next()
        row = NewRecord(entity, {
            "id": mutation.record_id, "patient_id": patient_id, "version": version,
            "deleted": False, "created_at": now, "updated_at": now, **values,
        })
        rows.create(entity, row)
        return Result("applied", version=version, row=row, created=True)

    changes = _validate_patch(entity, mutation, row)
    _check_references(rows, entity, patient_id, changes)
    version = counter.next()
    if mutation.base_version < row.version:  # type: ignore[attr-defined]
        _keep_overwritten(session, entity, row, changes, mutation.base_version, version)
    _set(row, {**changes, "version": version, "updated_at": now})
    return Result("applied", version=version, row=row)


class NewRecord:
    """A record created in this batch, not yet inserted: its column values as attributes
    (every column not given is None). `_Rows.insert_created` writes it at the batch's end.

    It is not a table model instance: SQLAlchemy's per-instance state made building those
    the largest cost of a 500-record push, and a created row never joins the session."""

    def __init__(self, entity: Entity, values: dict[str, Any]) -> None:
        self.__dict__.update(dict.fromkeys(_column_names(entity)))
        self.__dict__.update(values)


def _set(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


_COLUMN_NAMES: dict[str, tuple[str, ...]] = {}


def _column_names(entity: Entity) -> tuple[str, ...]:
    if entity.name not in _COLUMN_NAMES:
        table = entity.table.__table__  # type: ignore[attr-defined]
        _COLUMN_NAMES[entity.name] = tuple(column.key for column in table.columns)
    return _COLUMN_NAMES[entity.name]


class _Counter:
    """The patient's version while a batch is applied; written back to its row once."""

    def __init__(self, version: int) -> None:
        self.version = version

    def next(self) -> int:
        self.version += 1
        return self.version


def _check_actor_may_write(entity: Entity, actor: Actor, row: Row | None) -> None:
    if actor.role == "patient" and not entity.writable_by_patient:
        raise _Rejected("validation", f"{entity.name} is written by the care team; it is read-only")
    if actor.role == "clinician":
        if not entity.writable_by_clinician:
            raise _Rejected("forbidden", f"clinicians do not write {entity.name} records")
        if row is not None and getattr(row, "author_id", None) != actor.user_id:
            raise _Rejected("forbidden", f"only its author can change this {entity.name}")


def _author_fields(entity: Entity, actor: Actor) -> dict[str, Any]:
    if "author_id" not in entity.server_fields:
        return {}
    values: dict[str, Any] = {"author_id": actor.user_id}
    if "author_role" in entity.server_fields:
        values["author_role"] = actor.care_role or actor.role
    if "author_name" in entity.server_fields:
        values["author_name"] = actor.name
    return values


def _validate_new(entity: Entity, mutation: Mutation) -> dict[str, Any]:
    given = mutation.fields
    if "id" in given:
        given = dict(given)
        given_id = given.pop("id")
        if given_id is not None and str(given_id) != str(mutation.record_id):
            raise _Rejected("validation", "id in the fields differs from record_id")
    try:
        model = entity.create.model_validate(given, context=_context(mutation))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        missing = [str(error["loc"][0]) for error in errors
                   if error["type"] == "missing" and len(error["loc"]) == 1]
        if missing:  # a partial update of a record that does not exist (design §4)
            raise _Rejected("not_found", f"{entity.name} {mutation.record_id} was not found "
                            f"(a new one needs {', '.join(missing)})") from None
        raise _Rejected("validation", describe_errors(errors)) from None
    return _column_values(entity, model, None)  # a new record stores every field


def _context(mutation: Mutation) -> dict[str, Any] | None:
    return _NUL_FREE_CONTEXT if mutation.nul_free else None


_NUL_FREE_CONTEXT = {NUL_FREE: True}


def _defaulted(entity: Entity) -> set[str]:
    """A new record stores every field, defaults included."""
    return set(entity.create.model_fields) - {"id"}


def _validate_patch(entity: Entity, mutation: Mutation, row: Row) -> dict[str, Any]:
    given = dict(mutation.fields)
    given.pop("id", None)
    try:
        patch = entity.update.model_validate(given, context=_context(mutation))
        stored = {name: getattr(row, name) for name in _defaulted(entity)}
        merged = {**stored, **patch.model_dump(exclude_unset=True)}
        # the rules that span fields
        full = entity.create.model_validate(merged, context=_context(mutation))
    except ValidationError as exc:
        raise _Rejected("validation", describe_errors(exc.errors(include_url=False))) from None
    values = _column_values(entity, full, patch.model_fields_set)
    if "score" in values or "answers" in values:
        values.update(_column_values(entity, full, {"score", "answers"}))
    return values


def _column_values(entity: Entity, model: Any, names: set[str] | None) -> dict[str, Any]:
    """Turn a validated schema into column values (all of them when `names` is None):
    JSON columns get JSON-ready values."""
    if names is None:
        # The validated fields as they stand: cheaper than model_dump, and the JSON columns
        # (the only ones that can hold nested models) are made JSON-ready just below.
        values = dict(model.__dict__)
        values.pop("id", None)
    else:
        values = model.model_dump(include=names)
    for name in _json_columns(entity):
        if values.get(name) is not None:
            values[name] = to_jsonable_python(values[name])
    if entity.name == "outcome_response" and "answers" in values:
        values["score"] = scoring.score(model.instrument, model.answers)
    return values


_JSON_COLUMNS: dict[str, frozenset[str]] = {}


def _json_columns(entity: Entity) -> frozenset[str]:
    if entity.name not in _JSON_COLUMNS:
        table = entity.table.__table__  # type: ignore[attr-defined]
        _JSON_COLUMNS[entity.name] = frozenset(
            column.name for column in table.columns if isinstance(column.type, sa.JSON)
        )
    return _JSON_COLUMNS[entity.name]


def _check_references(
    rows: _Rows, entity: Entity, patient_id: uuid.UUID, values: dict[str, Any]
) -> None:
    for field_name, target_name in entity.references.items():
        target_id = values.get(field_name)
        if target_id is None:
            continue
        target = rows.get(ENTITIES[target_name], target_id)
        if target is None or target.patient_id != patient_id:  # type: ignore[attr-defined]
            raise _Rejected(
                "validation", f"{field_name} {target_id} is not one of your {target_name} records"
            )


def _keep_overwritten(
    session: Session, entity: Entity, row: Row, changes: dict[str, Any],
    base_version: int, version: int,
) -> None:
    json_columns = _json_columns(entity)
    overwritten = {
        name: _jsonable(getattr(row, name))
        for name, new in changes.items()
        if getattr(row, name) != new or (name in json_columns and getattr(row, name) != new)
    }
    if overwritten:
        session.add(RecordRevision(
            patient_id=row.patient_id,  # type: ignore[attr-defined]
            entity=entity.name,
            record_id=row.id,  # type: ignore[attr-defined]
            replaced_version=row.version,  # type: ignore[attr-defined]
            by_version=version,
            base_version=base_version,
            fields=overwritten,
        ))


def _erase(entity: Entity, row: Row) -> None:
    """A tombstone keeps its id and version, and nothing of what it said."""
    table = entity.table.__table__  # type: ignore[attr-defined]
    for column in table.columns:
        if column.name not in META_FIELDS:
            setattr(row, column.name, None)


def _erase_revisions(session: Session, patient_id: uuid.UUID, record_ids: set[Any]) -> None:
    """The values earlier edits of a deleted record overwrote go with it."""
    for pending in [obj for obj in session.new if isinstance(obj, RecordRevision)]:
        if pending.record_id in record_ids:
            session.expunge(pending)
    for chunk in _chunks(list(record_ids), 500):
        session.execute(
            sa.delete(RecordRevision)
            .where(RecordRevision.patient_id == patient_id,  # type: ignore[arg-type]
                   RecordRevision.record_id.in_(chunk))  # type: ignore[attr-defined]
            .execution_options(synchronize_session=False)
        )


# -- the REST face of the same path ---------------------------------------------------------


def write_one(
    session: Session, *, patient_id: uuid.UUID, actor: Actor, mutation: Mutation,
    must_exist: bool | None = None,
) -> Row:
    """Apply one mutation for a REST call; a rejection becomes the matching HTTP error.

    `must_exist=False` is a create (an existing id is a conflict), `True` is a patch or a
    delete (a missing id is 404), `None` is an upsert.
    """
    entity = ENTITIES[mutation.entity]
    existing = session.get(entity.table, mutation.record_id)
    if must_exist is False and existing is not None:
        raise Conflict(f"{entity.name} {mutation.record_id} already exists", code="conflict")
    if must_exist and (
        existing is None
        or existing.patient_id != patient_id  # type: ignore[attr-defined]
        or existing.deleted  # type: ignore[attr-defined]
    ):
        raise NotFound(f"{entity.name} {mutation.record_id} was not found")
    (result,) = apply_mutations(session, patient_id=patient_id, actor=actor, mutations=[mutation])
    if result.status == "applied":
        assert result.row is not None
        return result.row
    detail = result.detail or "refused"
    if result.error == "forbidden":
        raise Forbidden(detail)
    if result.error in ("not_found", "deleted"):
        raise NotFound(f"{entity.name} {mutation.record_id} was not found")
    raise Invalid(detail)


def get_record(
    session: Session, *, patient_id: uuid.UUID, entity: Entity, record_id: uuid.UUID
) -> SQLModel:
    """Return one live record of the patient, or NotFound exactly as for a missing id."""
    row = session.get(entity.table, record_id)
    if row is None or row.patient_id != patient_id or row.deleted:  # type: ignore[attr-defined]
        raise NotFound(f"{entity.name} {record_id} was not found")
    return row


# -- reading ------------------------------------------------------------------------------


def to_wire(entity: Entity, row: Any) -> dict[str, Any]:
    """A stored row as its public JSON: the common fields, then the entity's own."""
    out = {
        "id": str(row.id),
        "version": row.version,
        "deleted": row.deleted,
        "created_at": _jsonable(row.created_at),
        "updated_at": _jsonable(row.updated_at),
    }
    for name in public_fields(entity):
        out[name] = _jsonable(getattr(row, name))
    return out


def public_fields(entity: Entity) -> tuple[str, ...]:
    return tuple(name for name in entity.public.model_fields if name not in META_FIELDS)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


@dataclass
class Page:
    items: list[dict[str, Any]]
    next: str | None


def list_records(
    session: Session,
    *,
    patient_id: uuid.UUID,
    entity: Entity,
    since: str | None = None,
    until: str | None = None,
    limit: int = 100,
    cursor: str | None = None,
) -> Page:
    """List a patient's live records in the order of the entity's own date, oldest first,
    a page at a time (keyset pagination on that date and the id)."""
    table = entity.table
    sort_column = getattr(table, entity.sort_field)
    id_column = table.id  # type: ignore[attr-defined]
    is_date = entity.sort_field in ("local_date", "week_start")
    statement = select(table).where(
        table.patient_id == patient_id, table.deleted == sa.false()  # type: ignore[attr-defined]
    )
    if since is not None:
        statement = statement.where(sort_column >= _bound("since", since, is_date, start=True))
    if until is not None:
        statement = statement.where(sort_column <= _bound("until", until, is_date, start=False))
    if cursor is not None:
        after_value, after_id = _decode_cursor(cursor, is_date)
        statement = statement.where(
            sa.or_(sort_column > after_value,
                   sa.and_(sort_column == after_value, id_column > after_id))
        )
    rows = session.exec(statement.order_by(sort_column, id_column).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        _encode_cursor(getattr(rows[-1], entity.sort_field), rows[-1].id)  # type: ignore[attr-defined]
        if more else None
    )
    return Page([to_wire(entity, row) for row in rows], next_cursor)


def _bound(name: str, text: str, is_date: bool, *, start: bool) -> date | datetime:
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            if is_date:
                return day
            return datetime.combine(day, time.min if start else time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
        if is_date:
            return moment.date()
        # Bound values are compared in UTC; a moment past either end of UTC is refused here
        # rather than failing in the database driver.
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError):
        raise Invalid(f"{name} {text!r} is not a date (YYYY-MM-DD) or a date-time") from None


def _encode_cursor(value: Any, record_id: uuid.UUID) -> str:
    raw = json.dumps([_jsonable(value), str(record_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, is_date: bool) -> tuple[Any, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, record_id = json.loads(raw)
        if not (isinstance(value, str) and isinstance(record_id, str)):
            raise TypeError("a cursor holds two strings")
        parsed: Any = date.fromisoformat(value) if is_date else datetime.fromisoformat(value)
        if not is_date:  # this server gives out UTC times only
            if parsed.tzinfo is None:
                raise ValueError("a cursor's time has a zone")
            parsed = parsed.astimezone(UTC)
        return parsed, uuid.UUID(record_id)
    except (ValueError, TypeError, OverflowError, binascii.Error):
        raise Invalid(f"cursor {cursor[:40]!r} is not one this server gave out") from None
