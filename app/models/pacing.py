"""Quota-based pacing: plans and the timed sessions that count toward them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field

from app.models.base import RecordColumns, UTCDateTime, record_indexes


class PacingPlan(RecordColumns, table=True):
    __tablename__ = "pacing_plan"
    __table_args__ = record_indexes("pacing_plan")

    activity: str | None = None
    goal_id: uuid.UUID | None = None
    unit: str | None = None
    baseline: float | None = None
    quota: float | None = None
    rest_minutes: int | None = None
    increase_percent: float | None = None
    increase_every_days: int | None = None
    sessions_per_day: int | None = None
    active: bool | None = None


class PacingSession(RecordColumns, table=True):
    __tablename__ = "pacing_session"
    __table_args__ = record_indexes("pacing_session", "started_at")

    plan_id: uuid.UUID | None = Field(default=None, index=True)
    kind: str | None = None
    activity: str | None = None
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    planned: float | None = None
    achieved: float | None = None
    unit: str | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    effort: int | None = None
    stopped_because: str | None = None
    notes: str | None = None
