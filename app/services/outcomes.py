"""Real change between two PSFS responses (design §5), the labels progress shows.

The Patient-Specific Functional Scale's minimal detectable change is 2 points for the mean
of the activities and 3 points for a single activity (Stratford P et al. Physiotherapy Canada
1995;47(4):258-63). A smaller change is within measurement noise and is labelled "no real
change", never "improved" or "worse".

Choices, the same in `app/static/js/rules/outcomes.js` and checked against
`tests/vectors/psfs_change.json`:
- Activities are matched by name, ignoring case and extra spaces ("Walking  the dog" is
  "walking the dog"); when a response names an activity twice, its first rating counts.
- The mean change is taken over the activities rated both times, because a mean over
  different activities measures nothing. Activities only in one response are listed as
  `added` or `dropped`; with none in common the label is "not comparable".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.services.scoring import psfs_activities, round2

MEAN_MDC = 2  # points of the mean of the activities
ACTIVITY_MDC = 3  # points of one activity

IMPROVED, WORSE, NO_REAL_CHANGE, NOT_COMPARABLE = (
    "improved", "worse", "no real change", "not comparable")


def activity_key(name: str) -> str:
    """The name two PSFS responses are matched on: case and spacing ignored."""
    return " ".join(name.split()).lower()


def change_label(change: float, threshold: float) -> str:
    """Label a change against a minimal detectable change."""
    if change >= threshold:
        return IMPROVED
    if change <= -threshold:
        return WORSE
    return NO_REAL_CHANGE


def psfs_change(*, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Compare two PSFS answers: mean and per-activity change, each labelled real or not."""
    earlier = _by_name(_answers(before, "before"))
    later = _by_name(_answers(after, "after"))
    rows: list[dict[str, Any]] = []
    for key, (name, score) in later.items():
        if key in earlier:
            change = score - earlier[key][1]
            rows.append({"activity": name, "before": earlier[key][1], "after": score,
                         "change": change, "label": change_label(change, ACTIVITY_MDC)})
    added = [name for key, (name, _) in later.items() if key not in earlier]
    dropped = [name for key, (name, _) in earlier.items() if key not in later]
    if not rows:
        return {"label": NOT_COMPARABLE, "mean_before": None, "mean_after": None,
                "mean_change": None, "activities": [], "added": added, "dropped": dropped}
    count = len(rows)
    total_before = sum(row["before"] for row in rows)
    total_after = sum(row["after"] for row in rows)
    mean_change = round2((total_after - total_before) / count)
    return {
        "label": change_label(mean_change, MEAN_MDC),
        "mean_before": round2(total_before / count),
        "mean_after": round2(total_after / count),
        "mean_change": mean_change,
        "activities": rows,
        "added": added,
        "dropped": dropped,
    }


def _answers(answers: Mapping[str, Any], which: str) -> list[dict[str, Any]]:
    if not isinstance(answers, Mapping):
        raise ValueError(f"psfs {which} answers must be an object")
    return psfs_activities(answers.get("activities"), name=f"psfs {which}")


def _by_name(activities: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
    named: dict[str, tuple[str, int]] = {}
    for item in activities:
        named.setdefault(activity_key(item["activity"]), (item["activity"], item["score"]))
    return named
