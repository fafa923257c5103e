"""Sharing with the care team on the wire (design §7 "Sharing")."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from app.schemas.common import WireModel

CareRole = Literal["primary_clinician", "physiotherapist", "occupational_therapist",
                   "behavioural_health", "other"]


class InviteIn(WireModel):
    role: CareRole = "other"


class InvitePublic(WireModel):
    code: str = Field(description="One-time code to hand to the clinician, e.g. ABCD-EFGH-JKMN")
    expires_at: datetime


class RedeemIn(WireModel):
    code: Annotated[str, Field(min_length=1, max_length=64,
                               description="The patient's code; case, spaces and dashes "
                                           "do not matter")]


class CareLinkPublic(WireModel):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    role: CareRole
    status: Literal["pending", "active", "revoked"]
    created_at: datetime


class CareLinkList(WireModel):
    items: list[CareLinkPublic]


class AccessEventPublic(WireModel):
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_role: str | None
    action: str
    resource: str


class AccessLog(WireModel):
    items: list[AccessEventPublic]
