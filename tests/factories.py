"""Small typed factories: a valid record of each entity, with keyword overrides."""

from __future__ import annotations

import uuid
from typing import Any

TODAY = "2026-11-27"


def valid_fields(entity: str, **overrides: Any) -> dict[str, Any]:
    """The smallest believable record of `entity`, as a client would send it."""
    base: dict[str, dict[str, Any]] = {
        "diary_entry": {"local_date": TODAY, "pain": 4, "interference": 3, "function": 6,
                        "body_areas": ["lower_back"], "notes": "walked to the shop"},
        "value": {"title": "Family", "importance": 9},
        "goal": {"title": "Walk to the mailbox and back", "measure": "minutes walked",
                 "unit": "minutes", "baseline": 5, "target": 15,
                 "steps": [{"title": "Walk 7 minutes", "target": 7, "due_date": "2026-12-10"}],
                 "barriers": [{"barrier": "Rain", "plan": "Walk in the mall"}]},
        "goal_checkin": {"local_date": TODAY, "amount": 6, "ability": 5},
        "pacing_plan": {"activity": "Walking", "unit": "minutes", "baseline": 8, "quota": 8},
        "pacing_session": {"kind": "quota", "started_at": "2026-11-27T09:00:00Z",
                           "ended_at": "2026-11-27T09:08:00Z", "planned": 8, "achieved": 8,
                           "unit": "minutes", "stopped_because": "quota_reached"},
        "outcome_response": {"instrument": "peg", "local_date": TODAY,
                             "answers": {"pain": 6, "enjoyment": 5, "activity": 4}},
        "performance_test": {"kind": "chair_stand_30s", "value": 9, "unit": "repetitions",
                             "local_date": TODAY},
        "flare_plan": {"warning_signs": ["Stiff in the morning"], "first_steps": ["Heat pack"]},
        "flare": {"started_at": "2026-11-20T07:00:00Z", "triggers": ["Long drive"]},
        "weekly_review": {"week_start": "2026-11-23", "went_well": "Three walks",
                          "confidence": 7},
        "reminder": {"kind": "daily_log", "time": "20:00", "days": [0, 1, 2, 3, 4, 5, 6]},
        "treatment": {"kind": "physiotherapy", "title": "Weekly physio"},
        "routine": {"title": "Screens off at 22:00", "area": "sleep"},
        "decision": {"question": "Try a walking group?",
                     "options": [{"option": "Join", "benefits": "Company"}]},
        "care_note": {"kind": "progress", "text": "Walking tolerance is up."},
    }
    return {**base[entity], **overrides}


# Entities whose records point at another record of the patient's own.
PARENTS = {"goal_checkin": ("goal_id", "goal"), "pacing_session": ("plan_id", "pacing_plan")}


def new_id() -> str:
    return str(uuid.uuid4())
