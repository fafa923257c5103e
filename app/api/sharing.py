"""Sharing with the care team and the patient's access log (design §7 "Sharing")."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from fastapi import APIRouter, Request, Response, status

from app.deps import CurrentClinician, CurrentPatient, CurrentUser, SessionDep, client_address
from app.schemas.sharing import (
    AccessLog,
    CareLinkList,
    CareLinkPublic,
    InviteIn,
    InvitePublic,
    RedeemIn,
)
from app.services import sharing

router = APIRouter(prefix="/api/v1", tags=["sharing"])


@router.post("/care-links/invites", status_code=status.HTTP_201_CREATED,
             response_model=InvitePublic)
def create_invite(patient: CurrentPatient, session: SessionDep,
                  body: InviteIn | None = None) -> InvitePublic:
    """Create a one-time code (valid 72 hours) that gives one clinician access."""
    invite = sharing.create_invite(session, patient=patient,
                                   role=(body or InviteIn()).role)
    return InvitePublic(code=invite.code, expires_at=invite.expires_at)


@router.post("/care-links/redeem", response_model=CareLinkPublic,
             responses={422: {}, 429: {}})
def redeem(body: RedeemIn, request: Request, clinician: CurrentClinician,
           session: SessionDep) -> CareLinkPublic:
    """Redeem a patient's code; the patient appears in your list."""
    try:
        link = sharing.redeem(session, clinician=clinician, code=body.code,
                              address=client_address(request))
    except sharing.BadCode:
        session.commit()  # the failed attempt counts toward the throttle
        raise
    return CareLinkPublic.model_validate(asdict(link))


@router.get("/care-links", response_model=CareLinkList)
def list_links(user: CurrentUser, session: SessionDep) -> CareLinkList:
    """A patient's links and invites, or a clinician's active links."""
    return CareLinkList.model_validate(
        {"items": [asdict(link) for link in sharing.list_links(session, user=user)]})


@router.delete("/care-links/{link_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(link_id: uuid.UUID, request: Request, patient: CurrentPatient,
           session: SessionDep) -> Response:
    """Stop sharing with this clinician (or withdraw an unused code), at once."""
    sharing.revoke(session, patient=patient, link_id=link_id,
                   address=client_address(request))
    return Response(status_code=204)


@router.get("/access-log", response_model=AccessLog)
def access_log(patient: CurrentPatient, session: SessionDep) -> AccessLog:
    """Who in the care team looked at your data, and when."""
    return AccessLog.model_validate(
        {"items": [asdict(event) for event in sharing.access_log(session, patient=patient)]})
