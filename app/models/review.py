"""Looking back and ahead: weekly reviews and reminders."""

from __future__ import annotations

from datetime import date

from app.models.base import RecordColumns, json_field, record_indexes


class WeeklyReview(RecordColumns, table=True):
    __tablename__ = "weekly_review"
    __table_args__ = record_indexes("weekly_review", "week_start")

    week_start: date | None = None
    went_well: str | None = None
    was_hard: str | None = None
    next_step: str | None = None
    changes: str | None = None
    confidence: int | None = None


class Reminder(RecordColumns, table=True):
    __tablename__ = "reminder"
    __table_args__ = record_indexes("reminder")

    kind: str | None = None
    time: str | None = None
    days: list[int] | None = json_field()
    message: str | None = None
    enabled: bool | None = None
