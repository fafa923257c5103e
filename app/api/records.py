"""REST for every patient collection (design §7): list, create, get, patch, delete.

Each write goes through `records.write_one`, the same path as a sync mutation, so it
takes the patient's next version and shows up in pulls.
"""


import uuid
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response, status
from pydantic import BaseModel, create_model
from sqlmodel import Session

from app.deps import CurrentPatient, SessionDep, client_address
from app.models import AuditEvent, User
from app.schemas.entities import ENTITIES, Entity
from app.services import records
from app.services.records import Actor, Mutation

MAX_LIST = 500
BOUND_HELP = "YYYY-MM-DD or an ISO 8601 date-time; inclusive"


def build_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for entity in ENTITIES.values():
        _add_routes(router, entity)
    return router


def _actor(user: Any) -> Actor:
    return Actor(user_id=user.id, role="patient", name=user.name)


def _audit(session: Session, request: Request, patient: User, action: str, entity: Entity,
           record_id: uuid.UUID) -> None:
    """One audit row per REST write (security test 24), in the write's own transaction: a
    refused write rolls back and leaves none."""
    session.add(AuditEvent(actor_id=patient.id, actor_role=patient.role, patient_id=patient.id,
                           action=action, resource=f"{entity.name}:{record_id}",
                           address=client_address(request)))


def _add_routes(router: APIRouter, entity: Entity) -> None:
    path = f"/{entity.collection}"
    tags: list[str | Enum] = [entity.collection]
    page_model = create_model(f"{entity.public.__name__}Page",
                              items=(list[entity.public], ...),  # type: ignore[name-defined]
                              next=(str | None, None))
    noun = entity.name.replace("_", " ")

    def list_items(
        patient: CurrentPatient,
        session: SessionDep,
        since: Annotated[str | None, Query(max_length=40, description=BOUND_HELP)] = None,
        until: Annotated[str | None, Query(max_length=40, description=BOUND_HELP)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIST)] = 100,
        cursor: Annotated[str | None, Query(max_length=400)] = None,
    ) -> dict[str, Any]:
        page = records.list_records(session, patient_id=patient.id, entity=entity,
                                    since=since, until=until, limit=limit, cursor=cursor)
        return {"items": page.items, "next": page.next}

    def get_item(record_id: uuid.UUID, patient: CurrentPatient,
                 session: SessionDep) -> dict[str, Any]:
        row = records.get_record(session, patient_id=patient.id, entity=entity,
                                 record_id=record_id)
        return records.to_wire(entity, row)

    router.add_api_route(path, list_items, methods=["GET"], response_model=page_model,
                         tags=tags, summary=f"List {noun} records",
                         description=f"List your {noun} records, oldest first, a page at a time.")
    router.add_api_route(f"{path}/{{record_id}}", get_item, methods=["GET"],
                         response_model=entity.public, tags=tags,
                         summary=f"Read one {noun}", responses={404: {}})
    if not entity.writable_by_patient:
        return

    def create_item(body: Annotated[entity.create, Body()],  # type: ignore[name-defined]
                    request: Request, patient: CurrentPatient,
                    session: SessionDep) -> dict[str, Any]:
        fields = body.model_dump(mode="json", exclude_unset=True)
        record_id = uuid.UUID(fields.pop("id")) if fields.get("id") else uuid.uuid4()
        row = records.write_one(session, patient_id=patient.id, actor=_actor(patient),
                                mutation=Mutation(entity.name, "upsert", record_id, fields),
                                must_exist=False)
        _audit(session, request, patient, "create", entity, record_id)
        return records.to_wire(entity, row)

    def update_item(record_id: uuid.UUID,
                    body: Annotated[entity.update, Body()],  # type: ignore[name-defined]
                    request: Request, patient: CurrentPatient,
                    session: SessionDep) -> dict[str, Any]:
        fields = _given(body)
        row = records.write_one(session, patient_id=patient.id, actor=_actor(patient),
                                mutation=Mutation(entity.name, "upsert", record_id, fields,
                                                  base_version=_base(session, entity, record_id)),
                                must_exist=True)
        _audit(session, request, patient, "update", entity, record_id)
        return records.to_wire(entity, row)

    def delete_item(record_id: uuid.UUID, request: Request, patient: CurrentPatient,
                    session: SessionDep) -> Response:
        records.write_one(session, patient_id=patient.id, actor=_actor(patient),
                          mutation=Mutation(entity.name, "delete", record_id),
                          must_exist=True)
        _audit(session, request, patient, "delete", entity, record_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    router.add_api_route(path, create_item, methods=["POST"], status_code=201,
                         response_model=entity.public, tags=tags,
                         summary=f"Create a {noun}", responses={409: {}, 422: {}})
    router.add_api_route(f"{path}/{{record_id}}", update_item, methods=["PATCH"],
                         response_model=entity.public, tags=tags,
                         summary=f"Change some fields of a {noun}", responses={404: {}, 422: {}})
    router.add_api_route(f"{path}/{{record_id}}", delete_item, methods=["DELETE"],
                         status_code=204, tags=tags, summary=f"Delete a {noun}",
                         responses={404: {}})


def _given(body: BaseModel) -> dict[str, Any]:
    return body.model_dump(mode="json", exclude_unset=True)


def _base(session: Any, entity: Entity, record_id: uuid.UUID) -> int:
    """A REST patch is made on the current record: it is never stale."""
    row = session.get(entity.table, record_id)
    return row.version if row is not None else 0
