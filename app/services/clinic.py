"""The clinician's patient list with triage signals (design §1, §5, §7 "Pages", §8).

Every signal is computed for all of the clinician's actively linked patients at once, in a
fixed number of SQL statements (grouped, windowed and correlated aggregates), so the list
costs the same number of queries for 5 patients as for 2 000. Reading the list writes no
audit event: it shows that a patient shared, not what they logged (design §7).

Signals, each for the patient's own calendar (their timezone):
- days since the last check-in (latest diary `local_date`) and since the last sync (latest
  `sync_client.last_seen_at`);
- flare days in the last 14 days: days touched by a flare episode (flare mode) or a diary
  entry marked as a flare, counted once each (the rule of `pacing.flare_days`);
- function trend: the latest PSFS against the one before, labelled with its minimal
  detectable change (`outcomes.psfs_change`: 2 points of the mean is a real change);
- PEG change: the latest PEG score against the first (the baseline), in percent; 30 % or
  more either way is a meaningful change (lower is better);
- pacing adherence over 14 days: of the days an active pacing plan existed in the window,
  the share with at least one quota session that reached its planned amount;
- PHQ-2 / GAD-2 flag: the latest score is `SCREEN_THRESHOLD` (3) or more;
- goals due for review: active goals whose `review_every_days` have passed since their
  latest check-in (or since they were created), the rule of `goals.goal_progress`.

"Needs attention" (the default order and the `needs_attention` filter) means any of:
a PHQ-2/GAD-2 flag, a real worsening of PSFS, a PEG 30 % worse, no check-in for
`QUIET_DAYS` days or more (or never), `FLARE_DAYS_ALERT` flare days or more in 14 days,
or pacing adherence below `LOW_ADHERENCE` with a plan in place. The reasons are listed.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, col, select

from app.errors import Invalid
from app.models import (
    CareLink,
    DiaryEntry,
    Flare,
    Goal,
    GoalCheckin,
    OutcomeResponse,
    PacingPlan,
    PacingSession,
    SyncClient,
    User,
    utcnow,
)
from app.services.outcomes import NOT_COMPARABLE, WORSE, psfs_change
from app.services.pacing import flare_days, local_day
from app.services.scoring import SCREEN_THRESHOLD

WINDOW_DAYS = 14
QUIET_DAYS = 7
FLARE_DAYS_ALERT = 3
LOW_ADHERENCE = 0.5
PEG_MEANINGFUL = 0.30
SCREENS = ("phq2", "gad2")

# sort key -> (label); "-key" sorts descending. The default puts who needs attention first.
SORTS = ("attention", "name", "last_checkin", "last_sync", "flares", "function", "peg",
         "adherence", "screen", "goals_due")
FLAGS = ("needs_attention", "screen", "flares", "quiet", "goals_due", "function_worse",
         "peg_worse", "low_adherence")
DEFAULT_SORT = "attention"


@dataclass
class PatientRow:
    """One line of the list: a patient and their triage signals."""

    id: uuid.UUID
    name: str
    today: date
    last_checkin: date | None = None
    days_since_checkin: int | None = None
    last_sync: datetime | None = None
    days_since_sync: int | None = None
    flare_days: int = 0
    psfs_latest: float | None = None
    psfs_previous: float | None = None
    psfs_change: float | None = None
    psfs_label: str | None = None
    peg_first: float | None = None
    peg_latest: float | None = None
    peg_change_percent: float | None = None
    peg_label: str | None = None
    adherence: float | None = None
    adherence_days: tuple[int, int] | None = None  # (days met, days expected)
    screens: dict[str, float] = field(default_factory=dict)  # latest PHQ-2/GAD-2 scores
    screen_flags: list[str] = field(default_factory=list)
    goals_due: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.reasons)


def check_sort(sort: str) -> tuple[str, bool]:
    """Split `sort` into its key and whether it is descending; refuse an unknown key."""
    descending = sort.startswith("-")
    key = sort[1:] if descending else sort
    if key not in SORTS:
        raise Invalid(f"sort {sort!r} is not one of {', '.join(SORTS)} (prefix - to reverse)")
    return key, descending


def check_flag(flag: str | None) -> str | None:
    if flag in (None, ""):
        return None
    if flag not in FLAGS:
        raise Invalid(f"flag {flag!r} is not one of {', '.join(FLAGS)}")
    return flag


def patient_list(session: Session, *, clinician_id: uuid.UUID, q: str = "",
                 sort: str = DEFAULT_SORT, flag: str | None = None,
                 now: datetime | None = None) -> list[PatientRow]:
    """The clinician's actively linked patients with their signals, filtered and sorted."""
    key, descending = check_sort(sort)
    flag = check_flag(flag)
    now = now or utcnow()
    rows = _signals(session, clinician_id=clinician_id, q=q.strip(), now=now)
    if flag:
        rows = [row for row in rows if _has_flag(row, flag)]
    return _sorted(rows, key, descending)


def _linked(clinician_id: uuid.UUID) -> Any:
    """The ids of the clinician's actively linked patients, as a subquery."""
    return (select(CareLink.patient_id)
            .where(CareLink.clinician_id == clinician_id, CareLink.status == "active")
            .scalar_subquery())


def _signals(session: Session, *, clinician_id: uuid.UUID, q: str,
             now: datetime) -> list[PatientRow]:
    linked = _linked(clinician_id)
    oldest = now - timedelta(days=WINDOW_DAYS + 2)  # timezones reach a day either way
    oldest_day = oldest.date()

    # 1. The patients, with per-patient aggregates as correlated subqueries.
    last_checkin = (select(sa.func.max(DiaryEntry.local_date))
                    .where(DiaryEntry.patient_id == User.id, DiaryEntry.deleted == sa.false())
                    .scalar_subquery())
    last_sync = (select(sa.func.max(SyncClient.last_seen_at))
                 .where(SyncClient.patient_id == User.id).scalar_subquery())
    people = sa.select(col(User.id), col(User.name), col(User.timezone),
                       last_checkin.label("last_checkin"),
                       last_sync.label("last_sync")).where(col(User.id).in_(linked))
    if q:
        people = people.where(sa.func.lower(User.name).contains(q.lower(), autoescape=True))
    found: dict[uuid.UUID, PatientRow] = {}
    zones: dict[uuid.UUID, str] = {}
    for pid, name, zone, checkin, synced in session.execute(people).all():
        zones[pid] = zone
        today = now.astimezone(_zone(zone)).date()
        row = PatientRow(id=pid, name=name, today=today, last_checkin=checkin,
                         last_sync=_aware(synced))
        if checkin is not None:
            row.days_since_checkin = (today - checkin).days
        if row.last_sync is not None:
            row.days_since_sync = (today - local_day(row.last_sync, zone)).days
        found[pid] = row
    if not found:
        return []
    ids = list(found)
    chosen = col(User.id).in_(ids) if q else None

    def mine(column: Any) -> Any:
        return column.in_(ids) if chosen is not None else column.in_(_linked(clinician_id))

    # 2-3. Flare days: diary entries marked as flares, and flare episodes, near the window.
    diary_flares: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for pid, day in session.execute(
        sa.select(col(DiaryEntry.patient_id), col(DiaryEntry.local_date)).distinct().where(
            mine(col(DiaryEntry.patient_id)), col(DiaryEntry.deleted) == sa.false(),
            col(DiaryEntry.flare) == sa.true(), col(DiaryEntry.local_date) >= oldest_day)
    ).all():
        diary_flares[pid].append({"flare": True, "local_date": day})
    episodes: dict[uuid.UUID, list[dict[str, Any]]] = defaultdict(list)
    for pid, started, ended in session.exec(
        select(Flare.patient_id, Flare.started_at, Flare.ended_at).where(
            mine(col(Flare.patient_id)), Flare.deleted == sa.false(),
            col(Flare.started_at).is_not(None),
            sa.or_(col(Flare.ended_at).is_(None), col(Flare.ended_at) >= oldest))
    ).all():
        episodes[pid].append({"started_at": started, "ended_at": ended})
    for pid, row in found.items():
        days, _ = flare_days(flares=episodes[pid], diary=diary_flares[pid], today=row.today,
                             timezone=zones[pid])
        first = row.today - timedelta(days=WINDOW_DAYS - 1)
        row.flare_days = sum(1 for day in days if first <= day <= row.today)

    # 4. Questionnaires: the latest two of each instrument, and the first PEG.
    _outcomes(session, found, mine)
    # 5-6. Pacing adherence.
    _adherence(session, found, zones, mine, oldest)
    # 7. Goals due for review.
    _goals_due(session, found, zones, mine)
    for row in found.values():
        row.reasons = _reasons(row)
    return list(found.values())


def _outcomes(session: Session, found: dict[uuid.UUID, PatientRow], mine: Any) -> None:
    newest = sa.func.row_number().over(
        partition_by=(col(OutcomeResponse.patient_id), col(OutcomeResponse.instrument)),
        order_by=(col(OutcomeResponse.local_date).desc(), col(OutcomeResponse.version).desc()))
    oldest = sa.func.row_number().over(
        partition_by=(col(OutcomeResponse.patient_id), col(OutcomeResponse.instrument)),
        order_by=(col(OutcomeResponse.local_date).asc(), col(OutcomeResponse.version).asc()))
    ranked = (sa.select(col(OutcomeResponse.patient_id), col(OutcomeResponse.instrument),
                        col(OutcomeResponse.answers), col(OutcomeResponse.score),
                     newest.label("newest"), oldest.label("oldest"))
              .where(mine(col(OutcomeResponse.patient_id)),
                     col(OutcomeResponse.deleted) == sa.false(),
                     col(OutcomeResponse.instrument).in_(("psfs", "peg", *SCREENS)),
                     col(OutcomeResponse.local_date).is_not(None))
              .subquery())
    latest: dict[tuple[uuid.UUID, str], dict[int, tuple[Any, float | None]]] = defaultdict(dict)
    first_peg: dict[uuid.UUID, float | None] = {}
    for pid, instrument, answers, score, rank_new, rank_old in session.execute(
        sa.select(ranked).where(sa.or_(ranked.c.newest <= 2, sa.and_(
            ranked.c.instrument == "peg", ranked.c.oldest == 1)))
    ).all():
        if rank_new <= 2:
            latest[(pid, instrument)][rank_new] = (answers, score)
        if instrument == "peg" and rank_old == 1:
            first_peg[pid] = score
    for (pid, instrument), ranks in latest.items():
        row = found.get(pid)
        if row is None:  # linked after the list was read
            continue
        answers, score = ranks[1]
        if instrument in SCREENS:
            if score is not None:
                row.screens[instrument] = score
                if score >= SCREEN_THRESHOLD:
                    row.screen_flags.append(instrument)
        elif instrument == "psfs":
            row.psfs_latest = score
            if 2 in ranks:
                row.psfs_previous = ranks[2][1]
                try:
                    change = psfs_change(before=ranks[2][0] or {}, after=answers or {})
                except ValueError:
                    change = {"label": NOT_COMPARABLE, "mean_change": None}
                row.psfs_label, row.psfs_change = change["label"], change["mean_change"]
        elif instrument == "peg":
            row.peg_latest = score
            row.peg_first = first_peg.get(pid)
            if 2 in ranks and row.peg_first and score is not None:
                row.peg_change_percent = round((score - row.peg_first) / row.peg_first * 100)
                if row.peg_change_percent <= -PEG_MEANINGFUL * 100:
                    row.peg_label = "better"
                elif row.peg_change_percent >= PEG_MEANINGFUL * 100:
                    row.peg_label = "worse"
                else:
                    row.peg_label = "no meaningful change"
    for row in found.values():
        row.screen_flags.sort()


def _adherence(session: Session, found: dict[uuid.UUID, PatientRow], zones: dict[uuid.UUID, str],
               mine: Any, oldest: datetime) -> None:
    plan_start: dict[uuid.UUID, datetime] = {}
    for pid, started in session.execute(
        sa.select(col(PacingPlan.patient_id), sa.func.min(col(PacingPlan.created_at))).where(
            mine(col(PacingPlan.patient_id)), col(PacingPlan.deleted) == sa.false(),
            sa.or_(col(PacingPlan.active).is_(None), col(PacingPlan.active) == sa.true()))
        .group_by(col(PacingPlan.patient_id))
    ).all():
        plan_start[pid] = _aware(started)  # type: ignore[assignment]
    if not plan_start:
        return
    met: dict[uuid.UUID, set[date]] = defaultdict(set)
    for pid, started in session.execute(
        sa.select(col(PacingSession.patient_id), col(PacingSession.started_at)).distinct().where(
            mine(col(PacingSession.patient_id)), col(PacingSession.deleted) == sa.false(),
            col(PacingSession.kind) == "quota", col(PacingSession.started_at) >= oldest,
            col(PacingSession.planned).is_not(None), col(PacingSession.achieved).is_not(None),
            col(PacingSession.achieved) >= col(PacingSession.planned))
    ).all():
        if started is not None and pid in found:
            met[pid].add(local_day(_aware(started), zones[pid]))  # type: ignore[arg-type]
    for pid, started in plan_start.items():
        row = found.get(pid)
        if row is None:
            continue
        first = max(row.today - timedelta(days=WINDOW_DAYS - 1),
                    local_day(started, zones[pid]))
        expected = (row.today - first).days + 1
        if expected <= 0:
            continue
        done = sum(1 for day in met[pid] if first <= day <= row.today)
        row.adherence_days = (done, expected)
        row.adherence = done / expected


def _goals_due(session: Session, found: dict[uuid.UUID, PatientRow], zones: dict[uuid.UUID, str],
               mine: Any) -> None:
    checked = (sa.select(col(GoalCheckin.goal_id),
                         sa.func.max(col(GoalCheckin.local_date)).label("last"))
               .where(mine(col(GoalCheckin.patient_id)), col(GoalCheckin.deleted) == sa.false())
               .group_by(col(GoalCheckin.goal_id)).subquery())
    for pid, every, created, last in session.execute(
        sa.select(col(Goal.patient_id), col(Goal.review_every_days), col(Goal.created_at),
                  checked.c.last)
        .outerjoin(checked, checked.c.goal_id == col(Goal.id))
        .where(mine(col(Goal.patient_id)), col(Goal.deleted) == sa.false(),
               col(Goal.review_every_days) > 0,
               sa.or_(col(Goal.status).is_(None), col(Goal.status) == "active"))
    ).all():
        row = found.get(pid)
        if row is None:
            continue
        since = local_day(_aware(created), zones[pid])  # type: ignore[arg-type]
        if last is not None:
            since = max(since, last)
        if row.today >= since + timedelta(days=every):
            row.goals_due += 1


def _reasons(row: PatientRow) -> list[str]:
    reasons = []
    if row.screen_flags:
        reasons.append(" and ".join(_SCREEN_NAMES[s] for s in row.screen_flags) + " 3 or more")
    if row.psfs_label == WORSE:
        reasons.append("function (PSFS) worse")
    if row.peg_label == "worse":
        reasons.append("PEG 30 % or more worse")
    if row.days_since_checkin is None:
        reasons.append("no check-in yet")
    elif row.days_since_checkin >= QUIET_DAYS:
        reasons.append(f"no check-in for {row.days_since_checkin} days")
    if row.flare_days >= FLARE_DAYS_ALERT:
        reasons.append(f"{row.flare_days} flare days in {WINDOW_DAYS} days")
    if row.adherence is not None and row.adherence < LOW_ADHERENCE:
        reasons.append("pacing adherence below 50 %")
    return reasons


_SCREEN_NAMES = {"phq2": "PHQ-2", "gad2": "GAD-2"}


def _has_flag(row: PatientRow, flag: str) -> bool:
    return {
        "needs_attention": row.needs_attention,
        "screen": bool(row.screen_flags),
        "flares": row.flare_days > 0,
        "quiet": row.days_since_checkin is None or row.days_since_checkin >= QUIET_DAYS,
        "goals_due": row.goals_due > 0,
        "function_worse": row.psfs_label == WORSE,
        "peg_worse": row.peg_label == "worse",
        "low_adherence": row.adherence is not None and row.adherence < LOW_ADHERENCE,
    }[flag]


_FAR = 10 ** 6


def _sort_value(row: PatientRow, key: str) -> Any:
    """The value a column sorts by, ascending; missing values go last either way."""
    return {
        "attention": -len(row.reasons),
        "name": row.name.casefold(),
        "last_checkin": row.days_since_checkin,
        "last_sync": row.days_since_sync,
        "flares": row.flare_days,
        "function": row.psfs_change,
        "peg": row.peg_change_percent,
        "adherence": row.adherence,
        "screen": max(row.screens.values()) if row.screens else None,
        "goals_due": row.goals_due,
    }[key]


def _sorted(rows: list[PatientRow], key: str, descending: bool) -> list[PatientRow]:
    by_name = sorted(rows, key=lambda row: (row.name.casefold(), str(row.id)))
    present = [row for row in by_name if _sort_value(row, key) is not None]
    missing = [row for row in by_name if _sort_value(row, key) is None]
    present.sort(key=lambda row: _sort_value(row, key), reverse=descending)
    return present + missing


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
