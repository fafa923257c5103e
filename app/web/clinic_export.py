"""A linked clinician's export of one patient, `/clinic/patients/{id}/export?format=csv|fhir`
(design §6, §7 "Export"): the same files as the patient's own export, read only over an
active care link, and audited once, so the patient sees it in "who looked at my data"."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.api.export import attachment
from app.db import unit_of_work
from app.deps import EngineDep, SessionDep, SettingsDep, client_address
from app.errors import Invalid
from app.services import export
from app.web.clinic import linked_or_refusal
from app.web.pages import _render

router = APIRouter(include_in_schema=False)


@router.get("/clinic/patients/{patient_id}/export")
def export_patient(
    request: Request,
    patient_id: uuid.UUID,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    format: Annotated[str, Query(max_length=40)] = "csv",  # noqa: A002 - the public parameter name
) -> Response:
    """Download the patient's records as a zip of CSV files or a FHIR R4 Bundle."""
    linked = linked_or_refusal(request, session, settings, patient_id)
    if isinstance(linked, Response):
        return linked
    clinician, patient, _ = linked
    try:
        export.check_format(format, export.CLINICIAN_FORMATS)
    except Invalid as exc:
        return _render(request, "error.html", {"status": 422, "detail": exc.detail}, 422)
    file = export.download(session, patient=patient, fmt=format, base_url=settings.base_url,
                           named=True)
    # A GET reads in a snapshot of its own; the audit row is written in a short write of its own.
    with unit_of_work(engine, write=True) as audit:
        export.record_export(audit, actor=clinician, patient=patient, fmt=format,
                             address=client_address(request))
    return attachment(file)

