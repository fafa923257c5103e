"""The daily check-in."""

from __future__ import annotations

from datetime import date

from app.models.base import RecordColumns, json_field, record_indexes


class DiaryEntry(RecordColumns, table=True):
    __tablename__ = "diary_entry"
    __table_args__ = record_indexes("diary_entry", "local_date")

    local_date: date | None = None
    pain: int | None = None
    interference: int | None = None
    function: int | None = None
    mood: int | None = None
    fatigue: int | None = None
    sleep_hours: float | None = None
    sleep_quality: int | None = None
    flare: bool | None = None
    body_areas: list[str] | None = json_field()
    activities: list[str] | None = json_field()
    medications: str | None = None
    notes: str | None = None



