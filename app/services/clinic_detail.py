"""The detail under a linked clinician's patient summary (design §5, §7 "Pages"): the chart
series with their tables, each goal and pacing plan in full, and the patient's My plan.

Plain reads for one patient; the caller checks the care link and writes the audit event.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app.models import (
    CareNote,
    Decision,
    DiaryEntry,
    Flare,
    FlarePlan,
    Goal,
    GoalCheckin,
    OutcomeResponse,
    PacingPlan,
    PacingSession,
    PerformanceTest,
    Routine,
    Treatment,
    User,
    Value,
)
from app.services.goals import gas_t_score, goal_progress
from app.services.outcomes import MEAN_MDC, activity_key
from app.services.pacing import (
    DEFAULT_INCREASE_EVERY_DAYS,
    DEFAULT_INCREASE_PERCENT,
    MET_DAYS_NEEDED,
    WINDOW_DAYS,
    local_day,
    suggest_quota,
)
from app.services.scoring import round2

SESSION_DAYS = 14
CHECKINS_SHOWN = 10
DIARY_SCALES = (("function", "Function"), ("interference", "Interference"), ("pain", "Pain"))
INSTRUMENTS = {"psfs": "PSFS", "peg": "PEG", "phq2": "PHQ-2", "gad2": "GAD-2", "pgic": "PGIC"}


# -- charts --------------------------------------------------------------------------------


def chart_data(session: Session, *, patient: User, start: date, end: date) -> dict[str, Any]:
    """The series behind the page's charts: PSFS over all time with its detectable-change
    band, and the diary and pacing sessions of `start`…`end`, as plain JSON-ready values."""
    pid = patient.id
    psfs = session.exec(select(OutcomeResponse).where(
        OutcomeResponse.patient_id == pid, OutcomeResponse.deleted == False,  # noqa: E712
        OutcomeResponse.instrument == "psfs", col(OutcomeResponse.local_date).is_not(None),
        col(OutcomeResponse.score).is_not(None))
        .order_by(col(OutcomeResponse.local_date), col(OutcomeResponse.version))).all()
    first = psfs[0].score if psfs else None
    psfs_rows = [{"date": o.local_date.isoformat(), "score": o.score,  # type: ignore[union-attr]
                  "change": round2(o.score - first),  # type: ignore[operator]
                  "beyond": abs(o.score - first) >= MEAN_MDC}  # type: ignore[operator]
                 for o in psfs]
    band = None if first is None else [max(0.0, round2(first - MEAN_MDC)),
                                       min(10.0, round2(first + MEAN_MDC))]

    entries = session.exec(select(DiaryEntry).where(
        DiaryEntry.patient_id == pid, DiaryEntry.deleted == False,  # noqa: E712
        col(DiaryEntry.local_date) >= start, col(DiaryEntry.local_date) <= end)).all()
    by_day: dict[date, list[DiaryEntry]] = defaultdict(list)
    for entry in entries:
        by_day[entry.local_date].append(entry)  # type: ignore[index]
    diary_rows = []
    for day in sorted(by_day):
        row: dict[str, Any] = {"date": day.isoformat()}
        for key, _ in DIARY_SCALES:
            values = [getattr(e, key) for e in by_day[day] if getattr(e, key) is not None]
            row[key] = round2(sum(values) / len(values)) if values else None
        diary_rows.append(row)

    plans = session.exec(select(PacingPlan).where(
        PacingPlan.patient_id == pid, PacingPlan.deleted == False)  # noqa: E712
        .order_by(col(PacingPlan.created_at))).all()
    sessions = session.exec(select(PacingSession).where(
        PacingSession.patient_id == pid, PacingSession.deleted == False,  # noqa: E712
        PacingSession.kind == "quota", col(PacingSession.started_at).is_not(None))
        .order_by(col(PacingSession.started_at))).all()
    by_plan: dict[uuid.UUID | None, list[dict[str, Any]]] = defaultdict(list)
    for done in sessions:
        day = local_day(done.started_at, patient.timezone)  # type: ignore[arg-type]
        if start <= day <= end:
            by_plan[done.plan_id].append({"date": day.isoformat(), "quota": done.planned,
                                          "achieved": done.achieved})
    pacing = [{"key": f"pacing-{plan.id}", "activity": plan.activity or "Activity",
               "unit": plan.unit or "minutes", "rows": by_plan[plan.id]}
              for plan in plans if by_plan.get(plan.id)]
    return {
        "psfs": {"rows": psfs_rows, "band": band, "first": first},
        "diary": {"rows": diary_rows},
        "pacing": pacing,
    }


def chart_json(charts: dict[str, Any]) -> dict[str, Any]:
    """What `charts.js` draws: one set of columns (x, then y series) per chart."""
    psfs = charts["psfs"]
    shown: dict[str, Any] = {}
    if psfs["rows"]:
        low, high = psfs["band"]
        shown["psfs"] = {
            "dates": [r["date"] for r in psfs["rows"]],
            "series": [{"label": "PSFS mean", "stroke": "accent",
                        "values": [r["score"] for r in psfs["rows"]]},
                       {"label": f"First + {MEAN_MDC}", "stroke": "muted", "dash": [4, 4],
                        "points": False, "values": [high] * len(psfs["rows"])},
                       {"label": f"First − {MEAN_MDC}", "stroke": "muted", "dash": [4, 4],
                        "points": False, "values": [low] * len(psfs["rows"])}],
            "band": [2, 3], "range": [0, 10],
        }
    rows = charts["diary"]["rows"]
    if rows:
        styles = {"function": ("accent", None), "interference": ("focus", [8, 4]),
                  "pain": ("error", [2, 4])}
        shown["diary"] = {
            "dates": [r["date"] for r in rows], "range": [0, 10],
            "series": [{"label": label, "stroke": styles[key][0], "dash": styles[key][1],
                        "values": [r[key] for r in rows]} for key, label in DIARY_SCALES],
        }
    for plan in charts["pacing"]:
        shown[plan["key"]] = {
            "dates": [r["date"] for r in plan["rows"]],
            "series": [{"label": "Quota", "stroke": "muted", "dash": [6, 4],
                        "values": [r["quota"] for r in plan["rows"]]},
                       {"label": "Achieved", "stroke": "accent",
                        "values": [r["achieved"] for r in plan["rows"]]}],
        }
    return shown


# -- goals and pacing in full ----------------------------------------------------------------


@dataclass
class Detail:
    goals: list[dict[str, Any]] = field(default_factory=list)
    gas_t: float | None = None
    gas_rated: int = 0
    plans: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)


def detail(session: Session, *, patient: User, today: date) -> Detail:
    """Every goal with its steps, barriers, contingency, attainment and check-ins, every
    pacing plan with its quota history and the last 14 days' sessions, and the decisions."""
    pid = patient.id
    result = Detail()
    goals = session.exec(select(Goal).where(Goal.patient_id == pid, Goal.deleted == False)  # noqa: E712
                         .order_by(col(Goal.created_at))).all()
    checkins: dict[uuid.UUID | None, list[GoalCheckin]] = defaultdict(list)
    for checkin in session.exec(select(GoalCheckin).where(
            GoalCheckin.patient_id == pid, GoalCheckin.deleted == False)  # noqa: E712
            .order_by(col(GoalCheckin.local_date), col(GoalCheckin.created_at))).all():
        checkins[checkin.goal_id].append(checkin)
    values = {str(v.id): v.title for v in session.exec(select(Value).where(
        Value.patient_id == pid, Value.deleted == False)).all()}  # noqa: E712
    rated = []
    for goal in goals:
        own = checkins.get(goal.id, [])
        progress = goal_progress(goal=goal, checkins=own, today=today, timezone=patient.timezone)
        level = progress["gas_level"]
        if level is not None and goal.gas_levels:
            rated.append({"level": level, "weight": goal.gas_weight})
        ticked = {activity_key(c.step_done) for c in own if c.step_done}
        steps = [{**step, "done": step.get("done") is True
                  or activity_key(step.get("title") or "") in ticked}
                 for step in goal.steps or []]
        result.goals.append({
            "goal": goal, "progress": progress, "steps": steps,
            "values": [values[i] for i in goal.value_ids or [] if i in values],
            "gas_text": (goal.gas_levels[level + 2]
                         if level is not None and goal.gas_levels and len(goal.gas_levels) == 5
                         else None),
            "checkins": list(reversed(own))[:CHECKINS_SHOWN], "checkins_total": len(own),
        })
    try:
        result.gas_t = gas_t_score(rated)
    except ValueError:
        result.gas_t = None
    result.gas_rated = len(rated)
    result.plans = _plan_details(session, patient, today)
    result.decisions = list(session.exec(select(Decision).where(
        Decision.patient_id == pid, Decision.deleted == False)  # noqa: E712
        .order_by(col(Decision.decided_on).desc().nulls_last(),
                  col(Decision.created_at).desc())).all())
    return result


def _plan_details(session: Session, patient: User, today: date) -> list[dict[str, Any]]:
    pid = patient.id
    plans = session.exec(select(PacingPlan).where(
        PacingPlan.patient_id == pid, PacingPlan.deleted == False)  # noqa: E712
        .order_by(col(PacingPlan.active).desc(), col(PacingPlan.created_at))).all()
    if not plans:
        return []
    sessions = session.exec(select(PacingSession).where(
        PacingSession.patient_id == pid, PacingSession.deleted == False,  # noqa: E712
        col(PacingSession.started_at).is_not(None))
        .order_by(col(PacingSession.started_at))).all()
    flares = session.exec(select(Flare).where(Flare.patient_id == pid,
                                              Flare.deleted == False)).all()  # noqa: E712
    diary = session.exec(select(DiaryEntry).where(
        DiaryEntry.patient_id == pid, DiaryEntry.deleted == False,  # noqa: E712
        DiaryEntry.flare == True,  # noqa: E712
        col(DiaryEntry.local_date) >= today - timedelta(days=60))).all()
    by_plan: dict[uuid.UUID | None, list[PacingSession]] = defaultdict(list)
    for done in sessions:
        by_plan[done.plan_id].append(done)
    first_day = today - timedelta(days=SESSION_DAYS - 1)
    shown = []
    for plan in plans:
        own = by_plan.get(plan.id, [])
        days = [(local_day(s.started_at, patient.timezone), s) for s in own]  # type: ignore[arg-type]
        recent = [{"day": day, "session": s} for day, s in days if first_day <= day <= today]
        try:
            suggestion = suggest_quota(plan=plan, sessions=own, today=today, flares=flares,
                                       diary=diary, timezone=patient.timezone)
        except ValueError:
            suggestion = None
        shown.append({"plan": plan, "history": _quota_history(plan, own, patient.timezone),
                      "recent": list(reversed(recent)), "suggestion": suggestion,
                      "rule": {"percent": DEFAULT_INCREASE_PERCENT
                               if plan.increase_percent is None else plan.increase_percent,
                               "every": plan.increase_every_days
                               or DEFAULT_INCREASE_EVERY_DAYS,
                               "met": MET_DAYS_NEEDED, "window": WINDOW_DAYS}})
    return shown


def _quota_history(plan: PacingPlan, sessions: list[PacingSession],
                   timezone: str) -> list[dict[str, Any]]:
    """The quotas the plan's sessions were planned at, one row per unbroken run (the
    server keeps no other history of a plan's quota), then the quota now if it differs."""
    runs: list[dict[str, Any]] = []
    for done in sessions:
        if done.kind != "quota" or done.planned is None:
            continue
        day = local_day(done.started_at, timezone)  # type: ignore[arg-type]
        if runs and runs[-1]["quota"] == done.planned:
            runs[-1]["to"] = day
            runs[-1]["sessions"] += 1
        else:
            runs.append({"quota": done.planned, "from": day, "to": day, "sessions": 1})
    if plan.quota is not None and (not runs or runs[-1]["quota"] != plan.quota):
        runs.append({"quota": plan.quota, "from": None, "to": None, "sessions": 0})
    return runs


# -- My plan -------------------------------------------------------------------------------


@dataclass
class Plan:
    values: list[Value] = field(default_factory=list)
    goals: list[Goal] = field(default_factory=list)
    plans: list[PacingPlan] = field(default_factory=list)
    treatments: list[Treatment] = field(default_factory=list)
    routines: list[Routine] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    flare_plan: FlarePlan | None = None
    scores: list[dict[str, Any]] = field(default_factory=list)
    tests: list[PerformanceTest] = field(default_factory=list)
    notes: list[CareNote] = field(default_factory=list)


def my_plan(session: Session, *, patient: User) -> Plan:
    """The patient's plan as their app's My plan shows it, section by section."""
    pid = patient.id

    def live(table: Any) -> Any:
        return select(table).where(table.patient_id == pid, table.deleted == False)  # noqa: E712

    plan = Plan()
    plan.values = list(session.exec(live(Value).order_by(
        col(Value.importance).desc().nulls_last(), col(Value.title))).all())
    plan.goals = list(session.exec(live(Goal).order_by(col(Goal.created_at))).all())
    plan.plans = list(session.exec(live(PacingPlan).order_by(
        col(PacingPlan.active).desc(), col(PacingPlan.created_at))).all())
    plan.treatments = list(session.exec(live(Treatment).order_by(col(Treatment.created_at))).all())
    plan.routines = list(session.exec(live(Routine).order_by(col(Routine.created_at))).all())
    plan.decisions = list(session.exec(live(Decision).order_by(
        col(Decision.decided_on).desc().nulls_last(), col(Decision.created_at).desc())).all())
    plan.flare_plan = session.exec(live(FlarePlan).order_by(
        col(FlarePlan.updated_at).desc())).first()
    latest: dict[str, OutcomeResponse] = {}
    for response in session.exec(live(OutcomeResponse).where(
            col(OutcomeResponse.local_date).is_not(None))
            .order_by(col(OutcomeResponse.local_date), col(OutcomeResponse.version))).all():
        latest[response.instrument or ""] = response
    plan.scores = [{"name": name, "score": latest[key].score, "date": latest[key].local_date}
                   for key, name in INSTRUMENTS.items() if key in latest]
    tests: dict[str, PerformanceTest] = {}
    for test in session.exec(live(PerformanceTest).order_by(
            col(PerformanceTest.local_date), col(PerformanceTest.version))).all():
        tests[f"{test.kind}:{test.label or ''}"] = test
    plan.tests = list(tests.values())
    plan.notes = list(session.exec(live(CareNote).order_by(col(CareNote.created_at).desc())).all())
    return plan
