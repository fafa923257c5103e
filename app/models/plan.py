"""What matters and what the patient wants to be able to do: values, goals, goal check-ins."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlmodel import Field

from app.models.base import RecordColumns, json_field, record_indexes


class Value(RecordColumns, table=True):
    __tablename__ = "value"
    __table_args__ = record_indexes("value")

    title: str | None = None
    description: str | None = None
    importance: int | None = None


class Goal(RecordColumns, table=True):
    __tablename__ = "goal"
    __table_args__ = record_indexes("goal")

    title: str | None = None
    value_ids: list[str] | None = json_field()
    why: str | None = None
    measure: str | None = None
    unit: str | None = None
    baseline: float | None = None
    target: float | None = None
    target_date: date | None = None
    status: str | None = None
    ability_baseline: int | None = None
    steps: list[dict[str, Any]] | None = json_field()
    barriers: list[dict[str, Any]] | None = json_field()
    contingency: str | None = None
    review_every_days: int | None = None
    gas_levels: list[str] | None = json_field()
    gas_weight: float | None = None


class GoalCheckin(RecordColumns, table=True):
    __tablename__ = "goal_checkin"
    __table_args__ = record_indexes("goal_checkin", "local_date")

    goal_id: uuid.UUID | None = Field(default=None, index=True)
    local_date: date | None = None
    amount: float | None = None
    ability: int | None = None
    gas_level: int | None = None
    step_done: str | None = None
    note: str | None = None
