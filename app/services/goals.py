"""Goal progress and Goal Attainment Scaling (design §5): steps done, amount against target,
ability over time, when to review, and the GAS T-score.

GAS: Kiresuk TJ, Sherman RE. Goal attainment scaling: a general method for evaluating
comprehensive community mental health programs. Community Ment Health J 1968;4(6):443-53;
in rehabilitation, Turner-Stokes L. Clin Rehabil 2009;23(4):362-70. Each goal is rated −2 …
+2 (0 = the expected outcome) with a weight (default 1), and
T = 50 + 10·Σwᵢxᵢ / √((1−ρ)Σwᵢ² + ρ(Σwᵢ)²), ρ = 0.3, so T = 50 when every goal lands
where expected. With no rated goal, or every weight 0, nothing is being measured and the
T-score is None (not an error: a progress page must still show).

`app/static/js/rules/goals.js` is the phone's copy; both are checked against
`tests/vectors/gas.json`, `goal_progress.json` and `goal_problems.json`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from app.services.outcomes import activity_key
from app.services.pacing import as_date, field, local_day
from app.services.scoring import round2, shown, whole_number

GAS_RHO = 0.3
ACTIVE = "active"


def gas_t_score(goals: Iterable[Any]) -> float | None:
    """Return the GAS T-score of goals rated {level, weight}; None when nothing is rated."""
    levels_weights = []
    for index, goal in enumerate(goals):
        level = field(goal, "level")
        if level is None:
            continue  # a goal not rated yet does not count
        level = whole_number(level, name=f"goals[{index}].gas_level", low=-2, high=2)
        weight = field(goal, "weight")
        weight = 1 if weight is None else weight
        if (isinstance(weight, bool) or not isinstance(weight, int | float)
                or not math.isfinite(weight) or not 0 <= weight <= 100):
            raise ValueError(f"goals[{index}].gas_weight {shown(weight)} is outside 0–100")
        levels_weights.append((level, weight))
    total = sum(weight for _, weight in levels_weights)
    if not levels_weights or total == 0:
        return None
    weighted = sum(weight * level for level, weight in levels_weights)
    squares = sum(weight * weight for _, weight in levels_weights)
    spread = math.sqrt((1 - GAS_RHO) * squares + GAS_RHO * total * total)
    return round2(50 + 10 * weighted / spread)


def goal_progress(*, goal: Any, checkins: Iterable[Any], today: date | str,
                  timezone: str = "UTC") -> dict[str, Any]:
    """Return a goal's progress: steps done, amount against target, ability, review due.

    Check-ins are read in date order; two on the same day are taken in the order given (the
    later one is the latest). A step counts as done when it is ticked or a check-in names it.
    Only an active goal is due for review, `review_every_days` after its latest check-in or,
    before any, after the day it was created.
    """
    today = as_date(today)
    ordered = sorted(checkins, key=lambda checkin: as_date(field(checkin, "local_date")))
    steps = field(goal, "steps") or []
    ticked = {activity_key(name) for name in (field(c, "step_done") for c in ordered) if name}
    steps_done = sum(1 for step in steps
                     if field(step, "done") is True or activity_key(field(step, "title") or "")
                     in ticked)
    latest_day = as_date(field(ordered[-1], "local_date")) if ordered else None
    created = field(goal, "created_at")
    known = [day for day in (latest_day, local_day(created, timezone) if created else None)
             if day is not None]
    since = max(known) if known else None
    every = field(goal, "review_every_days")
    due_on = since + timedelta(days=every) if since is not None and every else None
    status = field(goal, "status") or ACTIVE
    return {
        "steps_done": steps_done,
        "steps_total": len(steps),
        "amount": _amount(goal, _latest(ordered, "amount")),
        "ability": _ability(goal, _latest(ordered, "ability")),
        "gas_level": _latest(ordered, "gas_level"),
        "last_checkin": latest_day.isoformat() if latest_day else None,
        "review_due_on": due_on.isoformat() if due_on else None,
        "review_due": bool(due_on is not None and status == ACTIVE and today >= due_on),
    }


def _latest(checkins: list[Any], name: str) -> Any:
    return next((value for value in (field(c, name) for c in reversed(checkins))
                 if value is not None), None)


def _amount(goal: Any, latest: float | None) -> dict[str, Any] | None:
    """Amount against target from the baseline, 0–100 %, for rising and falling goals."""
    baseline, target = field(goal, "baseline"), field(goal, "target")
    if baseline is None or target is None:
        return None
    shape: dict[str, Any] = {"baseline": baseline, "target": target, "latest": latest,
                             "percent": None, "reached": False, "problem": None}
    if target == baseline:
        shape["problem"] = target_problem(baseline)
        return shape
    if latest is not None:
        percent = (latest - baseline) / (target - baseline) * 100
        shape["percent"] = round2(min(100, max(0, percent)))
        shape["reached"] = percent >= 100
    return shape


def _ability(goal: Any, latest: int | None) -> dict[str, Any] | None:
    baseline = field(goal, "ability_baseline")
    if baseline is None and latest is None:
        return None
    change = latest - baseline if baseline is not None and latest is not None else None
    return {"baseline": baseline, "latest": latest, "change": change}


def target_problem(baseline: float) -> str:
    return (f"The target is the same as the baseline ({shown(baseline)}): choose where you "
            "want to get to.")


def goal_problems(goal: Any, *, start: date | str) -> dict[str, str]:
    """Return what the plan builder must explain next to each field, by field; empty if none.

    `start` is the day the goal starts: today for a new goal, its first day for an edit.
    """
    start = as_date(start)
    problems: dict[str, str] = {}
    title = field(goal, "title")
    if not isinstance(title, str) or not title.strip():
        problems["title"] = "Give the goal a title: a task you want to be able to do."
    baseline, target = field(goal, "baseline"), field(goal, "target")
    if baseline is not None and target is not None and baseline == target:
        problems["target"] = target_problem(baseline)
    target_date = field(goal, "target_date")
    if target_date is not None and as_date(target_date) < start:
        problems["target_date"] = (f"The target date {as_date(target_date).isoformat()} is "
                                   f"before the start, {start.isoformat()}.")
    for index, step in enumerate(field(goal, "steps") or []):
        step_title = field(step, "title")
        if not isinstance(step_title, str) or not step_title.strip():
            problems[f"steps[{index}].title"] = f"Give step {index + 1} a title."
        due = field(step, "due_date")
        if due is not None and as_date(due) < start:
            problems[f"steps[{index}].due_date"] = (
                f"Step {index + 1} is due on {as_date(due).isoformat()}, before the start, "
                f"{start.isoformat()}.")
    levels = field(goal, "gas_levels")
    if levels is not None and (len(levels) != 5 or not all(
            isinstance(text, str) and text.strip() for text in levels)):
        problems["gas_levels"] = "Goal Attainment Scaling needs all five levels, −2 to +2."
    return problems
