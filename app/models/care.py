"""Sharing with the care team and the audit trail of what the team read."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field

CARE_ROLES = (
    "primary_clinician",
    "physiotherapist",
    "occupational_therapist",
    "behavioural_health",
    "other",
)
LINK_STATUSES = ("pending", "active", "revoked")


class CareLink(SQLModel, table=True):
    """A patient's consent for one clinician, born as a one-time invite code."""

    __tablename__ = "care_link"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    patient_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    clinician_id: uuid.UUID | None = Field(
        default=None, foreign_key="user.id", ondelete="CASCADE", index=True
    )
    role: str = Field(default="other", max_length=32, nullable=False)
    status: str = Field(default="pending", max_length=16, nullable=False)
    code_hash: str | None = Field(default=None, max_length=64, unique=True)
    expires_at: datetime = timestamp_field()
    created_at: datetime = timestamp_field()
    revoked_at: datetime | None = timestamp_field(nullable=True)


class AuditEvent(SQLModel, table=True):
    """Append-only: who did what to whose data, when, from where, and how it went."""

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_patient_id_at", "patient_id", "at"),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    at: datetime = timestamp_field()
    actor_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    actor_role: str | None = Field(default=None, max_length=32)
    patient_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    action: str = Field(max_length=64, nullable=False)
    resource: str = Field(max_length=200, nullable=False)
    outcome: str = Field(default="success", max_length=16, nullable=False)
    address: str | None = Field(default=None, max_length=64)
