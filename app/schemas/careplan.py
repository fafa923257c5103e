"""Treatments, routines, shared decisions and care-team notes on the wire."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, model_validator

from app.schemas.common import (
    Day,
    LocalDate,
    Scale10,
    ShortText,
    Text,
    Title,
    WireModel,
    partial_model,
    public_model,
)
from app.schemas.review import Weekdays

TREATMENT_KINDS = (
    "exercise", "physiotherapy", "occupational_therapy", "psychological", "medication",
    "sleep", "weight", "ergonomics", "aid_or_device", "other",
)  # fmt: skip
TREATMENT_STATUSES = ("active", "paused", "stopped")
ROUTINE_AREAS = ("sleep", "work", "home", "energy", "nutrition", "other")
NOTE_KINDS = ("goal", "progress", "barrier", "plan")


class TreatmentCreate(WireModel):
    """Something the plan uses besides pacing, with why and how it is going."""

    id: uuid.UUID | None = None
    kind: Literal[TREATMENT_KINDS]  # type: ignore[valid-type]
    title: Title
    why: Text | None = None
    schedule: ShortText | None = None
    started_on: Day | None = None
    stopped_on: Day | None = None
    status: Literal[TREATMENT_STATUSES] = "active"  # type: ignore[valid-type]
    helpfulness: Scale10 | None = None
    side_effects: Text | None = None

    @model_validator(mode="after")
    def _stops_after_it_starts(self) -> TreatmentCreate:
        if self.started_on and self.stopped_on and self.stopped_on < self.started_on:
            raise ValueError(
                f"stopped_on {self.stopped_on.isoformat()} is before started_on "
                f"{self.started_on.isoformat()}"
            )
        return self


class RoutineCreate(WireModel):
    """A daily habit the patient chose, ticked off day by day."""

    id: uuid.UUID | None = None
    title: Title
    area: Literal[ROUTINE_AREAS] = "other"  # type: ignore[valid-type]
    days: Weekdays = Field(default_factory=lambda: list(range(7)), description="0 = Monday")
    done_dates: Annotated[list[LocalDate], Field(max_length=3660)] | None = None


class DecisionOption(WireModel):
    option: Title
    benefits: Text | None = None
    burdens: Text | None = None
    uncertainty: Text | None = None


class DecisionCreate(WireModel):
    """A shared decision: the options and what matters, the choice and when to review it."""

    id: uuid.UUID | None = None
    question: Title
    options: Annotated[list[DecisionOption], Field(max_length=10)] | None = None
    what_matters: Text | None = None
    choice: Text | None = None
    decided_on: Day | None = None
    review_on: Day | None = None


class CareNoteCreate(WireModel):
    """A care-team note; written by a linked clinician, read-only for the patient."""

    id: uuid.UUID | None = None
    kind: Literal[NOTE_KINDS]  # type: ignore[valid-type]
    text: Annotated[str, Field(min_length=1, max_length=4000)]


TreatmentUpdate = partial_model(TreatmentCreate, "TreatmentUpdate")
TreatmentPublic = public_model(TreatmentCreate, "TreatmentPublic")
RoutineUpdate = partial_model(RoutineCreate, "RoutineUpdate")
RoutinePublic = public_model(RoutineCreate, "RoutinePublic")
DecisionUpdate = partial_model(DecisionCreate, "DecisionUpdate")
DecisionPublic = public_model(
    DecisionCreate, "DecisionPublic", {"author_role": (str | None, None)}
)
CareNoteUpdate = partial_model(CareNoteCreate, "CareNoteUpdate")
CareNotePublic = public_model(
    CareNoteCreate,
    "CareNotePublic",
    {"author_name": (str | None, None), "author_role": (str | None, None)},
)
