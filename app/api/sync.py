"""Sync push and pull (design §4): the offline app's only way to exchange records."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response

from app.api.fastjson import FastJsonRoute
from app.db import unit_of_work
from app.deps import (
    CurrentPatient,
    EngineDep,
    SessionDep,
    SettingsDep,
    client_address,
    get_patient,
    require_session_cookie,
    signed_in,
)
from app.models import AuditEvent
from app.schemas.common import body_is_nul_free
from app.schemas.sync import (
    MAX_CURSOR,
    PULL_LIMIT_DEFAULT,
    PULL_LIMIT_MAX,
    PullResponse,
    PushRequest,
    PushResponse,
)
from app.services import sync
from app.services.records import Actor

router = APIRouter(prefix="/api/v1/sync", tags=["sync"], route_class=FastJsonRoute)

CURSOR_HELP = "The cursor of the last page applied; 0 for everything"
LIMIT_HELP = f"At most this many changes; more than {PULL_LIMIT_MAX} counts as {PULL_LIMIT_MAX}"
CLIENT_HELP = "The client whose last_mutation_id to report (an unknown one reports 0)"

_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "mutation ids out of order (mutation_order)"},
    403: {"description": "client_id belongs to another account (client_id_taken)"},
    409: {"description": "a gap in mutation ids (mutation_gap, with last_mutation_id) or an "
                         "unsupported schema_version"},
    413: {"description": "more than 500 mutations, or a body over 1 MiB"},
    503: {"description": "the database is busy; retry after Retry-After seconds"},
}


async def _nul_free(request: Request) -> bool:
    """Look for a NUL escape once in the raw body instead of in every record's text."""
    return body_is_nul_free(await request.body())


@router.post("/push", response_model=PushResponse, responses=_ERRORS,
             dependencies=[Depends(require_session_cookie)])
def push(request: PushRequest, http: Request, engine: EngineDep, settings: SettingsDep,
         nul_free: Annotated[bool, Depends(_nul_free)]) -> Response:
    """Apply a batch of the outbox: each mutation applied once, rejected, or a duplicate."""
    # The unit of work lives inside this one call, not in a request-scoped dependency: a
    # dependency's start and end run as separate thread-pool tasks, and the write lock
    # would be held across the event loop's scheduling between them. Committed here, before
    # the response is sent.
    with unit_of_work(engine, write=True) as session:
        patient = get_patient(signed_in(http, session, settings))
        outcome = sync.push(
            session, patient_id=patient.id,
            actor=Actor(user_id=patient.id, role="patient", name=patient.name),
            request=request, lock_timeout_ms=settings.sqlite_busy_timeout_ms,
            nul_free=nul_free,
        )
        # One audit row per push, never one per mutation, in the push's own transaction.
        counts = {"applied": 0, "rejected": 0, "duplicate": 0}
        for result in outcome.results:
            counts[result["status"]] = counts.get(result["status"], 0) + 1
        session.add(AuditEvent(
            actor_id=patient.id, actor_role=patient.role, patient_id=patient.id,
            action="sync_push", resource=", ".join(f"{k} {n}" for k, n in counts.items()),
            address=client_address(http)))
    body = {"last_mutation_id": outcome.last_mutation_id, "results": outcome.results}
    return Response(orjson.dumps(body), media_type="application/json")


@router.get("/pull", response_model=PullResponse)
def pull(
    patient: CurrentPatient,
    session: SessionDep,
    cursor: Annotated[int, Query(ge=0, le=MAX_CURSOR, description=CURSOR_HELP)] = 0,
    limit: Annotated[int, Query(ge=1, description=LIMIT_HELP)] = PULL_LIMIT_DEFAULT,
    client_id: Annotated[uuid.UUID | None, Query(description=CLIENT_HELP)] = None,
) -> Response:
    """Return the records changed after `cursor`, oldest version first."""
    body = sync.pull(session, patient_id=patient.id, cursor=cursor, limit=limit,
                     client_id=client_id)
    return Response(body, media_type="application/json")
