"""Sync bookkeeping: per-patient version counter, per-device mutation ids, revisions."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class PatientSyncState(SQLModel, table=True):
    """The patient's change counter; its row is the lock every write of theirs takes."""

    __tablename__ = "patient_sync_state"

    patient_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    version: int = Field(default=0, nullable=False)
    # Tombstones with a version at or below this were purged: older cursors must reset.
    purged_through: int = Field(default=0, nullable=False)


class SyncClient(SQLModel, table=True):
    """One installation of the app: the last mutation id of its outbox that was applied."""

    __tablename__ = "sync_client"

    client_id: uuid.UUID = Field(primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    last_mutation_id: int = Field(default=0, nullable=False)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()


class RecordRevision(SQLModel, table=True):
    """Values a stale edit overwrote, kept so a concurrent edit is never silently lost."""

    __tablename__ = "record_revision"
    __table_args__ = (sa.Index("ix_record_revision_record_id", "record_id"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    entity: str = Field(max_length=32, nullable=False)
    record_id: uuid.UUID = Field(nullable=False)
    replaced_version: int = Field(nullable=False)
    by_version: int = Field(nullable=False)
    base_version: int = Field(nullable=False)
    fields: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
    at: datetime = timestamp_field()
