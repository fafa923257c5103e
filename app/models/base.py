"""What every table shares: the constraint naming convention, UTC timestamps, record columns.

The naming convention is set here, before any table class is defined, so that every
constraint and index gets a stable name that Alembic can find again on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; use UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def timestamp_field(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


def json_field(default: Any = None) -> Any:
    """A JSON column (lists and small objects); None means 'not given'."""
    return Field(default=default, sa_type=sa.JSON, nullable=True)


class RecordColumns(SQLModel):
    """Columns of every patient-owned record (design §3): set by the server, never the client."""

    id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", nullable=False)
    version: int = Field(nullable=False)
    deleted: bool = Field(default=False, nullable=False)
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field()


def record_indexes(table: str, sort_column: str | None = None) -> tuple[sa.Index, ...]:
    """The pull index (a patient's records in version order) and, where lists are ordered by
    a date of the record's own, the index for that order."""
    indexes = [sa.Index(f"ix_{table}_patient_id_version", "patient_id", "version")]
    if sort_column:
        indexes.append(sa.Index(f"ix_{table}_patient_id_{sort_column}", "patient_id", sort_column))
    return tuple(indexes)
