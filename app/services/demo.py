"""Demo data (development only): a patient and their physiotherapist, and three months of
a believable recovery told through the same write path the app uses.

Sam Rivers wants to walk to the park with their grandchild and cook dinner standing up.
Three tolerance trials set a walking baseline, the quota rises week by week, a flare in
week six steps it back to the last comfortable level, and it climbs again. Function goes
up and interference down, with the noise of real days. Every record gets a per-patient
version, so a phone signing in as Sam pulls all of it.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from app.models import CareLink, PacingPlan, User, utcnow
from app.services import accounts, pacing
from app.services.records import Actor, Mutation, apply_mutations

PATIENT = ("patient", "sam@demo.pacewise.example", "sunny-walk-to-the-park-42", "Sam Rivers")
CLINICIAN = ("clinician", "jordan.lee@demo.pacewise.example", "physio-review-at-ten-17",
             "Dr Jordan Lee")
TIMEZONE = "Europe/London"
DAYS = 91  # thirteen weeks, the last one ending today
TRIAL_DAYS, TRIAL_MINUTES = (0, 2, 4), (12, 10, 13)
PLAN_DAY, QUOTA_FROM_DAY = 5, 7
FLARE_DAYS = range(37, 41)  # in week six (days 35–41)
OUTCOME_DAYS = (0, 30, 60, 90)
DayOf = Callable[[int], date]  # the calendar day of a day number


def credentials() -> list[tuple[str, str, str]]:
    """The demo sign-in details: role, email, password."""
    return [(role, email, password) for role, email, password, _ in (PATIENT, CLINICIAN)]


def load(session: Session, *, today: date | None = None) -> list[tuple[str, str, str]]:
    """Create the demo patient and clinician with three months of data, once."""
    if session.exec(select(User.id).where(User.email == PATIENT[1])).first() is not None:
        return credentials()
    zone = ZoneInfo(TIMEZONE)
    patient = accounts.create_user(session, role=PATIENT[0], email=PATIENT[1],
                                   password=PATIENT[2], name=PATIENT[3], timezone=TIMEZONE)
    clinician = session.exec(select(User).where(User.email == CLINICIAN[1])).first()
    if clinician is None:
        clinician = accounts.create_user(session, role=CLINICIAN[0], email=CLINICIAN[1],
                                         password=CLINICIAN[2], name=CLINICIAN[3])
    session.add(CareLink(patient_id=patient.id, clinician_id=clinician.id,
                         role="physiotherapist", status="active", expires_at=utcnow()))
    session.flush()
    today = today or datetime.now(zone).date()
    _Story(session, patient, clinician, start=today - timedelta(days=DAYS - 1), zone=zone).tell()
    return credentials()


class _Story:
    """Writes the three months day by day, each day's records in one batch."""

    def __init__(self, session: Session, patient: User, clinician: User, *, start: date,
                 zone: ZoneInfo) -> None:
        self.session, self.patient_id, self.start, self.zone = session, patient.id, start, zone
        self.me = Actor(user_id=patient.id, role="patient", name=patient.name)
        self.physio = Actor(user_id=clinician.id, role="clinician", name=clinician.name,
                            care_role="physiotherapist")
        self.rng = random.Random(20240611)  # noqa: S311 - reproducible demo data, not secrets
        self.pending: list[Mutation] = []
        self.quota = self.comfortable = 0
        self.quota_changed_on = QUOTA_FROM_DAY
        self.met: dict[int, bool] = {}
        self.plan = self.walk_goal = self.cook_goal = uuid.UUID(int=0)

    # -- plumbing ---------------------------------------------------------------------------

    def day(self, index: int) -> date:
        return self.start + timedelta(days=index)

    def at(self, index: int, hour: int, minute: int = 0) -> datetime:
        local = datetime.combine(self.day(index), time(hour, minute), tzinfo=self.zone)
        return local.astimezone(UTC)

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, entity: str, **fields: Any) -> uuid.UUID:
        record_id = self.new_id()
        self.pending.append(Mutation(entity, "upsert", record_id, fields))
        return record_id

    def flush(self, actor: Actor | None = None) -> None:
        results = apply_mutations(self.session, patient_id=self.patient_id,
                                  actor=actor or self.me, mutations=self.pending)
        refused = [(m.entity, r.detail) for m, r in zip(self.pending, results, strict=True)
                   if r.status != "applied"]
        if refused:
            raise RuntimeError(f"demo data was refused: {refused}")
        self.pending = []

    # -- the story ----------------------------------------------------------------------------

    def tell(self) -> None:
        self.plan_the_recovery()
        for index in range(DAYS):
            self.live(index)
            self.flush()
            if index in NOTES:
                kind, text = NOTES[index]
                self.add("care_note", kind=kind, text=text)
                self.flush(self.physio)

    def plan_the_recovery(self) -> None:
        family, home, friends = (self.add("value", **value) for value in VALUES)
        self.walk_goal = self.add("goal", **walk_goal(self.day, family, friends))
        self.cook_goal = self.add("goal", **cook_goal(self.day, home))
        self.add("flare_plan", **FLARE_PLAN, red_flags_reviewed_at=self.at(3, 19))
        for reminder in REMINDERS:
            self.add("reminder", **reminder)
        self.add("treatment", kind="physiotherapy", title="Physio with Dr Jordan Lee",
                 why="Graded walking and strength for my back and knee",
                 schedule="Every other Friday", started_on=self.day(0), helpfulness=7)
        self.add("routine", title="Screens off and wind down by 22:00", area="sleep",
                 done_dates=[self.day(i) for i in range(14, DAYS) if self.rng.random() < 0.8])
        self.flush()

    def live(self, index: int) -> None:
        flare = index in FLARE_DAYS
        if index in TRIAL_DAYS:
            self.trial(index)
        if index == PLAN_DAY:
            self.start_pacing_plan()
        if QUOTA_FROM_DAY <= index < DAYS - 1:
            self.pace(index, flare)
        if index == FLARE_DAYS[0]:
            self.add("flare", started_at=self.at(index, 7, 30),
                     ended_at=self.at(FLARE_DAYS[-1], 20), notes=FLARE_NOTE,
                     triggers=["Long car journey to my sister's", "Two nights of poor sleep"])
        if flare or self.rng.random() > 0.05:
            self.add("diary_entry", **self.diary(index, flare))
        if index > 0 and index % 7 == 0:
            self.check_in_on_goals(index)
        if index in OUTCOME_DAYS:
            self.answer_questionnaires(index)
        if index in REVIEWS:
            monday = self.day(index) - timedelta(days=self.day(index).weekday())
            self.add("weekly_review", week_start=monday, **REVIEWS[index])

    def trial(self, index: int) -> None:
        minutes = TRIAL_MINUTES[TRIAL_DAYS.index(index)]
        started = self.at(index, 10, self.rng.randrange(0, 30))
        self.add("pacing_session", kind="trial", activity="Walking", started_at=started,
                 ended_at=started + timedelta(minutes=minutes), achieved=minutes,
                 unit="minutes", pain_before=5, pain_after=6, effort=7,
                 stopped_because="pain", notes="Walked until my back said enough")

    def start_pacing_plan(self) -> None:
        self.quota = self.comfortable = pacing.first_quota(TRIAL_MINUTES, "minutes")
        self.plan = self.add("pacing_plan", activity="Walking", goal_id=self.walk_goal,
                             unit="minutes", baseline=self.quota, quota=self.quota,
                             rest_minutes=10, sessions_per_day=1)

    def pace(self, index: int, flare: bool) -> None:
        new_quota = self.next_quota(index, flare)
        if new_quota != self.quota:
            if not flare:
                self.comfortable = self.quota
            self.quota, self.quota_changed_on = new_quota, index
            self.accept_quota(new_quota)
        if self.rng.random() < 0.06 and not flare:
            self.met[index] = False  # a missed day
            return
        achieved, reason = self.quota, "quota_reached"
        if index == FLARE_DAYS[0]:
            achieved, reason = self.quota // 2, "pain"
        elif self.rng.random() < 0.08:
            achieved, reason = self.quota - self.rng.randint(1, 3), "interrupted"
        self.met[index] = achieved >= self.quota and not flare
        started = self.at(index, 10, self.rng.randrange(0, 45))
        self.add("pacing_session", plan_id=self.plan, kind="quota", activity="Walking",
                 started_at=started, ended_at=started + timedelta(minutes=achieved),
                 planned=self.quota, achieved=achieved, unit="minutes",
                 pain_before=self.rng.randint(3, 5) + 3 * flare,
                 pain_after=self.rng.randint(3, 6) + 3 * flare,
                 effort=self.rng.randint(4, 6), stopped_because=reason)

    def next_quota(self, index: int, flare: bool) -> int:
        """Design §5: down to the last comfortable level when a flare starts; up by 10 %
        once a week has passed and 5 of the last 7 days met the quota without a flare."""
        if flare:
            return min(self.quota, self.comfortable)
        week = range(index - 7, index)
        if index - self.quota_changed_on >= 7 and sum(self.met.get(d, False) for d in week) >= 5:
            return pacing.raised_quota(self.quota, "minutes")
        return self.quota

    def accept_quota(self, quota: int) -> None:
        self.flush()  # the plan's current version is the base of this edit
        plan = self.session.get(PacingPlan, self.plan)
        assert plan is not None
        self.pending.append(Mutation("pacing_plan", "upsert", self.plan, {"quota": quota},
                                     base_version=plan.version))

    def diary(self, index: int, flare: bool) -> dict[str, Any]:
        progress, noise = index / (DAYS - 1), self.rng.gauss
        bad = 1 if flare else 0
        return {
            "local_date": self.day(index),
            "pain": scale(6.2 - 1.6 * progress + 2.5 * bad + noise(0, 0.8)),
            "interference": scale(6.6 - 3.2 * progress + 3 * bad + noise(0, 0.9)),
            "function": scale(3.8 + 3.4 * progress - 2.5 * bad + noise(0, 0.8)),
            "mood": scale(4.6 + 2.0 * progress - 2 * bad + noise(0, 0.9)),
            "fatigue": scale(6.0 - 2.0 * progress + 2 * bad + noise(0, 0.9)),
            "sleep_hours": round(2 * (6.2 + 0.8 * progress - bad + noise(0, 0.5))) / 2,
            "sleep_quality": scale(4.2 + 2.2 * progress - 2 * bad + noise(0, 0.9)),
            "flare": flare,
            "body_areas": ["lower_back", "hip_right"] if flare else
            ["lower_back"] + (["knee_right"] if self.rng.random() < 0.3 else []),
            "activities": self.rng.sample(ACTIVITIES, self.rng.randint(1, 3)),
            "notes": FLARE_DIARY if flare else
            (self.rng.choice(DIARY_NOTES) if self.rng.random() < 0.15 else None),
        }

    def check_in_on_goals(self, index: int) -> None:
        week, dip = index // 7, 2 if index - 7 < FLARE_DAYS[0] <= index else 0
        self.add("goal_checkin", goal_id=self.walk_goal, local_date=self.day(index),
                 amount=self.quota, ability=min(10, 3 + week // 2 - dip),
                 gas_level=-2 if week < 4 else -1 if week < 10 else 0,
                 step_done=WALK_STEPS_DONE.get(week))
        self.add("goal_checkin", goal_id=self.cook_goal, local_date=self.day(index),
                 amount=min(19, 8 + week - 2 * dip), ability=min(10, 3 + week // 2 - dip),
                 step_done=COOK_STEPS_DONE.get(week))

    def answer_questionnaires(self, index: int) -> None:
        month = OUTCOME_DAYS.index(index)
        pain, enjoyment, activity = PEG[month]
        when = self.day(index)
        self.add("outcome_response", instrument="peg", local_date=when,
                 answers={"pain": pain, "enjoyment": enjoyment, "activity": activity})
        activities = [{"activity": name, "score": score}
                      for name, score in zip(PSFS_ACTIVITIES, PSFS[month], strict=True)]
        self.add("outcome_response", instrument="psfs", local_date=when,
                 answers={"activities": activities})
        if index == 0:
            self.add("outcome_response", instrument="phq2", local_date=when,
                     answers={"interest": 1, "mood": 1})
            self.add("outcome_response", instrument="gad2", local_date=when,
                     answers={"nervous": 1, "worry": 0})


def scale(value: float) -> int:
    return max(0, min(10, round(value)))


# -- what Sam wrote ----------------------------------------------------------------------------

VALUES = (
    {"title": "Family", "importance": 10,
     "description": "Being an active grandparent to Maya"},
    {"title": "Independence at home", "importance": 9,
     "description": "Cooking and looking after my own home"},
    {"title": "Staying connected", "importance": 7,
     "description": "Seeing friends at the Thursday choir"},
)


def _steps(day: DayOf, steps: list[tuple[str, int, int, bool]]) -> list[dict[str, Any]]:
    return [{"title": title, "target": target, "due_date": day(due), "done": done}
            for title, target, due, done in steps]


def walk_goal(day: DayOf, family: uuid.UUID, friends: uuid.UUID) -> dict[str, Any]:
    return {
        "title": "Walk to the park and back with my grandchild", "value_ids": [family, friends],
        "why": "Maya loves the swings and I want to be the one who takes her",
        "measure": "minutes walked without stopping", "unit": "minutes",
        "baseline": 10, "target": 30, "target_date": day(120), "ability_baseline": 3,
        "steps": _steps(day, [
            ("Walk 12 minutes on the flat", 12, 28, True),
            ("Walk 15 minutes, including the little hill", 15, 63, True),
            ("Walk to the corner shop and back", 20, 84, True),
            ("Walk to the park with Maya and rest on the bench", 30, 112, False),
        ]),
        "barriers": [
            {"barrier": "Bad days after poor sleep",
             "plan": "Walk the quota anyway, slowly, on the flat route"},
            {"barrier": "Rain", "plan": "Walk laps of the shopping centre instead"},
        ],
        "contingency": "On a bad day I walk my quota slowly on the flat and skip the hill",
        "review_every_days": 14,
        "gas_levels": [
            "Cannot get to the park at all",
            "Walk halfway (10 minutes) and back with rests",
            "Walk to the park and back with one rest on the bench",
            "Walk to the park and back without a rest",
            "Walk to the park, play 15 minutes, and walk back",
        ],
        "gas_weight": 1,
    }


def cook_goal(day: DayOf, home: uuid.UUID) -> dict[str, Any]:
    return {
        "title": "Cook dinner standing for 20 minutes", "value_ids": [home],
        "why": "I miss cooking Sunday dinner for the family",
        "measure": "minutes standing at the counter", "unit": "minutes",
        "baseline": 8, "target": 20, "target_date": day(105), "ability_baseline": 3,
        "steps": _steps(day, [
            ("Stand 10 minutes to chop vegetables", 10, 28, True),
            ("Cook a one-pan meal standing (15 minutes)", 15, 63, True),
            ("Cook Sunday dinner for the family", 20, 98, False),
        ]),
        "barriers": [
            {"barrier": "My back stiffens when I stand still",
             "plan": "One foot on a low step, shift my weight every few minutes"},
        ],
        "contingency": "Sit on the perching stool for the chopping and keep the meal simple",
        "review_every_days": 14,
    }


WALK_STEPS_DONE = {4: "Walk 12 minutes on the flat",
                   9: "Walk 15 minutes, including the little hill",
                   12: "Walk to the corner shop and back"}
COOK_STEPS_DONE = {4: "Stand 10 minutes to chop vegetables",
                   9: "Cook a one-pan meal standing (15 minutes)"}
PEG = ((7, 7, 7), (6, 6, 6), (6, 5, 5), (5, 4, 4))
PSFS_ACTIVITIES = ("Walking to the park", "Cooking dinner standing", "Gardening")
PSFS = ((3, 2, 2), (4, 4, 3), (5, 6, 4), (6, 7, 5))
ACTIVITIES = ["walk", "home exercises", "cooking", "shopping", "gardening", "choir",
              "visited Maya", "housework"]
DIARY_NOTES = ["Stiff in the morning, eased after the walk", "Good day, sat in the garden",
               "Knee grumbled on the stairs", "Slept badly, did the quota anyway",
               "Maya came round for tea"]
FLARE_DIARY = "Flare: back locked up. Following my flare plan, heat and short walks."
FLARE_NOTE = "Back seized after the drive. Used the flare plan; eased after four days."
FLARE_PLAN = {
    "warning_signs": ["Stiff for more than an hour in the morning", "Pain spreading to my hip"],
    "triggers": ["Long car journeys", "Poor sleep", "Lifting the shopping in one go"],
    "first_steps": ["Heat pack for 20 minutes", "Short walks every hour", "Gentle stretches"],
    "scale_back": ["Walk the last comfortable quota", "Cook sitting on the perching stool"],
    "comfort": ["Warm bath", "Audiobook on the sofa", "Call my sister"],
    "contacts": ["Dr Jordan Lee, physio", "My daughter Alex"],
    "return_plan": ["Back to the quota once two days are steady", "Then the normal weekly step"],
}
REMINDERS = (
    {"kind": "daily_log", "time": "20:00", "message": "How did today go?"},
    {"kind": "pacing", "time": "10:00", "message": "Time for your walk: stop at the quota"},
    {"kind": "review", "time": "18:00", "days": [6], "message": "Look back on the week"},
)
REVIEWS = {
    27: {"went_well": "Walked every day but one", "was_hard": "Cold mornings",
         "next_step": "Try the little hill", "confidence": 6},
    45: {"went_well": "Back on my quota after the flare", "was_hard": "The flare scared me",
         "next_step": "Plan breaks into long drives", "changes": "Quota back to 12 for now",
         "confidence": 5},
    83: {"went_well": "Walked to the corner shop and back", "was_hard": "Choir night tiredness",
         "next_step": "Take Maya to the park with a rest", "confidence": 8},
}
NOTES = {
    14: ("goal", "Agreed goals: walk to the park with grandchild, cook dinner standing. "
                 "Walking quota from three trials: 9 minutes, +10% weekly when on track."),
    42: ("plan", "Flare after a long drive, managed well with the flare plan. Quota stepped "
                 "back to the last comfortable level; climb again when steady."),
    84: ("progress", "Walking tolerance has roughly doubled; PSFS up 2.7 points. "
                     "Next: the park walk with a bench rest."),
}
