"""Which questionnaires this instance has switched on (PACEWISE_INSTRUMENTS, design §7).

The phone carries every instrument's wording offline; this only tells it which to offer,
so an instance that switched PEG off never shows it.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.deps import CurrentUser, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["instruments"])


class InstrumentsOut(BaseModel):
    instruments: list[str]


@router.get("/instruments", response_model=InstrumentsOut)
def enabled_instruments(user: CurrentUser, settings: SettingsDep) -> InstrumentsOut:
    """List the questionnaires this instance offers, in their usual order."""
    return InstrumentsOut(instruments=list(settings.enabled_instruments))
