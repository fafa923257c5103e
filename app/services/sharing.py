"""Sharing with the care team: one-time invite codes, care links, and the access log
(design §6 and §7 "Sharing"; security tests 11, 12 and 24)."""

from __future__ import annotations

import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.errors import Conflict, Invalid, NotFound, Throttled
from app.models import AuditEvent, CareLink, LoginAttempt, User, utcnow
from app.models.care import CARE_ROLES
from app.security import token_hash
from app.services.accounts import _one_at_a_time

INVITE_LIFETIME = timedelta(hours=72)
# 31 letters and digits with the look-alikes (0/O, 1/I/L) left out; 12 of them carry
# about 59 bits, far beyond what a throttled guesser reaches within 72 hours.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4
MAX_PENDING_INVITES = 20

REDEEM_WINDOW = timedelta(minutes=15)
MAX_FAILED_REDEMPTIONS_PER_ACCOUNT = 10
MAX_FAILED_REDEMPTIONS_PER_ADDRESS = 50
# One answer for every code that cannot be redeemed, so codes cannot be probed.
BAD_CODE = ("code is not valid: it is unknown, already used, expired or withdrawn; "
            "ask the patient for a new one")

SHARE_GRANT, SHARE_REVOKE = "share_grant", "share_revoke"
ACCESS_LOG_LIMIT = 1000
CLINICAL_ROLES = ("clinician", "admin")


class BadCode(Invalid):
    """A code that cannot be redeemed; the failure counts toward the throttle, so the
    caller commits before answering."""

    code = "invalid_code"


@dataclass
class Invite:
    code: str
    expires_at: datetime


@dataclass
class LinkView:
    """A care link with the names of both people, as either of them sees it."""

    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    clinician_id: uuid.UUID | None
    clinician_name: str | None
    role: str
    status: str
    created_at: datetime


@dataclass
class AccessView:
    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str | None
    actor_role: str | None
    action: str
    resource: str


def new_code() -> str:
    """A fresh invite code, grouped for reading aloud: `ABCD-EFGH-JKMN`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + CODE_GROUP] for i in range(0, CODE_LENGTH, CODE_GROUP))


def normalise_code(code: str) -> str:
    """The code as stored (hashed): upper case, without spaces or dashes."""
    return "".join(c for c in code.upper() if c not in " -\t\u2010\u2011\u2012\u2013\u2014")


def create_invite(session: Session, *, patient: User, role: str = "other",
                  now: datetime | None = None) -> Invite:
    """Create a pending care link behind a one-time code valid for 72 hours."""
    if role not in CARE_ROLES:
        raise Invalid(f"role {role!r} is not one of {', '.join(CARE_ROLES)}")
    now = now or utcnow()
    waiting = session.exec(
        select(sa.func.count()).select_from(CareLink).where(
            CareLink.patient_id == patient.id, CareLink.status == "pending",
            CareLink.expires_at > now,
        )
    ).one()
    if waiting >= MAX_PENDING_INVITES:
        raise Conflict(f"you have {waiting} invite codes waiting to be used; withdraw one "
                       "before creating another", code="too_many_invites")
    code = new_code()
    link = CareLink(patient_id=patient.id, role=role, status="pending",
                    code_hash=token_hash(normalise_code(code)), created_at=now,
                    expires_at=now + INVITE_LIFETIME)
    session.add(link)
    session.flush()
    return Invite(code=code, expires_at=link.expires_at)


def redeem(session: Session, *, clinician: User, code: str, address: str,
           now: datetime | None = None) -> LinkView:
    """Turn a patient's invite code into an active link for this clinician.

    Raises BadCode (one message for every reason) and Throttled past the limits.
    """
    _one_at_a_time(session, f"redeem account {clinician.id}", f"redeem address {address}")
    now = now or utcnow()
    _check_redeem_throttle(session, clinician=clinician, address=address, now=now)
    normalised = normalise_code(code)
    link = None
    if len(normalised) == CODE_LENGTH and set(normalised) <= set(CODE_ALPHABET):
        link = session.exec(
            select(CareLink).where(CareLink.code_hash == token_hash(normalised))
            .with_for_update()
        ).first()
    if link is None or link.status != "pending" or link.expires_at <= now:
        session.add(LoginAttempt(kind="redeem", email=clinician.email, address=address,
                                 success=False, at=now))
        session.flush()
        raise BadCode(BAD_CODE)
    # A second code from the same patient replaces the earlier link rather than doubling it.
    for earlier in session.exec(select(CareLink).where(
        CareLink.patient_id == link.patient_id, CareLink.clinician_id == clinician.id,
        CareLink.status == "active",
    )).all():
        earlier.status, earlier.revoked_at = "revoked", now
        session.add(earlier)
    link.clinician_id = clinician.id
    link.status = "active"
    link.code_hash = None
    session.add(link)
    session.add(AuditEvent(actor_id=clinician.id, actor_role=clinician.role,
                           patient_id=link.patient_id, action=SHARE_GRANT,
                           resource=f"care_link:{link.id}", address=address, at=now))
    session.flush()
    patient = session.get(User, link.patient_id)
    assert patient is not None  # the foreign key holds it
    return _view(link, patient, clinician)


def _check_redeem_throttle(session: Session, *, clinician: User, address: str,
                           now: datetime) -> None:
    since = now - REDEEM_WINDOW
    for column, value, limit in (
        (LoginAttempt.email, clinician.email, MAX_FAILED_REDEMPTIONS_PER_ACCOUNT),
        (LoginAttempt.address, address, MAX_FAILED_REDEMPTIONS_PER_ADDRESS),
    ):
        count, oldest = session.exec(
            select(sa.func.count(), sa.func.min(LoginAttempt.at)).where(
                LoginAttempt.kind == "redeem", column == value,
                LoginAttempt.success == sa.false(), LoginAttempt.at > since,
            )
        ).one()
        if count >= limit:
            oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            wait = max(1, math.ceil((oldest_at + REDEEM_WINDOW - now).total_seconds()))
            raise Throttled("too many codes that could not be used; wait before trying again",
                            retry_after=wait)


def list_links(session: Session, *, user: User, now: datetime | None = None) -> list[LinkView]:
    """A patient's links (pending invites still valid, active and revoked ones); a
    clinician's active links. Newest first."""
    now = now or utcnow()
    patient_user = aliased(User)
    clinician_user = aliased(User)
    statement = (
        select(CareLink, patient_user, clinician_user)
        .join(patient_user, patient_user.id == CareLink.patient_id)  # type: ignore[arg-type]
        .outerjoin(clinician_user,
                   clinician_user.id == CareLink.clinician_id)  # type: ignore[arg-type]
        .order_by(col(CareLink.created_at).desc(), col(CareLink.id))
    )
    if user.role == "patient":
        statement = statement.where(CareLink.patient_id == user.id, sa.or_(
            col(CareLink.status) != "pending", col(CareLink.expires_at) > now))
    else:
        statement = statement.where(CareLink.clinician_id == user.id,
                                    CareLink.status == "active")
    return [_view(link, patient, clinician)
            for link, patient, clinician in session.exec(statement).all()]


def revoke(session: Session, *, patient: User, link_id: uuid.UUID, address: str,
           now: datetime | None = None) -> None:
    """End a link (or withdraw a pending invite); the clinician's next request gets 404.

    Another patient's link answers exactly like one that does not exist.
    """
    link = session.exec(
        select(CareLink).where(CareLink.id == link_id, CareLink.patient_id == patient.id)
        .with_for_update()
    ).first()
    if link is None:
        raise NotFound(f"no care link {link_id}")
    if link.status == "revoked":
        return
    now = now or utcnow()
    link.status, link.revoked_at, link.code_hash = "revoked", now, None
    session.add(link)
    session.add(AuditEvent(actor_id=patient.id, actor_role=patient.role,
                           patient_id=patient.id, action=SHARE_REVOKE,
                           resource=f"care_link:{link.id}", address=address, at=now))
    session.flush()


def require_link(session: Session, *, clinician_id: uuid.UUID,
                 patient_id: uuid.UUID) -> CareLink:
    """The active link between a clinician and a patient, or NotFound: a patient who has
    not shared (or no longer shares) answers exactly like one that does not exist."""
    link = session.exec(
        select(CareLink).where(CareLink.clinician_id == clinician_id,
                               CareLink.patient_id == patient_id,
                               CareLink.status == "active")
        .order_by(col(CareLink.created_at).desc())
    ).first()
    if link is None:
        raise NotFound(f"no patient {patient_id}")
    return link


def record_access(session: Session, *, clinician: User, patient: User | uuid.UUID,
                  action: str, resource: str, address: str | None) -> AuditEvent:
    """Write the audit event for one clinician read of a patient's data, which the patient
    sees in their access log. A GET reads in a snapshot of its own, so call this in a
    write unit of work."""
    patient_id = patient.id if isinstance(patient, User) else patient
    event = AuditEvent(actor_id=clinician.id, actor_role=clinician.role,
                       patient_id=patient_id, action=action[:64], resource=resource[:200],
                       address=address[:64] if address else None)
    session.add(event)
    session.flush()
    return event


def access_log(session: Session, *, patient: User) -> list[AccessView]:
    """What clinicians read of this patient's data, newest first (sharing itself and
    the patient's own actions are not reads by others)."""
    statement = (
        select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)  # type: ignore[arg-type]
        .where(AuditEvent.patient_id == patient.id,
               col(AuditEvent.actor_role).in_(CLINICAL_ROLES),
               col(AuditEvent.action).not_in((SHARE_GRANT, SHARE_REVOKE)))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id))
        .limit(ACCESS_LOG_LIMIT)
    )
    return [AccessView(id=event.id, at=event.at, actor_id=event.actor_id, actor_name=name,
                       actor_role=event.actor_role, action=event.action,
                       resource=event.resource)
            for event, name in session.exec(statement).all()]


def _view(link: CareLink, patient: User, clinician: User | None) -> LinkView:
    return LinkView(id=link.id, patient_id=link.patient_id, patient_name=patient.name,
                    clinician_id=link.clinician_id,
                    clinician_name=clinician.name if clinician else None,
                    role=link.role, status=link.status, created_at=link.created_at)
