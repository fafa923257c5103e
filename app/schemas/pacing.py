"""Pacing plans and sessions on the wire."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import Field, model_validator

from app.schemas.common import (
    Scale10,
    StrictBool,
    Text,
    Title,
    UtcDateTime,
    WireModel,
    int_range,
    number_range,
    partial_model,
    public_model,
)

PACING_UNITS = ("minutes", "repetitions", "metres")
SESSION_KINDS = ("trial", "quota", "free")
STOP_REASONS = ("quota_reached", "pain", "fatigue", "interrupted", "other")
Quantity = number_range(0, 100_000)


class PacingPlanCreate(WireModel):
    """A quota-based, time-contingent plan for one activity (design §5)."""

    id: uuid.UUID | None = None
    activity: Title
    goal_id: uuid.UUID | None = None
    unit: Literal[PACING_UNITS] = "minutes"  # type: ignore[valid-type]
    baseline: Quantity | None = None  # type: ignore[valid-type]
    quota: Quantity | None = None  # type: ignore[valid-type]
    rest_minutes: int_range(0, 1440) | None = None  # type: ignore[valid-type]
    increase_percent: number_range(0, 100) = 10  # type: ignore[valid-type]
    increase_every_days: int_range(1, 90) = 7  # type: ignore[valid-type]
    sessions_per_day: int_range(1, 24) = 1  # type: ignore[valid-type]
    active: StrictBool = True


class PacingSessionCreate(WireModel):
    """One timed go at an activity: a tolerance trial, a paced session or a free one."""

    id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    kind: Literal[SESSION_KINDS]  # type: ignore[valid-type]
    activity: Title | None = None
    started_at: UtcDateTime
    ended_at: UtcDateTime | None = None
    planned: Quantity | None = None  # type: ignore[valid-type]
    achieved: Quantity | None = None  # type: ignore[valid-type]
    unit: Literal[PACING_UNITS] | None = None  # type: ignore[valid-type]
    pain_before: Scale10 | None = None
    pain_after: Scale10 | None = None
    effort: Scale10 | None = None
    stopped_because: Literal[STOP_REASONS] | None = Field(default=None)  # type: ignore[valid-type]
    notes: Text | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> PacingSessionCreate:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError(
                f"ended_at {self.ended_at.isoformat()} is before started_at "
                f"{self.started_at.isoformat()}"
            )
        return self


PacingPlanUpdate = partial_model(PacingPlanCreate, "PacingPlanUpdate")
PacingPlanPublic = public_model(PacingPlanCreate, "PacingPlanPublic")
PacingSessionUpdate = partial_model(PacingSessionCreate, "PacingSessionUpdate")
PacingSessionPublic = public_model(PacingSessionCreate, "PacingSessionPublic")
