"""Quota-based pacing (design §5): the baseline from tolerance trials and the quota suggestion.

Pacing here is time-contingent, as in Fordyce's operant approach (Fordyce WE. Behavioral
Methods for Chronic Pain and Illness, 1976) and the quota-based pacing of Nielson WR et al.
(Clin J Pain 2013;29(5):461-8): the patient does the quota on good days and bad alike and
stops at the quota, not at the pain. The numbers are design §5's:

- **Baseline**: the mean of at least three tolerance trials (`kind = "trial"`) on separate
  local days, × 0.8, rounded down to a whole unit (minutes, repetitions; metres to the 10
  below). Several trials on one day count as one day, with *the day's mean*: the rule asks
  for separate days so that the baseline reflects how days differ, and averaging keeps a
  second, tired attempt from replacing the first. The first quota is the baseline.
- **Advance** by `increase_percent` (default 10) when at least `increase_every_days`
  (default 7) have passed since the quota last changed and at least 5 of the 7 days before
  today met the quota — that is, a day with `sessions_per_day` quota sessions (default 1)
  that each reached it — and none of the last 7 days had a flare. The raise is rounded down
  to a whole unit but is at least one unit (1 minute or repetition, 10 metres), so a small
  quota still grows; an `increase_percent` of 0 means the plan never rises by itself.
- **Hold** otherwise, saying why in plain words.
- **Step back** during a flare to the *last comfortable level*: the highest quota below the
  one in force when the flare began (`planned` of the quota sessions before it) that the
  patient reached on at least 5 days of some 7-day stretch before the flare; failing that
  the baseline; and never below the baseline. With neither known, 80 % of the quota rounded
  down, as the baseline rule would. A level at or above the current quota is a hold, so a
  flare never raises the quota, and judging from the quota before the flare keeps a long
  flare from stepping back again every day. Once the flare is over the quota climbs again
  by the normal step, and only after a week without a flare.
- **Flares** come from flare-mode episodes (`started_at`, `ended_at`; on today while
  `ended_at` is empty or on a later day) and diary entries with `flare` set. An episode
  that ended within an hour of starting is soreness that settled, which design §5 says is
  expected and is not a flare, so it is ignored.

The app suggests; the patient or clinician accepts: nothing here changes a plan.

Inputs are wire records (mappings or objects with the same attribute names). Moments are
turned into the patient's local days with `timezone`. `app/static/js/rules/pacing.js` is
the phone's copy; both are checked against `tests/vectors/pacing_*.json`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.services.scoring import round2, shown

UNIT_STEPS = {"minutes": 1, "repetitions": 1, "metres": 10}
BASELINE_SHARE = 0.8
TRIAL_DAYS_NEEDED = 3
WINDOW_DAYS = 7
MET_DAYS_NEEDED = 5
SETTLES_WITHIN_MINUTES = 60
DEFAULT_INCREASE_PERCENT = 10
DEFAULT_INCREASE_EVERY_DAYS = 7
_SLACK = 1e-9  # forgives binary noise such as 20 * 1.15 = 22.999999999999996


def field(record: Any, name: str) -> Any:
    """A field of a wire record given as a mapping or as an object with attributes."""
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


def as_date(value: date | str) -> date:
    """A calendar day from a date or YYYY-MM-DD text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def as_moment(value: datetime | str) -> datetime:
    """A moment from a datetime or ISO 8601 text; one without a zone is taken as UTC."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def local_day(moment: datetime | str, timezone: str = "UTC") -> date:
    """The patient's calendar day of a moment."""
    return as_moment(moment).astimezone(ZoneInfo(timezone)).date()


def round_down(amount: float, unit: str) -> int:
    """Round down to a whole unit: a minute, a repetition, or 10 metres."""
    step = unit_step(unit)
    return math.floor(amount / step + _SLACK) * step


def unit_step(unit: str) -> int:
    """The smallest change of a quota in `unit`; raise ValueError for an unknown unit."""
    if unit not in UNIT_STEPS:
        raise ValueError(f"unit {shown(unit)} is not one of minutes, repetitions, metres")
    return UNIT_STEPS[unit]


def amount_text(amount: float, unit: str) -> str:
    """'9 minutes', '1 repetition', '12.5 minutes', '250 metres'."""
    rounded = round2(amount)
    number = int(rounded) if rounded.is_integer() else rounded
    return f"{number} {unit[:-1] if number == 1 else unit}"


def pacing_baseline(*, sessions: Iterable[Any], unit: str, timezone: str = "UTC"
                    ) -> dict[str, Any]:
    """Return the baseline and first quota from tolerance trials, or None with the reason."""
    unit_step(unit)
    by_day: dict[date, list[float]] = defaultdict(list)
    for session in sessions:
        achieved = field(session, "achieved")
        if (field(session, "kind") != "trial" or achieved is None
                or field(session, "unit") not in (None, unit)):
            continue
        by_day[local_day(field(session, "started_at"), timezone)].append(achieved)
    days = len(by_day)
    if days < TRIAL_DAYS_NEEDED:
        reason = f"{days} of {TRIAL_DAYS_NEEDED} trials done"
        if sum(len(amounts) for amounts in by_day.values()) > days:
            reason += " (trials on the same day count once)"
        return {"baseline": None, "quota": None, "trial_days": days, "mean": None,
                "reason": reason}
    day_means = [sum(by_day[day]) / len(by_day[day]) for day in sorted(by_day)]
    mean = sum(day_means) / days
    baseline = first_quota(day_means, unit)
    if baseline <= 0:
        return {"baseline": None, "quota": None, "trial_days": days, "mean": round2(mean),
                "reason": f"Your trials averaged {amount_text(mean, unit)}: too little to set "
                          "a quota from. Talk it through with your clinician."}
    return {
        "baseline": baseline,
        "quota": baseline,
        "trial_days": days,
        "mean": round2(mean),
        "reason": f"You managed {amount_text(mean, unit)} on average over {days} days. Your "
                  f"starting quota is 80% of that, rounded down: {amount_text(baseline, unit)}.",
    }


def flare_days(*, flares: Iterable[Any], diary: Iterable[Any], today: date | str,
               timezone: str = "UTC") -> tuple[set[date], bool]:
    """Return the local days touched by a flare up to today, and whether one is on now."""
    today = as_date(today)
    days: set[date] = set()
    now = False
    for flare in flares:
        started, ended = field(flare, "started_at"), field(flare, "ended_at")
        if started is None:
            continue
        first = local_day(started, timezone)
        if ended is None:
            last = today
            now = now or first <= today
        else:
            lasted = (as_moment(ended) - as_moment(started)).total_seconds() / 60
            if lasted < SETTLES_WITHIN_MINUTES:
                continue
            ends = local_day(ended, timezone)
            last = min(ends, today)
            now = now or first <= today < ends
        day = first
        while day <= last:
            days.add(day)
            day += timedelta(days=1)
    for entry in diary:
        if field(entry, "flare") is True:
            day = as_date(field(entry, "local_date"))
            if day <= today:
                days.add(day)
                now = now or day == today
    return days, now


def suggest_quota(*, plan: Any, sessions: Iterable[Any], today: date | str,
                  flares: Iterable[Any] = (), diary: Iterable[Any] = (),
                  timezone: str = "UTC") -> dict[str, Any]:
    """Suggest the next quota: advance, hold or step back, with the reason in plain words."""
    quota, unit = field(plan, "quota"), field(plan, "unit") or "minutes"
    step = unit_step(unit)
    if field(plan, "active") is False:
        return _suggestion("none", quota, "This pacing plan is paused.", 0)
    if quota is None or quota <= 0:
        return _suggestion("none", None, "Do three tolerance trials on separate days to set "
                                         "your starting quota.", 0)
    today = as_date(today)
    flared, in_flare = flare_days(flares=flares, diary=diary, today=today, timezone=timezone)
    done = _quota_sessions(sessions, unit, timezone)
    per_day = field(plan, "sessions_per_day") or 1

    def met(day: date, level: float) -> bool:
        reached = sum(1 for _, _, achieved in done.get(day, ()) if achieved >= level - _SLACK)
        return day not in flared and reached >= per_day

    window = [today - timedelta(days=back) for back in range(1, WINDOW_DAYS + 1)]
    met_days = sum(met(day, quota) for day in window)
    now = amount_text(quota, unit)
    if in_flare:
        target = _comfortable_level(plan, done, flared, today, met, step)
        if quota <= target + _SLACK:
            return _suggestion("hold", quota, f"You are in a flare. Keep to {now}, on good days "
                               "and bad, until it settles. Then build up again step by step.",
                               met_days)
        return _suggestion("step_back", target, f"You are in a flare. Step back to "
                           f"{amount_text(target, unit)}, your last comfortable level, until it "
                           "settles. Then build up again step by step.", met_days)
    percent = field(plan, "increase_percent")
    percent = DEFAULT_INCREASE_PERCENT if percent is None else percent
    every = field(plan, "increase_every_days") or DEFAULT_INCREASE_EVERY_DAYS
    if percent <= 0:
        return _suggestion("hold", quota, f"Your plan has no increase set, so your quota stays "
                           f"at {now}.", met_days)
    if any(today - timedelta(days=WINDOW_DAYS) <= day <= today for day in flared):
        return _suggestion("hold", quota, f"You had a flare in the last {WINDOW_DAYS} days. "
                           f"Keep to {now} until you have had {WINDOW_DAYS} days without one.",
                           met_days)
    since = field(plan, "quota_since")
    since = as_date(since) if since is not None else _quota_since(done, quota)
    days_since = (today - since).days if since is not None else 0
    if days_since < every:
        started = "is new" if days_since <= 0 else (
            f"started {days_since} day{'s' if days_since > 1 else ''} ago")
        return _suggestion("hold", quota, f"Your quota of {now} {started}. It can rise after "
                           f"{every} days.", met_days)
    if met_days < MET_DAYS_NEEDED:
        return _suggestion("hold", quota, f"You met your quota of {now} on {met_days} of the "
                           f"last {WINDOW_DAYS} days. It can rise once you meet it on "
                           f"{MET_DAYS_NEEDED} of {WINDOW_DAYS}.", met_days)
    raised = raised_quota(quota, unit, percent)
    return _suggestion("advance", raised, f"You met your quota of {now} on {met_days} of the "
                       f"last {WINDOW_DAYS} days without a flare. You could step up to "
                       f"{amount_text(raised, unit)}.", met_days)


def raised_quota(quota: float, unit: str, percent: float = DEFAULT_INCREASE_PERCENT) -> int:
    """The next step up: `percent` more, rounded down to a whole unit, and at least one unit."""
    return max(round_down(quota * (100 + percent) / 100, unit),
               round_down(quota, unit) + unit_step(unit))


def first_quota(trial_amounts: Iterable[float], unit: str) -> int:
    """The baseline from one tolerance trial a day: their mean × 0.8, rounded down."""
    amounts = list(trial_amounts)
    return round_down(sum(amounts) / len(amounts) * BASELINE_SHARE, unit)


def _suggestion(action: str, quota: float | None, reason: str, met_days: int) -> dict[str, Any]:
    return {"action": action, "quota": quota, "reason": reason, "met_days": met_days}


# A quota session as the rules read it: when it started, the quota it was planned at (or
# None), and what was achieved.
_Done = tuple[datetime, float | None, float]


def _quota_sessions(sessions: Iterable[Any], unit: str, timezone: str
                    ) -> dict[date, list[_Done]]:
    done: dict[date, list[_Done]] = defaultdict(list)
    for session in sessions:
        achieved, started = field(session, "achieved"), field(session, "started_at")
        if (field(session, "kind") != "quota" or achieved is None or started is None
                or field(session, "unit") not in (None, unit)):
            continue
        moment = as_moment(started)
        done[local_day(moment, timezone)].append((moment, field(session, "planned"), achieved))
    return done


def _quota_since(done: dict[date, list[_Done]], quota: float) -> date | None:
    """The first day of the latest unbroken run of sessions planned at `quota`; None when the
    latest planned session was at another quota (the quota is new). Sessions that do not say
    what was planned neither extend nor break the run."""
    planned = sorted((moment, level, day) for day, items in done.items()
                     for moment, level, _ in items if level is not None)
    since = None
    for _, level, day in reversed(planned):
        if abs(level - quota) > _SLACK:
            break
        since = day
    return since


def _comfortable_level(plan: Any, done: dict[date, list[_Done]], flared: set[date],
                       today: date, met: Callable[[date, float], bool],
                       step: int) -> float:
    """The quota to step back to in the flare that is on today (see the module docstring)."""
    start = today
    while start - timedelta(days=1) in flared:
        start -= timedelta(days=1)
    before = sorted((moment, level) for day, items in done.items() if day < start
                    for moment, level, _ in items if level is not None)
    previous = before[-1][1] if before else field(plan, "quota")
    baseline = field(plan, "baseline")
    days = sorted(day for day in done if day < start)
    for level in sorted({level for _, level in before if level < previous - _SLACK},
                        reverse=True):
        met_days = [day for day in days if met(day, level)]
        if any(sum(1 for other in met_days if 0 <= (other - day).days < WINDOW_DAYS)
               >= MET_DAYS_NEEDED for day in met_days):
            return level if baseline is None else max(level, baseline)
    if baseline is not None:
        return baseline
    unit = field(plan, "unit") or "minutes"
    return min(previous, max(step, round_down(previous * BASELINE_SHARE, unit)))
