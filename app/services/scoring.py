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
  public domain. One item 1-7.
"""

from __future__ import annotations

from typing import Any

SCREEN_THRESHOLD = 3  # PHQ-2 and GAD-2: a sum of 3 or more prompts a talk with the team


def score(instrument: str, answers: dict[str, Any]) -> float:
    """Return the score of a validated set of answers."""
    if instrument == "peg":
        return round((answers["pain"] + answers["enjoyment"] + answers["activity"]) / 3, 2)
    if instrument == "psfs":
        scores = [item["score"] for item in answers["activities"]]
        return round(sum(scores) / len(scores), 2)
    if instrument == "phq2":
        return float(answers["interest"] + answers["mood"])
    if instrument == "gad2":
        return float(answers["nervous"] + answers["worry"])
    if instrument == "pgic":
        return float(answers["change"])
    raise ValueError(f"unknown instrument {instrument!r}")
