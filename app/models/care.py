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
    """Append-only: who did what to whose data, when, from where, and how it went.

    `patient_id` names the patient whose data a row is about only when someone else acts
    on it, or when the patient writes their own records; a person's own sign-ins, sign-outs
    and exports name no patient. `actor_id` is empty for an unknown email at sign-in and
    for the `pacewise` command, whose `address` is `cli:<operating-system user>`.

    The database refuses changes (security test 24): see APPEND_ONLY below.
    """

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


# Append-only in the database itself, so that no code path of the app can rewrite the
# trail. The same statements are in migration 20261128_9c2f4e1a7d35 (revisions never import
# app code); here they reach the databases built with `metadata.create_all` (the tests).
#
# PostgreSQL: every UPDATE and DELETE raises, except within an account erasure, which
# runs `SET LOCAL pacewise.erasing = 'on'` (accounts.allow_erasure) and may then delete
# rows and, through the foreign key's ON DELETE SET NULL, empty `actor_id` and nothing
# else. TRUNCATE raises always.
# SQLite: every UPDATE aborts except that same emptying of `actor_id`; a DELETE stays
# possible (SQLite has no session setting a trigger can read, and erasure must delete).
# A batch migration that rebuilds `audit_event` on SQLite drops its trigger: create the
# trigger again in that migration.
APPEND_ONLY: dict[str, list[str]] = {
    "postgresql": [
        """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('pacewise.erasing', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
               AND ROW(NEW.id, NEW.at, NEW.actor_role, NEW.patient_id, NEW.action,
                       NEW.resource, NEW.outcome, NEW.address)
                   IS NOT DISTINCT FROM
                   ROW(OLD.id, OLD.at, OLD.actor_role, OLD.patient_id, OLD.action,
                       OLD.resource, OLD.outcome, OLD.address) THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit_event is append-only: ' || TG_OP || ' is refused';
END
$$""",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
        "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
FOR EACH ROW WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_role IS OLD.actor_role
    AND NEW.patient_id IS OLD.patient_id AND NEW.action IS OLD.action
    AND NEW.resource IS OLD.resource AND NEW.outcome IS OLD.outcome
    AND NEW.address IS OLD.address)
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE is refused');
END""",
    ],
}

for _dialect, _statements in APPEND_ONLY.items():
    for _statement in _statements:
        sa.event.listen(AuditEvent.__table__, "after_create",  # type: ignore[attr-defined]
                        sa.DDL(_statement).execute_if(dialect=_dialect))
