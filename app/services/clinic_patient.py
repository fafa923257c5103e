"""One patient's page for a linked clinician, `/clinic/patients/{id}` (design §5, §6, §7):
a summary led by function, the diary of the last 30 days, and the care-team notes.

Reading needs an active care link (`sharing.require_link`: no link answers like a missing
patient); the caller writes the audit event. Writing is limited to care-team notes, which go
through the one write path (`records.apply_mutations`), so they bump the patient's version
and reach the phone by sync.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.errors import Invalid, NotFound
from app.models import (
    CareNote,
    DiaryEntry,
    Flare,
    Goal,
    GoalCheckin,
    OutcomeResponse,
    PacingPlan,
    PacingSession,
    User,
    Value,
    utcnow,
)
from app.services import sharing
from app.services.goals import goal_progress
from app.services.outcomes import NOT_COMPARABLE, psfs_change
from app.services.pacing import flare_days, local_day
from app.services.records import Actor, Mutation, apply_mutations
from app.services.scoring import SCREEN_THRESHOLD

WINDOW_DAYS = 14
DIARY_DAYS = 30
NOTE_KINDS = ("goal", "progress", "barrier", "plan")
NOTE_MAX = 4000
SCREENS = {"phq2": "PHQ-2", "gad2": "GAD-2"}


@dataclass
class Summary:
    """Everything the page shows about one patient, computed for their own calendar."""

    patient: User
    today: date
    values: list[Value] = field(default_factory=list)
    goals: list[dict[str, Any]] = field(default_factory=list)
    psfs: dict[str, Any] | None = None
    plans: list[dict[str, Any]] = field(default_factory=list)
    flare_days: int = 0
    screens: list[dict[str, Any]] = field(default_factory=list)
    sleep_average: float | None = None
    sleep_nights: int = 0
    diary: list[DiaryEntry] = field(default_factory=list)
    notes: list[CareNote] = field(default_factory=list)


def linked_patient(session: Session, *, clinician_id: uuid.UUID,
                   patient_id: uuid.UUID) -> tuple[User, str]:
    """The patient and the role the link grants, or NotFound without an active link."""
    link = sharing.require_link(session, clinician_id=clinician_id, patient_id=patient_id)
    patient = session.get(User, patient_id)
    if patient is None:
        raise NotFound(f"no patient {patient_id}")
    return patient, link.role


def summary(session: Session, *, patient: User) -> Summary:
    """The patient's summary, diary and care-team notes."""
    zone = _zone(patient.timezone)
    today = utcnow().astimezone(zone).date()
    result = Summary(patient=patient, today=today)
    pid = patient.id

    result.values = list(session.exec(
        select(Value).where(Value.patient_id == pid, Value.deleted == False)  # noqa: E712
        .order_by(col(Value.importance).desc().nulls_last(), col(Value.title))).all())

    checkins = session.exec(select(GoalCheckin).where(
        GoalCheckin.patient_id == pid, GoalCheckin.deleted == False)).all()  # noqa: E712
    by_goal: dict[uuid.UUID | None, list[GoalCheckin]] = {}
    for checkin in checkins:
        by_goal.setdefault(checkin.goal_id, []).append(checkin)
    for goal in session.exec(select(Goal).where(
            Goal.patient_id == pid, Goal.deleted == False)  # noqa: E712
            .order_by(col(Goal.created_at))).all():
        progress = goal_progress(goal=goal, checkins=by_goal.get(goal.id, []), today=today,
                                 timezone=patient.timezone)
        result.goals.append({"goal": goal, "progress": progress})

    outcomes = session.exec(select(OutcomeResponse).where(
        OutcomeResponse.patient_id == pid, OutcomeResponse.deleted == False,  # noqa: E712
        col(OutcomeResponse.local_date).is_not(None),
        col(OutcomeResponse.instrument).in_(("psfs", *SCREENS)))
        .order_by(col(OutcomeResponse.local_date).desc(), col(OutcomeResponse.version).desc())
    ).all()
    result.psfs = _psfs([o for o in outcomes if o.instrument == "psfs"][:2])
    for instrument, name in SCREENS.items():
        latest = next((o for o in outcomes if o.instrument == instrument), None)
        if latest is not None and latest.score is not None:
            result.screens.append({"name": name, "score": latest.score,
                                   "date": latest.local_date,
                                   "flag": latest.score >= SCREEN_THRESHOLD})

    first_day = today - timedelta(days=WINDOW_DAYS - 1)
    diary = list(session.exec(select(DiaryEntry).where(
        DiaryEntry.patient_id == pid, DiaryEntry.deleted == False,  # noqa: E712
        col(DiaryEntry.local_date) >= today - timedelta(days=DIARY_DAYS - 1))
        .order_by(col(DiaryEntry.local_date).desc(), col(DiaryEntry.created_at).desc())).all())
    result.diary = diary
    flares = session.exec(select(Flare).where(
        Flare.patient_id == pid, Flare.deleted == False)).all()  # noqa: E712
    flared, _ = flare_days(flares=flares, diary=diary, today=today, timezone=patient.timezone)
    result.flare_days = sum(1 for day in flared if first_day <= day <= today)
    sleep = [e.sleep_hours for e in diary
             if e.sleep_hours is not None and e.local_date is not None
             and e.local_date >= first_day]
    if sleep:
        result.sleep_average = round(sum(sleep) / len(sleep), 1)
        result.sleep_nights = len(sleep)

    result.plans = _plans(session, patient, today, first_day)
    result.notes = list(session.exec(select(CareNote).where(
        CareNote.patient_id == pid, CareNote.deleted == False)  # noqa: E712
        .order_by(col(CareNote.created_at).desc())).all())
    return result


def _psfs(latest_two: list[OutcomeResponse]) -> dict[str, Any] | None:
    if not latest_two:
        return None
    latest = latest_two[0]
    shown: dict[str, Any] = {"score": latest.score, "date": latest.local_date,
                             "previous": None, "label": None}
    if len(latest_two) == 2:
        previous = latest_two[1]
        shown["previous"] = previous.score
        try:
            change = psfs_change(before=previous.answers or {}, after=latest.answers or {})
        except ValueError:
            change = {"label": NOT_COMPARABLE}
        shown["label"] = change["label"]
    return shown


def _plans(session: Session, patient: User, today: date, first_day: date) -> list[dict[str, Any]]:
    """Active pacing plans with their quota and adherence: of the plan's days in the window,
    the share with a quota session that reached its planned amount."""
    plans = session.exec(select(PacingPlan).where(
        PacingPlan.patient_id == patient.id, PacingPlan.deleted == False,  # noqa: E712
        PacingPlan.active != False)  # noqa: E712
        .order_by(col(PacingPlan.created_at))).all()
    if not plans:
        return []
    met: dict[uuid.UUID | None, set[date]] = {}
    for done in session.exec(select(PacingSession).where(
            PacingSession.patient_id == patient.id, PacingSession.deleted == False,  # noqa: E712
            PacingSession.kind == "quota", col(PacingSession.started_at).is_not(None),
            col(PacingSession.achieved).is_not(None),
            col(PacingSession.achieved) >= col(PacingSession.planned))).all():
        met.setdefault(done.plan_id, set()).add(
            local_day(done.started_at, patient.timezone))  # type: ignore[arg-type]
    shown = []
    for plan in plans:
        start = max(first_day, local_day(plan.created_at, patient.timezone))
        expected = (today - start).days + 1
        days_met = sum(1 for day in met.get(plan.id, ()) if start <= day <= today)
        shown.append({"plan": plan, "days_met": days_met, "days_expected": expected,
                      "adherence": round(100 * days_met / expected) if expected > 0 else None})
    return shown


def add_note(session: Session, *, patient_id: uuid.UUID, clinician: User, care_role: str,
             kind: str, text: str) -> CareNote:
    """Write a care-team note as the clinician; the server sets its author fields."""
    if kind not in NOTE_KINDS:
        raise Invalid(f"kind {kind!r} is not one of {', '.join(NOTE_KINDS)}")
    text = text.strip()
    if not text:
        raise Invalid("text '' is empty; write the note")
    if len(text) > NOTE_MAX:
        raise Invalid(f"text is {len(text)} characters long; the limit is {NOTE_MAX}")
    actor = Actor(user_id=clinician.id, role="clinician", name=clinician.name,
                  care_role=care_role)
    [result] = apply_mutations(session, patient_id=patient_id, actor=actor, mutations=[
        Mutation("care_note", "upsert", uuid.uuid4(), {"kind": kind, "text": text})])
    if result.status != "applied":
        raise Invalid(result.detail or "the note could not be stored")
    return result.row  # type: ignore[return-value]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
