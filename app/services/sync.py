"""The sync protocol's server side (design §4): push a client's outbox, pull changes by
version, and purge old tombstones.

A push runs in the request's one transaction under the patient's version lock, so it lands
whole or not at all; every applied mutation goes through `records.apply_mutations`, the
same path as a REST write. A pull reads every entity table in one snapshot and encodes its
page once, straight from Core rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.errors import Busy, Conflict, DomainError, Forbidden, TooLarge
from app.models import PatientSyncState, SyncClient, utcnow
from app.models.base import UTCDateTime
from app.schemas.entities import ENTITIES, Entity
from app.schemas.sync import (
    MAX_MUTATIONS,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    SCHEMA_VERSION,
    MutationIn,
    PushRequest,
)
from app.services import records
from app.services.records import Actor, Mutation

OPS = ("upsert", "delete")
ENVELOPE_KEYS = frozenset(MutationIn.model_fields)


class MutationOrder(DomainError):
    status, code = 400, "mutation_order"


# -- push -----------------------------------------------------------------------------------


@dataclass
class PushOutcome:
    last_mutation_id: int
    results: list[dict[str, Any]]


def push(
    session: Session,
    *,
    patient_id: uuid.UUID,
    actor: Actor,
    request: PushRequest,
    lock_timeout_ms: int = records.LOCK_TIMEOUT_MS,
    nul_free: bool = False,
) -> PushOutcome:
    """Apply a batch of a client's outbox in order, each mutation at most once.

    `nul_free` says the request's JSON body was seen to hold no NUL character, so the
    per-record NUL check can be skipped."""
    _check_envelope(request)
    # The patient's lock first: pushes of one client (and of one patient) queue here, so the
    # client's last_mutation_id below cannot change until this transaction ends.
    version = records.lock_patient_version(session, patient_id, lock_timeout_ms=lock_timeout_ms)
    stored = _claim_client(session, client_id=request.client_id, patient_id=patient_id)
    expected = stored + 1
    fresh: list[MutationIn] = []
    for mutation in request.mutations:
        if mutation.id <= stored:
            continue
        if mutation.id != expected:
            raise Conflict(
                f"mutation {mutation.id} skips ahead: the next one this server expects from "
                f"client {request.client_id} is {expected}; push from there",
                code="mutation_gap", last_mutation_id=stored,
            )
        fresh.append(mutation)
        expected += 1

    outcomes = _apply(session, patient_id, actor, fresh, version, nul_free)
    results = [
        outcomes[mutation.id] if mutation.id > stored
        else {"id": mutation.id, "status": "duplicate"}
        for mutation in request.mutations
    ]
    if not fresh:
        return PushOutcome(stored, results)
    session.execute(_CLIENT_APPLIED, {"of_client": request.client_id,
                                      "new_last_mutation_id": fresh[-1].id})
    return PushOutcome(fresh[-1].id, results)


def _check_envelope(request: PushRequest) -> None:
    if request.schema_version != SCHEMA_VERSION:
        raise Conflict(
            f"schema_version {request.schema_version} is not supported; this server speaks "
            f"sync schema_version {SCHEMA_VERSION}; update the app", code="schema_version",
        )
    if len(request.mutations) > MAX_MUTATIONS:
        raise TooLarge(f"{len(request.mutations)} mutations in one push is over the limit of "
                       f"{MAX_MUTATIONS}; push in batches")
    previous = 0
    for mutation in request.mutations:
        if mutation.id <= previous:
            raise MutationOrder(f"mutation id {mutation.id} follows {previous}: ids must be "
                                "strictly increasing within a push")
        previous = mutation.id


def _claim_client(session: Session, *, client_id: uuid.UUID, patient_id: uuid.UUID) -> int:
    """The client's last applied mutation id. One statement creates the client's row on
    first use, or marks it seen and locks it; a client_id belongs to its first user."""
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    now = utcnow()
    claim = insert(SyncClient).values(client_id=client_id, patient_id=patient_id,
                                      last_mutation_id=0, created_at=now, last_seen_at=now)
    owner, last_mutation_id = connection.execute(
        claim.on_conflict_do_update(index_elements=[_CLIENTS.c.client_id],
                                    set_={"last_seen_at": claim.excluded.last_seen_at})
        .returning(_CLIENTS.c.patient_id, _CLIENTS.c.last_mutation_id)
    ).one()
    if owner != patient_id:
        raise Forbidden(f"client_id {client_id} belongs to another account; start a new "
                        "client_id for this one", code="client_id_taken")
    return last_mutation_id  # type: ignore[no-any-return]


_CLIENTS: sa.Table = SyncClient.__table__  # type: ignore[attr-defined]
_CLIENT_APPLIED = (
    sa.update(_CLIENTS)
    .where(_CLIENTS.c.client_id == sa.bindparam("of_client", type_=sa.Uuid()))
    .values(last_mutation_id=sa.bindparam("new_last_mutation_id", type_=sa.Integer()))
)


def _apply(
    session: Session, patient_id: uuid.UUID, actor: Actor, fresh: Sequence[MutationIn],
    version: int, nul_free: bool = False,
) -> dict[int, dict[str, Any]]:
    """Apply the new mutations under the patient's lock, taken at `version`; answer each
    by its id."""
    outcomes: dict[int, dict[str, Any]] = {}
    valid: list[tuple[int, Mutation]] = []
    for raw in fresh:
        parsed = _parse(raw, nul_free)
        if isinstance(parsed, Mutation):
            valid.append((raw.id, parsed))
        else:
            error, detail = parsed
            outcomes[raw.id] = {"id": raw.id, "status": "rejected", "error": error,
                                "detail": detail}
    if not valid:
        return outcomes
    try:
        results = records.apply_mutations(
            session, patient_id=patient_id, actor=actor,
            mutations=[mutation for _, mutation in valid], locked_version=version,
        )
    except IntegrityError:
        # Another patient's transaction is creating a record with the same id right now; a
        # retry will see it committed and answer not_found.
        raise Busy("a record in this push was written concurrently; try again") from None
    for (mutation_id, _), result in zip(valid, results, strict=True):
        if result.status == "applied":
            outcomes[mutation_id] = {"id": mutation_id, "status": "applied",
                                     "version": result.version}
        else:
            outcomes[mutation_id] = {"id": mutation_id, "status": "rejected",
                                     "error": result.error, "detail": result.detail}
    return outcomes


def _parse(raw: MutationIn, nul_free: bool = False) -> Mutation | tuple[str, str]:
    """Turn one wire mutation into a service mutation, or say why it cannot be one."""
    if raw.model_extra:
        extra = sorted(set(raw.model_extra) - ENVELOPE_KEYS)
        if extra:
            return "validation", f"{_quoted(extra[0])} is not a mutation key"
    if not isinstance(raw.entity, str):
        return "validation", f"entity {_short(raw.entity)} is not an entity name"
    if raw.entity not in ENTITIES:
        return "unknown_entity", f"unknown entity {_short(raw.entity)}"
    if raw.op not in OPS:
        return "validation", f"op {_short(raw.op)} is not one of upsert, delete"
    try:
        record_id = uuid.UUID(raw.record_id) if isinstance(raw.record_id, str) else None
    except ValueError:
        record_id = None
    if record_id is None:
        return "validation", f"record_id {_short(raw.record_id)} is not a UUID"
    base_version = raw.base_version
    if type(base_version) is not int or base_version < 0:
        return "validation", f"base_version {_short(base_version)} is not a whole number ≥ 0"
    fields = raw.fields if raw.fields is not None else {}
    if not isinstance(fields, dict):
        return "validation", f"fields {_short(fields)} is not an object"
    if raw.op == "delete":
        fields = {}
    return Mutation(raw.entity, raw.op, record_id, fields, base_version=base_version,
                    nul_free=nul_free)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _quoted(name: str) -> str:
    return _short(name)[1:-1] if isinstance(name, str) else _short(name)


# -- pull -----------------------------------------------------------------------------------


def pull(
    session: Session,
    *,
    patient_id: uuid.UUID,
    cursor: int,
    limit: int = PULL_LIMIT_DEFAULT,
    client_id: uuid.UUID | None = None,
) -> bytes:
    """Return, as encoded JSON, the patient's changes after `cursor` in version order.

    It reads in the request's one transaction. On SQLite that is one snapshot. On PostgreSQL
    (READ COMMITTED) each statement sees the commits made before it, so the page is bounded
    by the patient's version as first read: every write with a version up to it had
    committed by then (versions are handed out under the patient's lock, held to commit),
    and a write committed later has a higher version and waits for the next pull. The
    client's last_mutation_id is read before that bound, so every change it acknowledges is
    within it.
    """
    limit = max(1, min(limit, PULL_LIMIT_MAX))
    connection = session.connection()
    last_mutation_id = 0
    if client_id is not None:
        last_mutation_id = connection.execute(
            _LAST_MUTATION_ID, {"client_id": client_id, "patient_id": patient_id}
        ).scalar() or 0
    version, purged_through = _state(connection, patient_id)
    changes: list[str] = []
    more = False
    new_cursor = cursor
    if cursor < version and not 0 < cursor < purged_through:
        changes, more, new_cursor = _changes_after(connection, patient_id, cursor, version,
                                                   limit)
        # A purge that committed while the page was read may have removed a tombstone it
        # would have held: read its mark again.
        purged_through = _state(connection, patient_id)[1]
    if 0 < cursor < purged_through:
        # Tombstones this client has not seen are gone: it must reload from zero.
        return _page(cursor=0, more=True, reset=True, last_mutation_id=last_mutation_id,
                     changes=[])
    return _page(cursor=new_cursor, more=more, reset=False, last_mutation_id=last_mutation_id,
                 changes=changes)


def _state(connection: sa.Connection, patient_id: uuid.UUID) -> tuple[int, int]:
    """The patient's version and the version through which tombstones were purged."""
    state = connection.execute(_STATE, {"patient_id": patient_id}).first()
    return (state[0], state[1]) if state else (0, 0)


def _page(*, cursor: int, more: bool, reset: bool, last_mutation_id: int,
          changes: list[str]) -> bytes:
    return (
        f'{{"cursor":{cursor},"more":{_BOOL[more]},"reset":{_BOOL[reset]},'
        f'"last_mutation_id":{last_mutation_id},"changes":[{",".join(changes)}]}}'
    ).encode("utf-8", "surrogatepass")


def _changes_after(
    connection: sa.Connection, patient_id: uuid.UUID, cursor: int, bound: int, limit: int
) -> tuple[list[str], bool, int]:
    """The page of versions in (cursor, bound]: its changes as JSON texts, whether more
    follow, and the page's highest version.

    One query over the (patient_id, version) index of every entity table finds the page's
    versions and tables; then only those tables are read, each in one range query. A row
    changed again since the first query has moved past `bound` and comes in a later pull.
    """
    found = connection.execute(
        _PAGE_VERSIONS,
        {"patient_id": patient_id, "cursor": cursor, "bound": bound, "count": limit + 1},
    ).all()
    more = len(found) > limit
    found = found[:limit]
    if not found:
        return [], False, cursor
    last = found[-1][1]
    rows: list[tuple[int, str]] = []
    plans = _plans(connection.dialect.name)
    for index in sorted({entity_index for entity_index, _ in found}):
        plan = plans[index]
        for row in connection.execute(
            plan.rows, {"patient_id": patient_id, "cursor": cursor, "last": last}
        ).all():
            rows.append((row[1], plan.encode(row)))
    rows.sort(key=lambda item: item[0])
    return [text for _, text in rows], more, last


_BOOL = {True: "true", False: "false"}
_P = sa.bindparam("patient_id", type_=sa.Uuid())
_CURSOR = sa.bindparam("cursor", type_=sa.Integer())
_LAST = sa.bindparam("last", type_=sa.Integer())
_STATE = sa.select(PatientSyncState.version, PatientSyncState.purged_through).where(  # type: ignore[call-overload]
    PatientSyncState.patient_id == _P)
_LAST_MUTATION_ID = sa.select(SyncClient.last_mutation_id).where(  # type: ignore[call-overload]
    SyncClient.client_id == sa.bindparam("client_id", type_=sa.Uuid()),
    SyncClient.patient_id == _P,
)


class _Plan:
    """How to read one entity's rows for a pull and write each as a change's JSON text,
    straight from the Core row.

    Each column is read in the form the JSON needs with the least work in between: a JSON
    column as its stored text, and on SQLite ids, times, dates and booleans as stored
    (hex, text, 0/1) and rewritten as text, instead of building a UUID, datetime or date
    only to print it again. On PostgreSQL an id is cast to text by the database."""

    HEAD = ("id", "version", "deleted", "created_at", "updated_at")

    def __init__(self, entity: Entity, dialect: str) -> None:
        table: sa.Table = entity.table.__table__  # type: ignore[attr-defined]
        names = records.public_fields(entity)
        columns = [table.c[name] for name in self.HEAD + names]
        readers = [_reader(column, dialect) for column in columns]
        self.rows = (
            sa.select(*(selected for selected, _ in readers))
            .where(table.c.patient_id == _P, table.c.version > _CURSOR,
                   table.c.version <= _LAST)
            .order_by(table.c.version)
        )
        self.head = f'{{"entity":{_string(entity.name)},"id":'
        self.id, _, _, self.created_at, self.updated_at = (write for _, write in readers[:5])
        self.fields = [
            (f"{_string(name)}:", len(self.HEAD) + index, write)
            for index, (name, (_, write)) in enumerate(zip(names, readers[len(self.HEAD):],
                                                           strict=True))
        ]

    def encode(self, row: Any) -> str:
        deleted = bool(row[2])
        if deleted:
            fields = ""
        else:
            fields = ",".join([key + ("null" if row[position] is None else write(row[position]))
                               for key, position, write in self.fields])
        return (f'{self.head}{self.id(row[0])},"version":{row[1]},'
                f'"deleted":{_BOOL[deleted]},"created_at":{self.created_at(row[3])},'
                f'"updated_at":{self.updated_at(row[4])},"fields":{{{fields}}}}}')


def _reader(column: sa.Column[Any], dialect: str) -> tuple[Any, Callable[[Any], str]]:
    """What to select for `column` and how to write its (non-null) value as JSON."""
    kind = column.type
    if isinstance(kind, sa.JSON):
        return sa.cast(column, sa.Text), _raw  # the stored text is already JSON
    if dialect == "sqlite":
        if isinstance(kind, sa.Uuid):
            return sa.type_coerce(column, sa.String), _hex_uuid
        if isinstance(kind, UTCDateTime):
            return sa.type_coerce(column, sa.String), _sqlite_datetime
        if isinstance(kind, sa.Date):
            return sa.type_coerce(column, sa.String), _string
        if isinstance(kind, sa.Boolean):
            return sa.type_coerce(column, sa.Integer), _boolean
    if dialect == "postgresql":
        if isinstance(kind, sa.Uuid):
            return sa.cast(column, sa.Text), _uuid  # its text needs no escaping
        if isinstance(kind, UTCDateTime):  # psycopg gives an aware datetime already
            return sa.type_coerce(column, sa.DateTime(timezone=True)), _datetime
    return column, _value


def _string(text: str) -> str:
    return json.encoder.encode_basestring(text)  # type: ignore[no-any-return]


def _hex_uuid(stored: str) -> str:
    """A UUID stored as 32 hex digits (SQLite), written in its usual dashed form."""
    if len(stored) != 32:
        return _uuid(uuid.UUID(stored))
    return f'"{stored[:8]}-{stored[8:12]}-{stored[12:16]}-{stored[16:20]}-{stored[20:]}"'


def _sqlite_datetime(stored: str) -> str:
    """A UTC time as SQLite keeps it ("2026-11-27 09:00:00.250000"), written as `_datetime`
    writes the same time ("2026-11-27T09:00:00.250000Z"; no fraction when it is zero)."""
    if len(stored) == 26 and stored[10] == " " and stored[19] == ".":
        fraction = stored[19:]
        return f'"{stored[:10]}T{stored[11:19]}{"" if fraction == ".000000" else fraction}Z"'
    return _datetime(datetime.fromisoformat(stored).replace(tzinfo=UTC))


def _datetime(value: datetime) -> str:
    return f'"{value.astimezone(UTC).isoformat().replace("+00:00", "Z")}"'


def _date(value: date) -> str:
    return f'"{value.isoformat()}"'


def _uuid(value: uuid.UUID | str) -> str:
    return f'"{value}"'


def _number(value: float) -> str:
    return repr(value)  # what json.dumps writes for an int or a finite float


def _boolean(value: bool) -> str:
    return _BOOL[bool(value)]


def _raw(text: str) -> str:
    return text


def _value(value: Any) -> str:
    write = _WRITERS.get(type(value))
    return write(value) if write is not None else json.dumps(value)


_WRITERS: dict[type, Callable[[Any], str]] = {
    str: _string, int: _number, float: _number, bool: _boolean, datetime: _datetime,
    date: _date, uuid.UUID: _uuid,
}


ENTITY_ORDER = tuple(ENTITIES)
_PLANS: dict[str, list[_Plan]] = {}


def _plans(dialect: str) -> list[_Plan]:
    if dialect not in _PLANS:
        _PLANS[dialect] = [_Plan(ENTITIES[name], dialect) for name in ENTITY_ORDER]
    return _PLANS[dialect]


def _versions(entity: Entity) -> sa.Select[Any]:
    """The entity's changes in (cursor, bound] for the pull's page query: (table, version)."""
    table: sa.Table = entity.table.__table__  # type: ignore[attr-defined]
    return sa.select(
        sa.literal_column(str(ENTITY_ORDER.index(entity.name))).label("t"),
        table.c.version.label("v"),
    ).where(table.c.patient_id == _P, table.c.version > _CURSOR,
            table.c.version <= sa.bindparam("bound", type_=sa.Integer()))


_PAGE_VERSIONS = (
    sa.union_all(*(_versions(ENTITIES[name]) for name in ENTITY_ORDER))
    .order_by(sa.literal_column("v"))
    .limit(sa.bindparam("count", type_=sa.Integer()))
)


# -- tombstones ---------------------------------------------------------------------------------


@dataclass
class PurgeReport:
    tombstones: int
    patients: int


def purge_tombstones(session: Session, *, older_than: timedelta) -> PurgeReport:
    """Remove tombstones last changed before `older_than` ago; a client whose cursor is older
    than the newest purged one will be told to reload from zero."""
    horizon = utcnow() - older_than
    purged: dict[uuid.UUID, int] = {}
    count = 0
    for entity in ENTITIES.values():
        table: sa.Table = entity.table.__table__  # type: ignore[attr-defined]
        # DELETE … RETURNING names exactly the rows removed, even if more become old meanwhile.
        removed = session.execute(
            sa.delete(table)
            .where(table.c.deleted == sa.true(), table.c.updated_at < horizon)
            .returning(table.c.patient_id, table.c.version)
        ).all()
        count += len(removed)
        for patient_id, version in removed:
            purged[patient_id] = max(version, purged.get(patient_id, 0))
    for patient_id, version in _sorted(purged.items()):
        session.execute(
            sa.update(PatientSyncState)
            .where(PatientSyncState.patient_id == patient_id,  # type: ignore[arg-type]
                   PatientSyncState.purged_through < version)  # type: ignore[arg-type]
            .values(purged_through=version)
        )
    session.flush()
    return PurgeReport(tombstones=count, patients=len(purged))


def _sorted(items: Iterable[tuple[uuid.UUID, int]]) -> list[tuple[uuid.UUID, int]]:
    """In a fixed order, so that two purges never wait on each other's rows in a cycle."""
    return sorted(items, key=lambda item: str(item[0]))
