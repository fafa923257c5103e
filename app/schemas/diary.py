"""The daily check-in on the wire."""

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
    number_range,
    partial_model,
    public_model,
)

SIDED_REGIONS = (
    "jaw", "shoulder", "upper_arm", "elbow", "forearm", "wrist_hand",
    "hip", "buttock", "thigh", "knee", "lower_leg", "ankle_foot",
)  # fmt: skip
MIDLINE_REGIONS = (
    "head", "neck", "upper_back", "mid_back", "lower_back", "chest", "abdomen", "pelvis",
    "widespread",
)  # fmt: skip
# The one fixed list of body-area codes: regions with a side where they have one.
BODY_AREAS: tuple[str, ...] = MIDLINE_REGIONS + tuple(
    f"{region}_{side}" for region in SIDED_REGIONS for side in ("left", "right")
)
BodyArea = Literal[BODY_AREAS]  # type: ignore[valid-type]


class DiaryEntryCreate(WireModel):
    """A daily check-in: pain beside interference and function, and what else mattered."""

    id: uuid.UUID | None = None
    local_date: LocalDate
    pain: Scale10
    interference: Scale10 | None = Field(
        default=None, description="How much pain got in the way of what you wanted to do"
    )
    function: Scale10 | None = Field(
        default=None, description="How well you could do what you needed to do"
    )
    mood: Scale10 | None = None
    fatigue: Scale10 | None = None
    sleep_hours: number_range(0, 24) | None = None  # type: ignore[valid-type]
    sleep_quality: Scale10 | None = None
    flare: StrictBool | None = None
    body_areas: Annotated[list[BodyArea], Field(max_length=len(BODY_AREAS))] | None = None  # type: ignore[valid-type]
    activities: Annotated[list[ShortText], Field(max_length=30)] | None = None
    medications: Text | None = None
    notes: Text | None = None


DiaryEntryUpdate = partial_model(DiaryEntryCreate, "DiaryEntryUpdate")
DiaryEntryPublic = public_model(DiaryEntryCreate, "DiaryEntryPublic")
