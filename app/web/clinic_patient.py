"""One patient's pages for a linked clinician (design §6, §7 "Pages"): `/clinic/patients/{id}`
with its charts, diary, goal and pacing detail and the forms for care-team notes and shared
decisions; `…/plan`, the patient's My plan; `…/summary`, a printable one-page summary.

Each page view writes exactly one audit event; without an active link every page answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from sqlmodel import Session

from app.db import unit_of_work
from app.deps import EngineDep, SessionDep, SettingsDep, client_address
from app.errors import Invalid
from app.models import User
from app.services import clinic_detail as detail
from app.services import clinic_patient as service
from app.services import sharing
from app.web.clinic import linked_or_refusal
from app.web.pages import _render

router = APIRouter(include_in_schema=False)

DiaryText = Annotated[str, Query(max_length=40)]
FormText = Annotated[str, Field(max_length=20_000)]


class DecisionForm(BaseModel):
    """The shared-decision form as posted; the service checks each field and explains."""

    model_config = ConfigDict(extra="ignore")

    csrf_token: Annotated[str, Field(max_length=200)] = ""
    question: FormText = ""
    option_1: FormText = ""
    benefits_1: FormText = ""
    burdens_1: FormText = ""
    uncertainty_1: FormText = ""
    option_2: FormText = ""
    benefits_2: FormText = ""
    burdens_2: FormText = ""
    uncertainty_2: FormText = ""
    option_3: FormText = ""
    benefits_3: FormText = ""
    burdens_3: FormText = ""
    uncertainty_3: FormText = ""
    what_matters: FormText = ""
    choice: FormText = ""
    review_on: FormText = ""


def _audit(engine: Engine, request: Request, clinician: User, patient: User,
           resource: str) -> None:
    # A GET reads in a snapshot of its own; the audit row is written in a short write of its own.
    with unit_of_work(engine, write=True) as audit:
        sharing.record_access(audit, clinician=clinician, patient=patient, action="read",
                              resource=resource, address=client_address(request))


def _page(request: Request, session: Session, *, clinician: User, patient: User,
          query: service.DiaryQuery | None = None, decision: dict[str, Any] | None = None,
          status: int = 200) -> Response:
    """Render the patient page: summary, charts, diary, detail, notes and the forms."""
    summary = service.summary(session, patient=patient)
    if query is None:
        query = service.diary_query(today=summary.today)
    charts = detail.chart_data(session, patient=patient, start=query.start, end=query.end)
    return _render(request, "clinic/patient.html", {
        "s": summary, "clinician": clinician, "note_kinds": service.NOTE_KINDS,
        "q": query, "diary": [] if query.errors else service.diary(
            session, patient=patient, query=query),
        "charts": charts, "chart_json": detail.chart_json(charts),
        "d": detail.detail(session, patient=patient, today=summary.today),
        "decision": decision or {"form": {}, "problems": {}},
        "option_numbers": range(1, service.DECISION_OPTIONS + 1),
        "option_parts": service.OPTION_PARTS,
    }, status)


@router.get("/clinic/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(request: Request, patient_id: uuid.UUID, session: SessionDep,
                 engine: EngineDep, settings: SettingsDep,
                 start: Annotated[str, Query(alias="from", max_length=40)] = "",
                 end: Annotated[str, Query(alias="to", max_length=40)] = "",
                 flare: DiaryText = "", notes: DiaryText = "", pain_min: DiaryText = "",
                 ) -> Response:
    """The summary led by function, the charts, the diary over a range, goal and pacing
    detail, and the care-team notes; a bad diary filter is explained next to its field."""
    linked = linked_or_refusal(request, session, settings, patient_id)
    if isinstance(linked, Response):
        return linked
    clinician, patient, _ = linked
    query = service.diary_query(today=service.patient_today(patient), start=start, end=end,
                                flare=flare, notes=notes, pain_min=pain_min)
    response = _page(request, session, clinician=clinician, patient=patient, query=query,
                     status=400 if query.errors else 200)
    _audit(engine, request, clinician, patient, "patient_summary")
    return response


@router.get("/clinic/patients/{patient_id}/plan", response_class=HTMLResponse)
def plan_page(request: Request, patient_id: uuid.UUID, session: SessionDep,
              engine: EngineDep, settings: SettingsDep) -> Response:
    """The patient's My plan, in the sections and order their app shows."""
    linked = linked_or_refusal(request, session, settings, patient_id)
    if isinstance(linked, Response):
        return linked
    clinician, patient, _ = linked
    response = _render(request, "clinic/plan.html", {
        "patient": patient, "p": detail.my_plan(session, patient=patient),
        "today": service.patient_today(patient)})
    _audit(engine, request, clinician, patient, "patient_plan")
    return response


@router.get("/clinic/patients/{patient_id}/summary", response_class=HTMLResponse)
def printable_summary(request: Request, patient_id: uuid.UUID, session: SessionDep,
                      engine: EngineDep, settings: SettingsDep) -> Response:
    """One printable page, function first, for the notes or to hand to the patient."""
    linked = linked_or_refusal(request, session, settings, patient_id)
    if isinstance(linked, Response):
        return linked
    clinician, patient, _ = linked
    summary = service.summary(session, patient=patient)
    query = service.diary_query(today=summary.today)
    response = _render(request, "clinic/summary.html", {
        "s": summary, "clinician": clinician,
        "averages": service.diary_averages(summary.diary),
        "p": detail.my_plan(session, patient=patient),
        "d": detail.detail(session, patient=patient, today=summary.today),
        "q": query})
    _audit(engine, request, clinician, patient, "patient_print_summary")
    return response


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
    linked = linked_or_refusal(request, session, settings, patient_id, form_token=csrf_token)
    if isinstance(linked, Response):
        return linked
    clinician, _, care_role = linked
    try:
        service.add_note(session, patient_id=patient_id, clinician=clinician,
                         care_role=care_role, kind=kind, text=text)
    except Invalid as exc:
        session.rollback()
        return _render(request, "error.html", {"status": 422, "detail": exc.detail}, 422)
    return RedirectResponse(f"/clinic/patients/{patient_id}#notes", status_code=303)


@router.post("/clinic/patients/{patient_id}/decisions", response_class=HTMLResponse)
def add_decision(request: Request, patient_id: uuid.UUID, session: SessionDep,
                 settings: SettingsDep, form: Annotated[DecisionForm, Form()]) -> Response:
    """Record a shared decision made with the patient in a visit; bad input shows the page
    again with the form as it was and each problem next to its field."""
    linked = linked_or_refusal(request, session, settings, patient_id, form_token=form.csrf_token)
    if isinstance(linked, Response):
        return linked
    clinician, patient, care_role = linked
    fields = form.model_dump(exclude={"csrf_token"})
    try:
        service.add_decision(session, patient=patient, clinician=clinician,
                             care_role=care_role, form=fields)
    except Invalid as exc:
        session.rollback()
        problems = exc.extra.get("problems") or {"question": exc.detail}
        response = _page(request, session, clinician=clinician, patient=patient,
                         decision={"form": fields, "problems": problems}, status=422)
        # The page shown again is a read of the patient's data like any other view.
        sharing.record_access(session, clinician=clinician, patient=patient, action="read",
                              resource="patient_summary", address=client_address(request))
        return response
    return RedirectResponse(f"/clinic/patients/{patient_id}#decisions", status_code=303)
