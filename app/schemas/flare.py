"""The flare-up plan and flare episodes on the wire."""

from __future__ import annotations

import uuid

from pydantic import Field, model_validator

from app.schemas.common import (
    ShortList,
    Text,
    UtcDateTime,
    WireModel,
    partial_model,
    public_model,
)


class FlarePlanCreate(WireModel):
    """The plan written on a good day for a bad one (design §5)."""

    id: uuid.UUID | None = None
    warning_signs: ShortList | None = None
    triggers: ShortList | None = Field(default=None, description="Likely triggers")
    first_steps: ShortList | None = Field(default=None, description="The first 24 hours")
    scale_back: ShortList | None = Field(
        default=None, description="Days 2–7 and the reduced quota"
    )
    comfort: ShortList | None = None
    contacts: ShortList | None = Field(default=None, description="Who to tell")
    return_plan: ShortList | None = Field(default=None, description="How to step back up")
    red_flags_reviewed_at: UtcDateTime | None = None


class FlareCreate(WireModel):
    """A flare-up episode from flare mode; `ended_at` stays empty while it lasts."""

    id: uuid.UUID | None = None
    started_at: UtcDateTime
    ended_at: UtcDateTime | None = None
    triggers: ShortList | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> FlareCreate:
        if self.ended_at is not None and self.ended_at < self.started_at:
            raise ValueError(
                f"ended_at {self.ended_at.isoformat()} is before started_at "
                f"{self.started_at.isoformat()}"
            )
        return self


FlarePlanUpdate = partial_model(FlarePlanCreate, "FlarePlanUpdate")
FlarePlanPublic = public_model(FlarePlanCreate, "FlarePlanPublic")
FlareUpdate = partial_model(FlareCreate, "FlareUpdate")
FlarePublic = public_model(FlareCreate, "FlarePublic")
