"""Weekly reviews and reminders on the wire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field

from app.schemas.common import (
    LocalDate,
    Scale10,
    ShortText,
    StrictBool,
    Text,
    WireModel,
    int_range,
    partial_model,
    public_model,
)

REMINDER_KINDS = ("daily_log", "pacing", "review", "custom")
Weekday = int_range(0, 6)
Weekdays = Annotated[list[Weekday], Field(max_length=7)]  # type: ignore[valid-type]


class WeeklyReviewCreate(WireModel):
    """Once a week: what went well, what was hard, the next step."""

    id: uuid.UUID | None = None
    week_start: LocalDate
    went_well: Text | None = None
    was_hard: Text | None = None
    next_step: Text | None = None
    changes: Text | None = None
    confidence: Scale10 | None = None


class ReminderCreate(WireModel):
    """A reminder the app shows itself: no outside service needed."""

    id: uuid.UUID | None = None
    kind: Literal[REMINDER_KINDS]  # type: ignore[valid-type]
    time: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM")]
    days: Weekdays = Field(default_factory=lambda: list(range(7)), description="0 = Monday")
    message: ShortText | None = None
    enabled: StrictBool = True


WeeklyReviewUpdate = partial_model(WeeklyReviewCreate, "WeeklyReviewUpdate")
WeeklyReviewPublic = public_model(WeeklyReviewCreate, "WeeklyReviewPublic")
ReminderUpdate = partial_model(ReminderCreate, "ReminderUpdate")
ReminderPublic = public_model(ReminderCreate, "ReminderPublic")
