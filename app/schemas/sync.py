"""Sync push and pull on the wire (design §4).

A push is read in two layers. The envelope (`client_id`, `schema_version`, the list and each
mutation's `id`) must be well-formed or the whole push is refused with a 4xx and nothing
changes. Everything else about a mutation — its entity, op, record id, base version and
fields — is checked one mutation at a time: a bad one is `rejected` with a reason and still
advances the client's `last_mutation_id`, so one broken entry never jams an outbox.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

SCHEMA_VERSION = 1
MAX_MUTATIONS = 500
# Mutation ids and versions live in 32-bit integer columns on every engine.
MAX_MUTATION_ID = 2**31 - 1
PULL_LIMIT_DEFAULT = 500
PULL_LIMIT_MAX = 2000
MAX_CURSOR = 2**31 - 1


# Any JSON value is accepted in these keys (and judged per mutation); the schema says what fits.
EntityName = Annotated[Any, WithJsonSchema({"type": "string",
                                            "description": "Entity name, e.g. diary_entry"})]
Op = Annotated[Any, WithJsonSchema({"type": "string", "enum": ["upsert", "delete"]})]
RecordId = Annotated[Any, WithJsonSchema({"type": "string", "format": "uuid"})]
BaseVersion = Annotated[Any, WithJsonSchema({
    "type": "integer", "minimum": 0, "description": "Version the edit was made on; 0 if new"})]
Fields = Annotated[Any, WithJsonSchema({
    "type": "object", "description": "The fields to set (upsert only): all required ones for "
                                     "a new record, only the changed ones otherwise"})]


class MutationIn(BaseModel):
    """One outbox entry: a local write to replay on the server."""

    model_config = ConfigDict(extra="allow")

    id: Annotated[int, Field(strict=True, ge=1, le=MAX_MUTATION_ID,
                             description="Strictly increasing per client_id, without gaps")]
    entity: EntityName = None
    op: Op = None
    record_id: RecordId = None
    base_version: BaseVersion = 0
    fields: Fields = None


class PushRequest(BaseModel):
    """A batch of a client's outbox, oldest first."""

    model_config = ConfigDict(extra="forbid")

    client_id: uuid.UUID = Field(description="The installation's id, bound to its first user")
    schema_version: Annotated[int, Field(strict=True, description="Sync protocol version (1)")]
    mutations: Annotated[list[MutationIn], Field(json_schema_extra={"maxItems": MAX_MUTATIONS})]


RejectReason = Literal["validation", "deleted", "unknown_entity", "not_found", "forbidden"]


class MutationResult(BaseModel):
    id: int
    status: Literal["applied", "rejected", "duplicate"]
    version: int | None = Field(default=None, description="The version stamped (applied only)")
    error: RejectReason | None = None
    detail: str | None = None


class PushResponse(BaseModel):
    last_mutation_id: int
    results: list[MutationResult]


class Change(BaseModel):
    """A record's current state; a tombstone has `deleted: true` and no fields."""

    entity: str
    id: uuid.UUID
    version: int
    deleted: bool
    created_at: str
    updated_at: str
    fields: dict[str, Any]


class PullResponse(BaseModel):
    cursor: int
    more: bool
    reset: bool
    last_mutation_id: int
    changes: list[Change]
