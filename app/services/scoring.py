"""Scores of the free-to-use outcome questionnaires (design §5).

Sources and licences, kept beside the scoring they govern:
- PEG: Krebs EE et al. J Gen Intern Med 2009;24(6):733-8. Three items 0-10 over the past
  week; score = mean. Derived from the Brief Pain Inventory, so its licence status is
  debated: an instance can switch it off (PACEWISE_INSTRUMENTS).
- PSFS (Patient-Specific Functional Scale): Stratford P et al. Physiotherapy Canada
  1995;47:258-63. Free to use. Up to five patient-named activities 0 (unable) - 10 (as
  before); score = mean. Minimal detectable change: 2 points for the mean, 3 for one item.
- PHQ-2: Kroenke K, Spitzer RL, Williams JB. Med Care 2003;41:1284-92. GAD-2: Kroenke K
  et al. Ann Intern Med 2007;146:317-25. Both from Pfizer's PHQ family: no permission
  needed to reproduce, translate, display or distribute. Two items 0-3; score = sum;
  3 or more suggests talking to the care team (a screen, never a diagnosis).
- PGIC (Patient Global Impression of Change): Guy W, ECDEU Assessment Manual 1976;
  public domain. One item 1-7, higher is better, in the wording of Hurst H, Bolton J.
  J Manipulative Physiol Ther 2004;27(1):26-35 (1 = no change or worse ... 7 = a great deal
  better).

Restricted instruments (Brief Pain Inventory, Oswestry, Pain Catastrophizing Scale, PSEQ)
are never added. The same rules exist for the offline phone in
`app/static/js/rules/scoring.js` and `instruments.js`; both are checked against
`tests/vectors/{peg,psfs,phq2,gad2,pgic}.json`, so change them together.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Mapping
from typing import Any, Protocol

SCREEN_THRESHOLD = 3  # PHQ-2 and GAD-2: a sum of 3 or more prompts a talk with the team
PSFS_MAX_ACTIVITIES = 5

_OVER_TWO_WEEKS = "Over the last 2 weeks, how often have you been bothered by the following?"
_HOW_OFTEN = [
    {"value": 0, "text": "Not at all"},
    {"value": 1, "text": "Several days"},
    {"value": 2, "text": "More than half the days"},
    {"value": 3, "text": "Nearly every day"},
]
_PFIZER = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission is required to reproduce, "
    "translate, display or distribute."
)
_INTERFERES = [
    {"value": 0, "text": "Does not interfere"},
    {"value": 10, "text": "Completely interferes"},
]
_PGIC_ANCHORS = [
    {"value": 1, "text": "No change (or my condition has got worse)"},
    {"value": 2, "text": "Almost the same, hardly any change at all"},
    {"value": 3, "text": "A little better, but no noticeable change"},
    {"value": 4, "text": "Somewhat better, but the change has not made any real difference"},
    {"value": 5, "text": "Moderately better, and a slight but noticeable change"},
    {"value": 6, "text": "Better, and a definite improvement that has made a real and "
                         "worthwhile difference"},
    {"value": 7, "text": "A great deal better, and a considerable improvement that has made "
                         "all the difference"},
]

# What the UI renders for each instrument: wording, anchors, source and licence note. The
# phone's copy is app/static/js/rules/instruments.js; a test checks that they are equal.
INSTRUMENTS: dict[str, dict[str, Any]] = {
    "peg": {
        "id": "peg",
        "name": "PEG",
        "title": "Pain, enjoyment of life and general activity",
        "instructions": "Choose the number that best describes the past week.",
        "items": [
            {"key": "pain", "kind": "scale", "min": 0, "max": 10,
             "text": "What number best describes your pain on average in the past week?",
             "anchors": [{"value": 0, "text": "No pain"},
                         {"value": 10, "text": "Pain as bad as you can imagine"}]},
            {"key": "enjoyment", "kind": "scale", "min": 0, "max": 10,
             "text": "What number best describes how, during the past week, pain has "
                     "interfered with your enjoyment of life?",
             "anchors": _INTERFERES},
            {"key": "activity", "kind": "scale", "min": 0, "max": 10,
             "text": "What number best describes how, during the past week, pain has "
                     "interfered with your general activity?",
             "anchors": _INTERFERES},
        ],
        "scoring": "The mean of the three answers, 0–10; lower is better.",
        "source": "Krebs EE, Lorenz KA, Bair MJ, et al. Development and initial validation "
                  "of the PEG, a three-item scale assessing pain intensity and interference. "
                  "J Gen Intern Med 2009;24(6):733–738.",
        "licence": "Published for clinical use. It is derived from the Brief Pain Inventory, "
                   "so its licence status is debated; this server's administrator can switch "
                   "it off (PACEWISE_INSTRUMENTS).",
        "codes": {"loinc_panel": "91148-7", "loinc_score": "91147-9"},
    },
    "psfs": {
        "id": "psfs",
        "name": "PSFS",
        "title": "Patient-Specific Functional Scale",
        "instructions": "Name up to five important activities that you are unable to do, or "
                        "find hard to do, because of your problem. Rate how able you are to "
                        "do each one today.",
        "items": [
            {"key": "activities", "kind": "activities", "min": 0, "max": 10,
             "min_count": 1, "max_count": PSFS_MAX_ACTIVITIES,
             "text": "Today, how able are you to do this activity?",
             "anchors": [{"value": 0, "text": "Unable to do the activity"},
                         {"value": 10, "text": "Able to do the activity at the same level "
                                               "as before the problem"}]},
        ],
        "scoring": "The mean of the activity ratings, 0–10; higher is better. A change of 2 "
                   "points in the mean, or 3 in one activity, is more than measurement noise.",
        "source": "Stratford P, Gill C, Westaway M, Binkley J. Assessing disability and change "
                  "on individual patients: a report of a patient specific measure. "
                  "Physiotherapy Canada 1995;47(4):258–263.",
        "licence": "Free to use; no permission is needed.",
        "codes": {},
    },
    "phq2": {
        "id": "phq2",
        "name": "PHQ-2",
        "title": "Patient Health Questionnaire-2",
        "instructions": _OVER_TWO_WEEKS,
        "items": [
            {"key": "interest", "kind": "scale", "min": 0, "max": 3,
             "text": "Little interest or pleasure in doing things", "anchors": _HOW_OFTEN},
            {"key": "mood", "kind": "scale", "min": 0, "max": 3,
             "text": "Feeling down, depressed, or hopeless", "anchors": _HOW_OFTEN},
        ],
        "scoring": "The sum of the two answers, 0–6. A score of 3 or more suggests talking to "
                   "your care team; it is a screen, not a diagnosis.",
        "source": "Kroenke K, Spitzer RL, Williams JBW. The Patient Health Questionnaire-2: "
                  "validity of a two-item depression screener. Med Care 2003;41(11):1284–1292.",
        "licence": _PFIZER,
        "codes": {},
    },
    "gad2": {
        "id": "gad2",
        "name": "GAD-2",
        "title": "Generalized Anxiety Disorder-2",
        "instructions": _OVER_TWO_WEEKS,
        "items": [
            {"key": "nervous", "kind": "scale", "min": 0, "max": 3,
             "text": "Feeling nervous, anxious or on edge", "anchors": _HOW_OFTEN},
            {"key": "worry", "kind": "scale", "min": 0, "max": 3,
             "text": "Not being able to stop or control worrying", "anchors": _HOW_OFTEN},
        ],
        "scoring": "The sum of the two answers, 0–6. A score of 3 or more suggests talking to "
                   "your care team; it is a screen, not a diagnosis.",
        "source": "Kroenke K, Spitzer RL, Williams JBW, Monahan PO, Löwe B. Anxiety disorders "
                  "in primary care: prevalence, impairment, comorbidity, and detection. "
                  "Ann Intern Med 2007;146(5):317–325.",
        "licence": _PFIZER,
        "codes": {},
    },
    "pgic": {
        "id": "pgic",
        "name": "PGIC",
        "title": "Patient Global Impression of Change",
        "instructions": "Since you started this plan, how would you describe the change (if "
                        "any) in your activity limitations, symptoms, emotions and overall "
                        "quality of life, related to your painful condition?",
        "items": [
            {"key": "change", "kind": "choice", "min": 1, "max": 7,
             "text": "Choose the description that fits best.", "anchors": _PGIC_ANCHORS},
        ],
        "scoring": "One answer, 1–7; higher is better.",
        "source": "Hurst H, Bolton J. Assessing the clinical significance of change scores "
                  "recorded on subjective outcome measures. J Manipulative Physiol Ther "
                  "2004;27(1):26–35; adapted from Guy W. ECDEU Assessment Manual for "
                  "Psychopharmacology, US DHEW 1976 (Clinical Global Impression).",
        "licence": "Free to use: Guy's scale is a US government publication in the public "
                   "domain; the wording follows Hurst and Bolton, with \"since beginning "
                   "treatment at this clinic\" changed to \"since you started this plan\".",
        "codes": {},
    },
}

PROMPTS = {
    "phq2": "Your answers suggest it may help to talk to your care team about how your mood "
            "has been. This is not a diagnosis.",
    "gad2": "Your answers suggest it may help to talk to your care team about feeling anxious "
            "or worried. This is not a diagnosis.",
}

# The items of each instrument that are single numbers: key, lowest, highest.
_SCALE_ITEMS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "peg": (("pain", 0, 10), ("enjoyment", 0, 10), ("activity", 0, 10)),
    "phq2": (("interest", 0, 3), ("mood", 0, 3)),
    "gad2": (("nervous", 0, 3), ("worry", 0, 3)),
    "pgic": (("change", 1, 7),),
}


class _HasInstruments(Protocol):
    @property
    def enabled_instruments(self) -> tuple[str, ...]: ...


def available_instruments(settings: _HasInstruments) -> list[dict[str, Any]]:
    """Return the wording of each questionnaire this instance has switched on, in order."""
    enabled = set(settings.enabled_instruments)
    return [copy.deepcopy(wording) for name, wording in INSTRUMENTS.items() if name in enabled]


def round2(value: float) -> float:
    """Round to 2 decimals, halves away from zero, exactly as `numbers.js` does on the phone.

    Python's round() rounds halves to even and JavaScript's Math.round() rounds them up;
    both sides use this one formula instead, so a score never differs by 0.01 between them.
    The 1e-9 forgives binary noise such as 1.005 * 100 = 100.49999999999999.
    """
    rounded = math.floor(abs(value) * 100 + 0.5 + 1e-9) / 100
    return math.copysign(rounded, value) if rounded else 0.0


def shown(value: Any) -> str:
    """A value as an error message shows it, the same way JavaScript's rules show it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool) or value is None or isinstance(value, str | list | dict):
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return text if len(text) <= 60 else text[:57] + "…"
    return str(value)


def whole_number(value: Any, *, name: str, low: float, high: float) -> int:
    """Return `value` as an int, or raise ValueError naming `name` and the value."""
    if value is None:
        raise ValueError(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} {shown(value)} is not a number")
    if not float(value).is_integer():
        raise ValueError(f"{name} {shown(value)} is not a whole number")
    if not low <= value <= high:
        raise ValueError(f"{name} {shown(value)} is outside {shown(low)}–{shown(high)}")
    return int(value)


def validate_answers(instrument: str, answers: Any) -> dict[str, Any]:
    """Return the answers in canonical form, or raise ValueError naming the bad item."""
    if instrument not in INSTRUMENTS:
        raise ValueError(f"unknown instrument {shown(instrument)}")
    if not isinstance(answers, Mapping):
        raise ValueError(f"{instrument} answers must be an object")
    known = {"activities"} if instrument == "psfs" else {
        key for key, _, _ in _SCALE_ITEMS[instrument]}
    for key in answers:
        if key not in known:
            raise ValueError(f"{instrument} {shown(key)} is not an item of {instrument}")
    if instrument == "psfs":
        return {"activities": psfs_activities(answers.get("activities"), name="psfs")}
    return {key: whole_number(answers.get(key), name=f"{instrument} {key}", low=low, high=high)
            for key, low, high in _SCALE_ITEMS[instrument]}


def psfs_activities(activities: Any, *, name: str) -> list[dict[str, Any]]:
    """Return PSFS activities checked one by one, or raise ValueError naming the bad one."""
    if activities is None:
        raise ValueError(f"{name} activities is required")
    if not isinstance(activities, list):
        raise ValueError(f"{name} activities must be a list")
    if not 1 <= len(activities) <= PSFS_MAX_ACTIVITIES:
        raise ValueError(f"{name} needs 1 to {PSFS_MAX_ACTIVITIES} activities, "
                         f"got {len(activities)}")
    cleaned = []
    for index, item in enumerate(activities):
        where = f"{name} activities[{index}]"
        if not isinstance(item, Mapping):
            raise ValueError(f"{where} must be an object")
        activity = item.get("activity")
        if not isinstance(activity, str) or not activity:
            raise ValueError(f"{where}.activity is required")
        score = whole_number(item.get("score"), name=f"{where}.score", low=0, high=10)
        cleaned.append({"activity": activity, "score": score})
    return cleaned


def score(instrument: str, answers: Mapping[str, Any]) -> float:
    """Return the score of a set of answers; raise ValueError for a missing or bad answer."""
    valid = validate_answers(instrument, answers)
    if instrument == "psfs":
        scores = [item["score"] for item in valid["activities"]]
        return round2(sum(scores) / len(scores))
    values = [valid[key] for key, _, _ in _SCALE_ITEMS[instrument]]
    if instrument == "peg":
        return round2(sum(values) / len(values))
    return float(sum(values))


def score_answers(instrument: str, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Return the score with what the patient sees beside it: a screen's prompt, PGIC's words.

    `flag` is true for a PHQ-2 or GAD-2 sum of 3 or more (shown as a gentle prompt to talk to
    the care team and flagged on the clinician's list); `label` is PGIC's answer wording.
    """
    value = score(instrument, answers)
    flag = instrument in PROMPTS and value >= SCREEN_THRESHOLD
    label = None
    if instrument == "pgic":
        label = next(a["text"] for a in _PGIC_ANCHORS if a["value"] == value)
    return {"score": value, "flag": flag, "prompt": PROMPTS[instrument] if flag else None,
            "label": label}
