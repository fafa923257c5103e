"""Values, functional goals and goal check-ins on the wire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.schemas.common import (
    Amount,
    Day,
    LocalDate,
    Scale10,
    ShortText,
    StrictBool,
    Text,
    Title,
    WireModel,
    int_range,
    number_range,
    partial_model,
    public_model,
)
from app.services.scoring import shown

GOAL_STATUSES = ("active", "achieved", "paused", "dropped")


class ValueCreate(WireModel):
    """Something that matters to the patient, which goals serve."""

    id: uuid.UUID | None = None
    title: Annotated[str, Field(min_length=1, max_length=80)]
    description: Text | None = None
    importance: Scale10 | None = None


class GoalStep(WireModel):
    title: Title
    target: Amount | None = None  # type: ignore[valid-type]
    due_date: Day | None = None
    done: StrictBool = False


class GoalBarrier(WireModel):
    barrier: Title
    plan: Text | None = None


class GoalCreate(WireModel):
    """A concrete task the patient wants to be able to do, with steps and a bad-day plan."""

    id: uuid.UUID | None = None
    title: Title = Field(description="A concrete task, such as 'walk to the mailbox'")
    value_ids: Annotated[list[uuid.UUID], Field(max_length=20)] | None = None
    why: Text | None = None
    measure: ShortText | None = Field(default=None, description="What is counted")
    unit: Annotated[str, Field(max_length=40)] | None = None
    baseline: Amount | None = None  # type: ignore[valid-type]
    target: Amount | None = None  # type: ignore[valid-type]
    target_date: Day | None = None
    status: Literal[GOAL_STATUSES] = "active"  # type: ignore[valid-type]
    ability_baseline: Scale10 | None = None
    steps: Annotated[list[GoalStep], Field(max_length=30)] | None = None
    barriers: Annotated[list[GoalBarrier], Field(max_length=20)] | None = None
    contingency: Text | None = Field(default=None, description="What I do on a bad day")
    review_every_days: int_range(1, 365) | None = None  # type: ignore[valid-type]
    gas_levels: Annotated[list[ShortText], Field(min_length=5, max_length=5)] | None = Field(
        default=None, description="Goal Attainment Scaling texts for -2, -1, 0, +1, +2"
    )
    gas_weight: number_range(0, 100) | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _target_differs_from_baseline(self) -> GoalCreate:
        if self.baseline is not None and self.baseline == self.target:
            raise ValueError(f"target {shown(self.target)} is the same as the baseline "
                             f"{shown(self.baseline)}: choose where you want to get to")
        return self


class GoalCheckinCreate(WireModel):
    """Progress on one goal on one day."""

    id: uuid.UUID | None = None
    goal_id: uuid.UUID
    local_date: LocalDate
    amount: Amount | None = None  # type: ignore[valid-type]
    ability: Scale10 | None = None
    gas_level: int_range(-2, 2) | None = None  # type: ignore[valid-type]
    step_done: ShortText | None = Field(default=None, description="Title of a step ticked off")
    note: Text | None = None

    @model_validator(mode="after")
    def _says_something(self) -> GoalCheckinCreate:
        if (self.amount, self.ability, self.gas_level, self.step_done, self.note) == (None,) * 5:
            raise ValueError("a goal check-in needs an amount, ability, GAS level, step or note")
        return self


ValueUpdate = partial_model(ValueCreate, "ValueUpdate")
ValuePublic = public_model(ValueCreate, "ValuePublic")
GoalUpdate = partial_model(GoalCreate, "GoalUpdate")
GoalPublic = public_model(GoalCreate, "GoalPublic")
GoalCheckinUpdate = partial_model(GoalCheckinCreate, "GoalCheckinUpdate")
GoalCheckinPublic = public_model(GoalCheckinCreate, "GoalCheckinPublic")
