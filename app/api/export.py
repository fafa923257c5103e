"""The patient's own export: `GET /api/v1/export?format=json|csv|fhir` (design §7)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.db import unit_of_work
from app.deps import CurrentPatient, EngineDep, SessionDep, SettingsDep, client_address
from app.errors import Invalid
from app.services import export

router = APIRouter(prefix="/api/v1", tags=["export"])

MEDIA_TYPES = {"json": "application/json", "csv": "application/zip",
               "fhir": "application/fhir+json"}
EXTENSIONS = {"json": "json", "csv": "zip", "fhir": "fhir.json"}


@router.get("/export", summary="Download everything you have stored",
            responses={200: {"content": {media: {} for media in MEDIA_TYPES.values()}}})
def export_mine(
    request: Request,
    patient: CurrentPatient,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    format: Annotated[str, Query(max_length=40, description="json, csv or fhir")] = "json",  # noqa: A002 - the public parameter name
) -> Response:
    """Return all of your records as JSON, a zip of CSV files or a FHIR R4 Bundle."""
    if format not in export.FORMATS:
        raise Invalid(f"format {format!r} is not one of {', '.join(export.FORMATS)}")
    if format == "csv":
        body = export.export_csv_zip(session, patient)
    elif format == "fhir":
        bundle = export.export_fhir_bundle(session, patient, base_url=settings.base_url)
        body = json.dumps(bundle, ensure_ascii=False).encode()
    else:
        body = json.dumps(export.export_json(session, patient), ensure_ascii=False).encode()
    # A GET reads in a snapshot of its own; the audit row is written in a short write of its own.
    with unit_of_work(engine, write=True) as audit:
        export.record_export(audit, actor=patient, patient=patient, fmt=format,
                             address=client_address(request))
    name = export.file_name(patient, EXTENSIONS[format])
    return Response(body, media_type=MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Cache-Control": "no-store"})
