"""Field types and model helpers shared by every wire schema."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any, Optional, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    create_model,
    model_validator,
)
from pydantic_core import PydanticCustomError


def _in_range(low: float, high: float) -> Any:
    def check(value: float) -> float:
        if not low <= value <= high:
            raise PydanticCustomError(
                "out_of_range",
                "{value} is outside {low}–{high}",
                {"value": _plain(value), "low": _plain(low), "high": _plain(high)},
            )
        return value

    return check


def _plain(number: float) -> int | float:
    return int(number) if float(number).is_integer() else number


def int_range(low: int, high: int) -> Any:
    """An integer from `low` to `high`, both included; strings and floats are refused."""
    return Annotated[
        int,
        Field(strict=True, json_schema_extra={"minimum": low, "maximum": high}),
        AfterValidator(_in_range(low, high)),
    ]


def number_range(low: float, high: float) -> Any:
    """A finite number from `low` to `high`, both included."""
    return Annotated[
        float,
        Field(strict=True, allow_inf_nan=False,
              json_schema_extra={"minimum": low, "maximum": high}),
        AfterValidator(_in_range(low, high)),
    ]


Scale10 = int_range(0, 10)
Amount = number_range(-1_000_000, 1_000_000)
PositiveCount = int_range(1, 365)
StrictBool = Annotated[bool, Field(strict=True)]

ShortText = Annotated[str, StringConstraints(max_length=200)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
Text = Annotated[str, StringConstraints(max_length=2000)]
ShortList = Annotated[list[ShortText], Field(max_length=50)]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise PydanticCustomError(
            "timezone_required",
            "{value} has no time zone; send UTC with Z or an offset",
            {"value": value.isoformat()},
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-12:00 is past the last UTC moment
        raise PydanticCustomError(
            "datetime_out_of_range",
            "{value} is out of range in UTC",
            {"value": value.isoformat()},
        ) from None


def _text_only(kind: str, example: str) -> Any:
    """Refuse a number where a date or time is due: lax parsing would read it as seconds
    since 1970 and quietly store a day decades away."""

    def check(value: Any) -> Any:
        if isinstance(value, int | float):  # bool is an int too
            raise PydanticCustomError(
                "date_as_number",
                "send a {kind} as ISO 8601 text, such as {example}",
                {"kind": kind, "example": example},
            )
        return value

    return BeforeValidator(check)


UtcDateTime = Annotated[
    datetime, _text_only("date-time", "2026-11-27T09:00:00Z"), AfterValidator(_utc)
]
Day = Annotated[date, _text_only("date", "2026-11-27")]
LocalDate = Annotated[Day, Field(description="The patient's own calendar day (YYYY-MM-DD)")]


# Validation context key: the input's text is known to hold no NUL (see `body_is_nul_free`).
NUL_FREE = "nul_free"


def body_is_nul_free(body: bytes) -> bool:
    """Whether a JSON body holds no NUL in any string. JSON cannot carry a raw NUL inside a
    string (control characters must be escaped), so its only spelling is the escape below;
    an escaped backslash before "u0000" only makes this answer False, never wrongly True."""
    return b"\\u0000" not in body


class WireModel(BaseModel):
    """A wire schema: unknown fields are refused, so a typo never silently drops data."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any, info: ValidationInfo) -> Any:
        """Refuse text holding NUL (U+0000): PostgreSQL cannot store it, SQLite would.

        A caller that has already seen the whole JSON body free of any NUL passes the
        validation context {NUL_FREE: True}, and the walk is skipped."""
        if info.context and info.context.get(NUL_FREE):
            return data
        where = _nul_at(data)
        if where is not None:
            path, text = where
            shown = "" if "password" in path else f" {_shorten(text)}"
            raise ValueError(f"{path}{shown} contains a NUL character (\\u0000)")
        return data


def _holds_nul(data: Any) -> bool:
    """Whether any text in `data` holds NUL: the cheap check every record goes through."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str:
            if "\x00" in value:
                return True
        elif kind is dict:
            for key, item in value.items():
                if type(key) is str and "\x00" in key:
                    return True
                if type(item) is str:
                    if "\x00" in item:
                        return True
                elif item is not None and type(item) not in (int, float, bool):
                    stack.append(item)
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif isinstance(value, str | dict | list | tuple):
            return True  # a subclass: cannot tell cheaply, so let the careful walk decide
    return False


def _nul_at(data: Any) -> tuple[str, str] | None:
    """The path and text of the first string holding NUL, walked without recursion so that
    deeply nested input cannot exhaust the stack."""
    if not _holds_nul(data):
        return None
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                return path or "body", value
        elif isinstance(value, dict):
            for key, item in value.items():
                name = str(key)
                if "\x00" in name:
                    return path or "body", name
                stack.append((f"{path}.{name}" if path else name, item))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return None


def _shorten(text: str) -> str:
    shown = repr(text)
    return shown if len(shown) <= 60 else shown[:57] + "…'"


class RecordMeta(BaseModel):
    """The common fields the server sets on every record (design §3)."""

    id: uuid.UUID
    version: int
    deleted: bool
    created_at: datetime
    updated_at: datetime


M = TypeVar("M", bound=BaseModel)


def partial_model(model: type[M], name: str) -> type[M]:
    """Derive the PATCH schema: every field optional, but a given value still obeys its type.

    Leaving a field out means "unchanged"; sending null clears it only where the full schema
    allows null, so a required score can never be cleared by a patch.
    """
    fields: dict[str, Any] = {
        field_name: (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation,
            Field(
                default=None,
                description=info.description,
                json_schema_extra=info.json_schema_extra,
            ),
        )
        for field_name, info in model.model_fields.items()
        if field_name != "id"
    }
    partial = create_model(name, __base__=WireModel, **fields)
    partial.__doc__ = f"Change some fields of a {model.__name__.removesuffix('Create')}."
    return partial  # type: ignore[return-value]


def public_model(create: type[BaseModel], name: str, extra: dict[str, Any] | None = None) -> type:
    """Derive the response schema: the common fields, then every entity field (nullable,
    since an erased tombstone keeps none)."""
    fields: dict[str, Any] = {
        field_name: (Optional[info.annotation], None)  # noqa: UP045 - a runtime type
        for field_name, info in create.model_fields.items()
        if field_name != "id"
    }
    fields.update(extra or {})
    return create_model(name, __base__=RecordMeta, **fields)
