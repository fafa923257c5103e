"""The clinician's pages: `/clinic`, the list of patients who shared, with triage signals
(design §7 "Pages"). Server-rendered, `Cache-Control: no-store`, no audit row for the list."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.config import Settings
from app.deps import SessionDep, SettingsDep, signed_in
from app.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from app.models import User
from app.services import clinic, clinic_patient
from app.web.pages import FORM_EXPIRED, _render

router = APIRouter(include_in_schema=False)

CLINICIANS_ONLY = "This page is for clinicians. Your own diary is in the Pacewise app."
NOT_FOUND = "No such patient, or they no longer share their diary with you."


def clinician_or_refusal(request: Request, session: Session, settings: Settings, *,
                         form_token: str | None = None) -> User | Response:
    """The signed-in clinician, or the answer to give instead: to sign in (a redirect for a
    page; 401 for a form post), or a 403 page for a patient or an expired form."""
    try:
        current = signed_in(request, session, settings, form_token=form_token)
    except NotAuthenticated:
        if request.method != "GET":
            raise
        return RedirectResponse("/login", status_code=303)
    except Forbidden:
        return _render(request, "error.html", {"status": 403, "detail": FORM_EXPIRED}, 403)
    if current.user.role not in ("clinician", "admin"):
        return _render(request, "error.html", {"status": 403, "detail": CLINICIANS_ONLY}, 403)
    return current.user


def linked_or_refusal(request: Request, session: Session, settings: Settings,
                      patient_id: uuid.UUID, *, form_token: str | None = None,
                      ) -> tuple[User, User, str] | Response:
    """The clinician, a patient linked to them and the link's role, or the answer to give
    instead (a 404 page for a patient who does not share with them, as for one who does
    not exist)."""
    clinician = clinician_or_refusal(request, session, settings, form_token=form_token)
    if isinstance(clinician, Response):
        return clinician
    try:
        patient, care_role = clinic_patient.linked_patient(
            session, clinician_id=clinician.id, patient_id=patient_id)
    except NotFound:
        return _render(request, "error.html", {"status": 404, "detail": NOT_FOUND}, 404)
    return clinician, patient, care_role

# Column headings of the sortable table, in order: (sort key, heading).
COLUMNS = (
    ("name", "Patient"),
    ("attention", "Needs attention"),
    ("last_checkin", "Last check-in"),
    ("last_sync", "Last sync"),
    ("flares", f"Flare days ({clinic.WINDOW_DAYS} d)"),
    ("function", "Function (PSFS)"),
    ("peg", "PEG change"),
    ("adherence", f"Pacing ({clinic.WINDOW_DAYS} d)"),
    ("screen", "PHQ-2 / GAD-2"),
    ("goals_due", "Goals to review"),
)
FLAG_LABELS = {
    "": "Everyone",
    "needs_attention": "Needs attention",
    "screen": "PHQ-2 or GAD-2 of 3 or more",
    "flares": "Flare in the last 14 days",
    "quiet": "No check-in for 7 days",
    "goals_due": "Goals due for review",
    "function_worse": "Function worse",
    "peg_worse": "PEG 30 % worse",
    "low_adherence": "Pacing adherence below 50 %",
}


@router.get("/clinic", response_class=HTMLResponse)
def patient_list(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sort: Annotated[str, Query(max_length=40)] = clinic.DEFAULT_SORT,
    flag: Annotated[str, Query(max_length=40)] = "",
    q: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    """The clinician's actively linked patients, who needs attention first."""
    clinician = clinician_or_refusal(request, session, settings)
    if isinstance(clinician, Response):
        return clinician
    try:
        rows = clinic.patient_list(session, clinician_id=clinician.id, q=q, sort=sort,
                                   flag=flag or None)
    except Invalid as exc:
        return _render(request, "error.html", {"status": 422, "detail": exc.detail}, 422)
    key, descending = clinic.check_sort(sort)
    return _render(request, "clinic/list.html", {
        "rows": rows, "q": q, "flag": flag, "sort_key": key, "descending": descending,
        "columns": _columns(key, descending, q, flag), "flags": FLAG_LABELS,
        "clinician": clinician,
    })


def _columns(key: str, descending: bool, q: str, flag: str) -> list[dict[str, Any]]:
    """Each heading with its sort link and aria-sort; a second click reverses the order."""
    columns = []
    for column, heading in COLUMNS:
        active = column == key
        target = f"-{column}" if active and not descending else column
        params = {"sort": target, **({"q": q} if q else {}), **({"flag": flag} if flag else {})}
        columns.append({
            "key": column, "heading": heading, "href": "/clinic?" + urlencode(params),
            "aria_sort": ("descending" if descending else "ascending") if active else None,
        })
    return columns
