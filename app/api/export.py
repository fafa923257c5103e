"""The patient's own export: `GET /api/v1/export?format=json|csv|fhir` (design §7)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from app.db import unit_of_work
from app.deps import CurrentPatient, EngineDep, SessionDep, SettingsDep, client_address
from app.services import export

router = APIRouter(prefix="/api/v1", tags=["export"])


@router.get("/export", summary="Download everything you have stored",
            responses={200: {"content": {media: {} for media in export.MEDIA_TYPES.values()}}})
def export_mine(
    request: Request,
    patient: CurrentPatient,
    session: SessionDep,
    engine: EngineDep,
    settings: SettingsDep,
    format: Annotated[str, Query(max_length=40, description="json, csv or fhir")] = "json",  # noqa: A002 - the public parameter name
) -> Response:
    """Return all of your records as JSON, a zip of CSV files or a FHIR R4 Bundle."""
    file = export.download(session, patient=patient, fmt=format, base_url=settings.base_url)
    # A GET reads in a snapshot of its own; the audit row is written in a short write of its own.
    with unit_of_work(engine, write=True) as audit:
        export.record_export(audit, actor=patient, patient=patient, fmt=format,
                             address=client_address(request))
    return attachment(file)


def attachment(file: export.Download) -> Response:
    """The file as a download that no cache keeps."""
    return Response(file.body, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.file_name}"',
                             "Cache-Control": "no-store"})
