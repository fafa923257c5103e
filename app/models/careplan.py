"""What the plan uses besides pacing, chosen with the team: treatments, routines,
shared decisions, and the care team's notes."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Field

from app.models.base import RecordColumns, json_field, record_indexes


class Treatment(RecordColumns, table=True):
    __tablename__ = "treatment"
    __table_args__ = record_indexes("treatment")

    kind: str | None = None
    title: str | None = None
    why: str | None = None
    schedule: str | None = None
    started_on: date | None = None
    stopped_on: date | None = None
    status: str | None = None
    helpfulness: int | None = None
    side_effects: str | None = None


class Routine(RecordColumns, table=True):
    __tablename__ = "routine"
    __table_args__ = record_indexes("routine")

    title: str | None = None
    area: str | None = None
    days: list[int] | None = json_field()
    done_dates: list[str] | None = json_field()


class Decision(RecordColumns, table=True):
    __tablename__ = "decision"
    __table_args__ = record_indexes("decision")

    question: str | None = None
    options: list[dict[str, Any]] | None = json_field()
    what_matters: str | None = None
    choice: str | None = None
    decided_on: date | None = None
    review_on: date | None = None
    author_role: str | None = None
    author_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class CareNote(RecordColumns, table=True):
    __tablename__ = "care_note"
    __table_args__ = record_indexes("care_note")

    author_id: uuid.UUID | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    author_name: str | None = None
    author_role: str | None = None
    kind: str | None = None
    text: str | None = None
