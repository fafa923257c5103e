"""One patient's page for a linked clinician, `/clinic/patients/{id}` (design §5, §6, §7):
a summary led by function, the diary over a date range with filters, and the care-team notes.

Reading needs an active care link (`sharing.require_link`: no link answers like a missing
patient); the caller writes the audit event. Writing is limited to care-team notes and, in a
visit, shared decisions, which go through the one write path (`records.apply_mutations`),
so they bump the patient's version and reach the phone by sync.
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
    Decision,
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
DIARY_MAX_DAYS = 366
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
    today = patient_today(patient)
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


def patient_today(patient: User) -> date:
    """Today in the patient's own calendar."""
    return utcnow().astimezone(_zone(patient.timezone)).date()


def diary_averages(entries: list[DiaryEntry]) -> list[dict[str, Any]]:
    """Function, interference and pain (in that order) averaged over the given check-ins."""
    shown = []
    for key, label in (("function", "Function"), ("interference", "Interference"),
                       ("pain", "Pain")):
        values = [getattr(e, key) for e in entries if getattr(e, key) is not None]
        shown.append({"label": label, "count": len(values),
                      "mean": round(sum(values) / len(values), 1) if values else None})
    return shown


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


# -- the diary over a chosen range ----------------------------------------------------------


@dataclass
class DiaryQuery:
    """A date range (both days included) and filters, with the text given for each field
    and, by field, what was wrong with it."""

    start: date
    end: date
    flare_only: bool = False
    with_notes: bool = False
    pain_min: int | None = None
    given: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def filtered(self) -> bool:
        return self.flare_only or self.with_notes or self.pain_min is not None


def diary_query(*, today: date, start: str = "", end: str = "", flare: str = "",
                notes: str = "", pain_min: str = "") -> DiaryQuery:
    """Read the diary form's query parameters: the last 30 days unless told otherwise, at
    most 366 days; a bad value is explained by field and the range falls back to the default."""
    given = {"from": start.strip(), "to": end.strip(), "pain_min": pain_min.strip()}
    errors: dict[str, str] = {}
    first = _day(given["from"], "From", errors, "from")
    last = _day(given["to"], "To", errors, "to")
    if last is None:
        last = today if "to" not in errors else None
    if first is None and last is not None and "from" not in errors:
        first = last - timedelta(days=DIARY_DAYS - 1)
    if first is not None and last is not None and not errors:
        if first > last:
            errors["from"] = (f"From {first.isoformat()} is after To {last.isoformat()}; "
                              "choose a From date on or before the To date.")
        elif (last - first).days + 1 > DIARY_MAX_DAYS:
            errors["from"] = (f"{first.isoformat()} to {last.isoformat()} is "
                              f"{(last - first).days + 1} days; show at most {DIARY_MAX_DAYS} "
                              "days at a time.")
    level = None
    if given["pain_min"]:
        if given["pain_min"].isdigit() and int(given["pain_min"]) <= 10:
            level = int(given["pain_min"])
        else:
            errors["pain_min"] = (f"Pain {given['pain_min']!r} is not a whole number from 0 "
                                  "to 10.")
    if errors or first is None or last is None:
        first, last = today - timedelta(days=DIARY_DAYS - 1), today
    return DiaryQuery(start=first, end=last, flare_only=flare == "1", with_notes=notes == "1",
                      pain_min=level, given=given, errors=errors)


def _day(text: str, label: str, errors: dict[str, str], key: str) -> date | None:
    if not text:
        return None
    day = iso_day(text)
    if day is None:
        errors[key] = f"{label} date {text!r} is not a date; write it as YYYY-MM-DD."
    return day


def iso_day(text: str) -> date | None:
    """A YYYY-MM-DD day, or None for anything else (ISO's week and compact forms too)."""
    if len(text) != 10 or text[4] != "-":
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def diary(session: Session, *, patient: User, query: DiaryQuery) -> list[DiaryEntry]:
    """The check-ins in the query's range that pass its filters, newest first."""
    statement = select(DiaryEntry).where(
        DiaryEntry.patient_id == patient.id, DiaryEntry.deleted == False,  # noqa: E712
        col(DiaryEntry.local_date) >= query.start, col(DiaryEntry.local_date) <= query.end)
    if query.flare_only:
        statement = statement.where(DiaryEntry.flare == True)  # noqa: E712
    if query.with_notes:
        statement = statement.where(col(DiaryEntry.notes).is_not(None), DiaryEntry.notes != "")
    if query.pain_min is not None:
        statement = statement.where(col(DiaryEntry.pain) >= query.pain_min)
    return list(session.exec(statement.order_by(
        col(DiaryEntry.local_date).desc(), col(DiaryEntry.created_at).desc())).all())


# -- shared decisions in a visit --------------------------------------------------------------

DECISION_OPTIONS = 3
OPTION_PARTS = (("benefits", "Benefits"), ("burdens", "Burdens"), ("uncertainty", "Uncertainty"))
TITLE_MAX, TEXT_MAX = 200, 2000


def decision_problems(form: dict[str, str], *, today: date) -> dict[str, str]:
    """What is wrong with a decision form, by field name; empty when it can be stored."""
    problems: dict[str, str] = {}
    text = {name: (value or "").strip() for name, value in form.items()}
    if not text.get("question"):
        problems["question"] = "Write the question you are deciding together."
    named = 0
    for number in range(1, DECISION_OPTIONS + 1):
        name = text.get(f"option_{number}", "")
        parts = [text.get(f"{part}_{number}", "") for part, _ in OPTION_PARTS]
        if name:
            named += 1
        elif any(parts):
            problems[f"option_{number}"] = (f"Name option {number}, or clear its benefits, "
                                            "burdens and uncertainty.")
    if named < 2:
        missing = next(f"option_{n}" for n in range(1, DECISION_OPTIONS + 1)
                       if not text.get(f"option_{n}"))
        problems.setdefault(missing, "Describe at least two options; carrying on as now can "
                                     "be one of them.")
    for name, value in text.items():
        limit = TITLE_MAX if name == "question" or name.startswith("option_") else TEXT_MAX
        if len(value) > limit and name not in problems:
            problems[name] = f"This is {len(value)} characters long; the limit is {limit}."
    review = text.get("review_on", "")
    if review:
        review_day = iso_day(review)
        if review_day is None:
            problems["review_on"] = f"Review date {review!r} is not a date; use YYYY-MM-DD."
        elif review_day < today:
            problems["review_on"] = (f"Review date {review_day.isoformat()} is before today, "
                                     f"{today.isoformat()}.")
    return problems


def add_decision(session: Session, *, patient: User, clinician: User, care_role: str,
                 form: dict[str, str]) -> Decision:
    """Record a shared decision made in a visit, decided today in the patient's calendar;
    raise Invalid with `problems` by field when the form cannot be stored."""
    today = patient_today(patient)
    problems = decision_problems(form, today=today)
    if problems:
        raise Invalid("the decision could not be stored", problems=problems)
    text = {name: (value or "").strip() for name, value in form.items()}
    options = []
    for number in range(1, DECISION_OPTIONS + 1):
        if text.get(f"option_{number}"):
            options.append({"option": text[f"option_{number}"], **{
                part: text.get(f"{part}_{number}") or None for part, _ in OPTION_PARTS}})
    fields = {"question": text["question"], "options": options,
              "what_matters": text.get("what_matters") or None,
              "choice": text.get("choice") or None, "decided_on": today.isoformat(),
              "review_on": text.get("review_on") or None}
    actor = Actor(user_id=clinician.id, role="clinician", name=clinician.name,
                  care_role=care_role)
    [result] = apply_mutations(session, patient_id=patient.id, actor=actor, mutations=[
        Mutation("decision", "upsert", uuid.uuid4(), fields)])
    if result.status != "applied":
        raise Invalid(result.detail or "the decision could not be stored", problems={})
    return result.row  # type: ignore[return-value]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")
