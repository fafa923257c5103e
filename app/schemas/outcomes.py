"""Questionnaire responses and performance tests on the wire.

Answer shapes follow design §3; scoring lives in `app.services.scoring`.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, ValidationError, model_validator

from app.schemas.common import (
    LocalDate,
    Scale10,
    ShortText,
    Text,
    WireModel,
    int_range,
    number_range,
    partial_model,
    public_model,
)

INSTRUMENTS = ("peg", "psfs", "phq2", "gad2", "pgic")
PERFORMANCE_KINDS = ("chair_stand_30s", "timed_up_and_go", "six_minute_walk", "custom")
Item03 = int_range(0, 3)


class PegAnswers(WireModel):
    pain: Scale10
    enjoyment: Scale10
    activity: Scale10


class PsfsActivity(WireModel):
    activity: Annotated[str, Field(min_length=1, max_length=200)]
    score: Scale10


class PsfsAnswers(WireModel):
    activities: Annotated[list[PsfsActivity], Field(min_length=1, max_length=5)]


class Phq2Answers(WireModel):
    interest: Item03  # type: ignore[valid-type]
    mood: Item03  # type: ignore[valid-type]


class Gad2Answers(WireModel):
    nervous: Item03  # type: ignore[valid-type]
    worry: Item03  # type: ignore[valid-type]


class PgicAnswers(WireModel):
    change: int_range(1, 7)  # type: ignore[valid-type]


ANSWER_MODELS: dict[str, type[WireModel]] = {
    "peg": PegAnswers,
    "psfs": PsfsAnswers,
    "phq2": Phq2Answers,
    "gad2": Gad2Answers,
    "pgic": PgicAnswers,
}


class OutcomeResponseCreate(WireModel):
    """A completed questionnaire; the server computes `score` from `answers`."""

    id: uuid.UUID | None = None
    instrument: Literal[INSTRUMENTS]  # type: ignore[valid-type]
    local_date: LocalDate
    answers: dict[str, Any]
    score: float | None = Field(
        default=None, description="Computed by the server; a client value is replaced"
    )

    @model_validator(mode="after")
    def _answers_fit_the_instrument(self) -> OutcomeResponseCreate:
        model = ANSWER_MODELS[self.instrument]
        try:
            parsed = model.model_validate(self.answers)
        except ValidationError as exc:
            raise ValueError(
                _answer_problem(self.instrument, exc.errors(include_url=False)[0])
            ) from None
        self.answers = parsed.model_dump()
        return self


def _answer_problem(instrument: str, error: Any) -> str:
    """Name the answer that does not fit, and its value: "phq2 answers.interest 4 is
    outside 0–3", "peg answers.activity is required"."""
    where = "answers" + "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    )
    kind, message = error["type"], str(error["msg"])
    if kind == "missing":
        return f"{instrument} {where} is required"
    if kind == "extra_forbidden":
        return f"{instrument} {where} is not an item of {instrument}"
    if kind == "out_of_range":
        return f"{instrument} {where} {message}"
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) else f" {_short(value)}"
    return f"{instrument} {where}{shown}: {message[:1].lower()}{message[1:]}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…'"


class PerformanceTestCreate(WireModel):
    """A self-recorded performance test (chair stand, timed up-and-go, 6-minute walk)."""

    id: uuid.UUID | None = None
    kind: Literal[PERFORMANCE_KINDS]  # type: ignore[valid-type]
    label: ShortText | None = None
    value: number_range(0, 100_000)  # type: ignore[valid-type]
    unit: Annotated[str, Field(max_length=40)] | None = None
    local_date: LocalDate
    with_helper: StrictBool | None = None  # "someone was with me" (design §5 safety)
    notes: Text | None = None


OutcomeResponseUpdate = partial_model(OutcomeResponseCreate, "OutcomeResponseUpdate")
OutcomeResponsePublic = public_model(OutcomeResponseCreate, "OutcomeResponsePublic")
PerformanceTestUpdate = partial_model(PerformanceTestCreate, "PerformanceTestUpdate")
PerformanceTestPublic = public_model(PerformanceTestCreate, "PerformanceTestPublic")
