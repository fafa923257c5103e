"""Measured function: questionnaire responses and self-recorded performance tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.models.base import RecordColumns, json_field, record_indexes


class OutcomeResponse(RecordColumns, table=True):
    __tablename__ = "outcome_response"
    __table_args__ = record_indexes("outcome_response", "local_date")

    instrument: str | None = None
    local_date: date | None = None
    answers: dict[str, Any] | None = json_field()
    score: float | None = None


class PerformanceTest(RecordColumns, table=True):
    __tablename__ = "performance_test"
    __table_args__ = record_indexes("performance_test", "local_date")

    kind: str | None = None
    label: str | None = None
    value: float | None = None
    unit: str | None = None
    local_date: date | None = None
    with_helper: bool | None = None
    notes: str | None = None
