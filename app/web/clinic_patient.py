"""One patient's page for a linked clinician, `/clinic/patients/{id}`, and the care-team
note form it posts (design §6, §7 "Pages"). Every read of the page is audited."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.db import unit_of_work
from app.deps import EngineDep, SessionDep, SettingsDep, client_address
from app.errors import Invalid, NotFound
from app.services import clinic_patient as service
from app.services import sharing
from app.web.clinic import clinician_or_refusal
from app.web.pages import _render

router = APIRouter(include_in_schema=False)

NOT_FOUND = "No such patient, or they no longer share their diary with you."


@router.get("/clinic/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: uuid.UUID, session: SessionDep,
                 engine: EngineDep, settings: SettingsDep) -> Response:
    """The summary led by function, the last 30 days of the diary and the care-team notes."""
    clinician = clinician_or_refusal(request, session, settings)
    if isinstance(clinician, Response):
        return clinician
    try:
        patient, _ = service.linked_patient(session, clinician_id=clinician.id,
                                            patient_id=patient_id)
    except NotFound:
        return _render(request, "error.html", {"status": 404, "detail": NOT_FOUND}, 404)
    summary = service.summary(session, patient=patient)
    # A GET reads in a snapshot of its own; the audit row is written in a short write of its own.
    with unit_of_work(engine, write=True) as audit:
        sharing.record_access(audit, clinician=clinician, patient=patient, action="read",
                              resource="patient_summary", address=client_address(request))
    return _render(request, "clinic/patient.html", {
        "s": summary, "clinician": clinician, "note_kinds": service.NOTE_KINDS,
    })


@router.post("/clinic/patients/{patient_id}/notes", response_class=HTMLResponse)
def add_note(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=service.NOTE_MAX * 2)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Store a care-team note as the signed-in clinician and go back to the page."""
    clinician = clinician_or_refusal(request, session, settings, form_token=csrf_token)
    if isinstance(clinician, Response):
        return clinician
    try:
        _, care_role = service.linked_patient(session, clinician_id=clinician.id,
                                              patient_id=patient_id)
    except NotFound:
        return _render(request, "error.html", {"status": 404, "detail": NOT_FOUND}, 404)
    try:
        service.add_note(session, patient_id=patient_id, clinician=clinician,
                         care_role=care_role, kind=kind, text=text)
    except Invalid as exc:
        session.rollback()
        return _render(request, "error.html", {"status": 422, "detail": exc.detail}, 422)
    return RedirectResponse(f"/clinic/patients/{patient_id}#notes", status_code=303)
