"""Flare-ups: the plan written on a good day, and the episodes lived through."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from app.models.base import RecordColumns, UTCDateTime, json_field, record_indexes


class FlarePlan(RecordColumns, table=True):
    __tablename__ = "flare_plan"
    __table_args__ = record_indexes("flare_plan")

    warning_signs: list[str] | None = json_field()
    triggers: list[str] | None = json_field()
    first_steps: list[str] | None = json_field()
    scale_back: list[str] | None = json_field()
    comfort: list[str] | None = json_field()
    contacts: list[str] | None = json_field()
    return_plan: list[str] | None = json_field()
    red_flags_reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Flare(RecordColumns, table=True):
    __tablename__ = "flare"
    __table_args__ = record_indexes("flare", "started_at")

    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    triggers: list[str] | None = json_field()
    notes: str | None = None
