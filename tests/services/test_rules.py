"""The function-first rules (design §5) against the JSON vectors the phone's rules also pass
(tests/js/rules.test.mjs), plus properties that must hold for any input."""

from __future__ import annotations

import json
import random
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.config import Settings
from app.models import DiaryEntry, Flare, Goal, GoalCheckin, PacingPlan, PacingSession
from app.services import goals, outcomes, pacing, scoring
from tests.conftest import node_binary

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors"
RULES_JS = ROOT / "app" / "static" / "js" / "rules"


def _score(instrument: str) -> Callable[[dict[str, Any]], Any]:
    return lambda given: scoring.score_answers(given.get("instrument", instrument),
                                               given["answers"])


RULES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "peg": _score("peg"),
    "psfs": _score("psfs"),
    "phq2": _score("phq2"),
    "gad2": _score("gad2"),
    "pgic": _score("pgic"),
    "instruments": lambda given: [
        wording["id"] for wording in scoring.available_instruments(
            SimpleNamespace(enabled_instruments=tuple(given["enabled"])))],
    "gas": lambda given: goals.gas_t_score(given["goals"]),
    "psfs_change": lambda given: outcomes.psfs_change(**given),
    "pacing_baseline": lambda given: pacing.pacing_baseline(**given),
    "pacing_suggestion": lambda given: pacing.suggest_quota(**given),
    "goal_progress": lambda given: goals.goal_progress(**given),
    "goal_problems": lambda given: goals.goal_problems(given["goal"], start=given["start"]),
}


def _vectors() -> list[Any]:
    return [pytest.param(file, vector, id=f"{file}: {vector['name']}")
            for file in RULES
            for vector in json.loads((VECTORS / f"{file}.json").read_text(encoding="utf-8"))]


def _as_json(value: Any) -> Any:
    """What the phone would receive: dates and numbers as JSON has them."""
    return json.loads(json.dumps(value))


def test_every_vector_file_has_a_rule_and_vectors() -> None:
    assert sorted(path.stem for path in VECTORS.glob("*.json")) == sorted(RULES)
    for file in RULES:
        assert json.loads((VECTORS / f"{file}.json").read_text(encoding="utf-8")), file


@pytest.mark.parametrize(("file", "vector"), _vectors())
def test_rule_gives_the_vector_answer(file: str, vector: dict[str, Any]) -> None:
    rule = RULES[file]
    if "expected_error" in vector:
        with pytest.raises(ValueError) as raised:
            rule(vector["input"])
        assert vector["expected_error"] in str(raised.value)
    else:
        assert _as_json(rule(vector["input"])) == vector["expected"]


# -- instruments --------------------------------------------------------------------------


def test_an_instance_that_switches_peg_off_never_offers_it() -> None:
    settings = Settings(instruments="psfs,phq2,gad2,pgic")
    offered = [wording["id"] for wording in scoring.available_instruments(settings)]
    assert offered == ["psfs", "phq2", "gad2", "pgic"]


def test_the_default_instance_offers_the_five_free_instruments_with_sources() -> None:
    offered = scoring.available_instruments(Settings())
    assert [wording["id"] for wording in offered] == ["peg", "psfs", "phq2", "gad2", "pgic"]
    sources = {wording["id"]: wording["source"] for wording in offered}
    assert "Krebs" in sources["peg"] and "2009" in sources["peg"]
    assert "Stratford" in sources["psfs"] and "1995" in sources["psfs"]
    assert "Kroenke" in sources["phq2"] and "2003" in sources["phq2"]
    assert "Kroenke" in sources["gad2"] and "2007" in sources["gad2"]
    assert "Hurst" in sources["pgic"] and "Guy" in sources["pgic"]
    assert all("Pfizer" in scoring.INSTRUMENTS[name]["licence"] for name in ("phq2", "gad2"))


def test_no_restricted_instrument_is_ever_defined() -> None:
    text = json.dumps(scoring.INSTRUMENTS).lower()
    assert set(scoring.INSTRUMENTS) == {"peg", "psfs", "phq2", "gad2", "pgic"}
    for restricted in ("oswestry", "catastrophizing", "self-efficacy"):
        assert restricted not in text
    with pytest.raises(ValueError, match='unknown instrument "bpi"'):
        scoring.score("bpi", {"pain": 3})


def test_each_items_answers_match_what_scoring_accepts() -> None:
    for name, wording in scoring.INSTRUMENTS.items():
        if name == "psfs":
            continue
        highest = {item["key"]: item["max"] for item in wording["items"]}
        lowest = {item["key"]: item["min"] for item in wording["items"]}
        assert scoring.score(name, lowest) <= scoring.score(name, highest)
        too_high = {**highest, next(iter(highest)): max(highest.values()) + 1}
        with pytest.raises(ValueError, match="is outside"):
            scoring.score(name, too_high)


def test_the_phones_instrument_wording_is_the_servers() -> None:
    script = ("import { INSTRUMENTS, PROMPTS } from './instruments.js';"
              "console.log(JSON.stringify({ INSTRUMENTS, PROMPTS }));")
    shown = subprocess.run([node_binary(), "--input-type=module", "-e", script], cwd=RULES_JS,
                           capture_output=True, text=True, check=True, timeout=30)
    phone = json.loads(shown.stdout)
    assert phone["INSTRUMENTS"] == _as_json(scoring.INSTRUMENTS)
    assert phone["PROMPTS"] == scoring.PROMPTS


# -- stored rows ---------------------------------------------------------------------------


def test_the_rules_read_stored_rows_as_they_read_wire_records() -> None:
    start = datetime(2026, 3, 1, 10, tzinfo=UTC)
    rows = [PacingSession(kind="quota", started_at=start + timedelta(days=day), planned=20.0,
                          achieved=20.0, unit="minutes") for day in range(15)]
    wire = [{"kind": "quota", "started_at": (start + timedelta(days=day)).isoformat(),
             "planned": 20, "achieved": 20, "unit": "minutes"} for day in range(15)]
    plan = PacingPlan(quota=20.0, baseline=16.0, unit="minutes", increase_percent=10.0,
                      increase_every_days=7, sessions_per_day=1, active=True)
    flare = Flare(started_at=datetime(2026, 3, 16, 7, tzinfo=UTC), ended_at=None)
    today = date(2026, 3, 16)
    stored = pacing.suggest_quota(plan=plan, sessions=rows, today=today)
    assert stored == pacing.suggest_quota(plan=plan.model_dump(mode="json"), sessions=wire,
                                          today="2026-03-16")
    assert (stored["action"], stored["quota"]) == ("advance", 22)
    in_flare = pacing.suggest_quota(plan=plan, sessions=rows, today=today, flares=[flare],
                                    diary=[DiaryEntry(local_date=today, pain=7, flare=True)])
    assert (in_flare["action"], in_flare["quota"]) == ("step_back", 16)
    goal = Goal(title="Walk to the park", baseline=5.0, target=20.0, ability_baseline=3,
                review_every_days=7, status="active", created_at=start,
                steps=[{"title": "Walk to the corner", "done": True}])
    checkin = GoalCheckin(local_date=date(2026, 3, 8), amount=12.5, ability=5)
    progress = goals.goal_progress(goal=goal, checkins=[checkin], today=today)
    assert progress["amount"]["percent"] == 50
    assert progress["review_due_on"] == "2026-03-15" and progress["review_due"] is True


# -- both sides on random histories -------------------------------------------------------


def _random_pacing_case(rng: random.Random) -> dict[str, Any]:
    today = date(2026, 3, 16)
    unit = rng.choice(["minutes", "repetitions", "metres"])
    scale = 10 if unit == "metres" else 1
    quota = rng.randint(1, 40) * scale
    steady = rng.random() < 0.5  # a patient keeping to the plan, so that quotas advance
    sessions, planned = [], quota
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        if rng.random() < (0.03 if steady else 0.15):
            planned = max(scale, planned + rng.choice([-2, -1, 1, 2]) * scale)
        if back == 10 and steady:
            planned = quota
        for _ in range(1 if steady else rng.choice([0, 1, 1, 1, 2])):
            hour, minute = rng.randint(0, 23), rng.choice(["00", "30"])
            sessions.append({
                "kind": "quota" if steady else rng.choice(["quota", "quota", "trial", "free"]),
                "started_at": f"{day.isoformat()}T{hour:02d}:{minute}:00Z",
                "planned": planned if steady else rng.choice([planned, planned, quota, None]),
                "achieved": planned if steady and rng.random() < 0.9 else rng.choice(
                    [planned, quota, planned - scale, planned + scale, 0]),
                "unit": rng.choice([unit, unit, unit, None]),
            })
    flares = []
    for _ in range(rng.choice([0] if steady else [0, 0, 1, 2])):
        start = today - timedelta(days=rng.randint(0, 20))
        length = rng.choice([None, 30, 60, 300, 3000])
        started = f"{start.isoformat()}T{rng.randint(0, 20):02d}:00:00Z"
        ended = None
        if length is not None:
            ended_at = date.fromisoformat(start.isoformat())
            hours, minutes = divmod(length, 60)
            day_shift, hours = divmod(int(started[11:13]) + hours, 24)
            ended = (f"{(ended_at + timedelta(days=day_shift)).isoformat()}"
                     f"T{hours:02d}:{minutes:02d}:00Z")
        flares.append({"started_at": started, "ended_at": ended})
    diary = [{"local_date": (today - timedelta(days=rng.randint(0, 10))).isoformat(),
              "flare": rng.random() < 0.3 and not steady} for _ in range(rng.randint(0, 3))]
    plan = {"quota": quota, "unit": unit, "baseline": rng.choice([None, scale, quota]),
            "increase_percent": rng.choice([None, 0, 5, 10, 12.5, 15, 33]),
            "increase_every_days": rng.choice([None, 1, 3, 7, 7, 7, 14]),
            "sessions_per_day": rng.choice([None, 1, 1, 2])}
    return {"plan": plan, "sessions": sessions, "flares": flares, "diary": diary,
            "today": today.isoformat(),
            "timezone": rng.choice(["UTC", "Europe/London", "America/New_York",
                                    "Australia/Sydney"])}


def test_phone_and_server_agree_on_random_pacing_histories() -> None:
    rng = random.Random(20260316)
    cases = [_random_pacing_case(rng) for _ in range(300)]
    script = (
        "import { suggestQuota, pacingBaseline } from './index.js';"
        "import { readFileSync } from 'node:fs';"
        "const cases = JSON.parse(readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map((c) => [suggestQuota(c),"
        " pacingBaseline({ sessions: c.sessions, unit: c.plan.unit, timezone: c.timezone })])));"
    )
    ran = subprocess.run([node_binary(), "--input-type=module", "-e", script], cwd=RULES_JS,
                         input=json.dumps(cases), capture_output=True, text=True, check=True,
                         timeout=60)
    phone = json.loads(ran.stdout)
    server = [_as_json([pacing.suggest_quota(**case),
                        pacing.pacing_baseline(sessions=case["sessions"],
                                               unit=case["plan"]["unit"],
                                               timezone=case["timezone"])])
              for case in cases]
    for case, mine, theirs in zip(cases, server, phone, strict=True):
        assert mine == theirs, json.dumps(case)
    assert {answer[0]["action"] for answer in server} >= {"advance", "hold", "step_back"}


# -- properties ---------------------------------------------------------------------------

levels = st.integers(min_value=-2, max_value=2)
weights = st.one_of(st.none(), st.integers(min_value=1, max_value=100),
                    st.floats(min_value=0.01, max_value=100, allow_nan=False))


@given(st.lists(weights, min_size=1, max_size=8))
def test_gas_t_score_is_50_when_every_goal_lands_as_expected(goal_weights: list[Any]) -> None:
    assert goals.gas_t_score([{"level": 0, "weight": w} for w in goal_weights]) == 50


@given(st.lists(st.tuples(levels, weights), min_size=1, max_size=8), st.data())
def test_raising_one_goal_never_lowers_the_gas_t_score(rated: list[Any], data: Any) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(rated) - 1))
    before = [{"level": level, "weight": weight} for level, weight in rated]
    after = [dict(goal) for goal in before]
    after[index]["level"] = min(2, after[index]["level"] + 1)
    raised, first = goals.gas_t_score(after), goals.gas_t_score(before)
    assert raised is not None and first is not None
    assert raised >= first


@given(st.lists(st.tuples(levels, weights), min_size=1, max_size=8))
def test_gas_t_score_stays_within_the_scales_bounds(rated: list[Any]) -> None:
    score = goals.gas_t_score([{"level": level, "weight": weight} for level, weight in rated])
    assert score is not None and 50 - 10 * 2 / 0.3 ** 0.5 <= score <= 50 + 10 * 2 / 0.3 ** 0.5


@given(st.integers(min_value=-10**6, max_value=10**6))
def test_round2_rounds_halves_away_from_zero_like_decimal(thousandths: int) -> None:
    exact = Decimal(thousandths) / 1000
    expected = float(exact.copy_abs().quantize(Decimal("0.01"), ROUND_HALF_UP)) * (
        -1 if exact < 0 else 1)
    assert scoring.round2(thousandths / 1000) == expected


@given(st.lists(st.integers(min_value=0, max_value=10), min_size=3, max_size=3))
def test_peg_score_is_the_mean_to_the_nearest_hundredth(items: list[int]) -> None:
    score = scoring.score("peg", dict(zip(("pain", "enjoyment", "activity"), items, strict=True)))
    assert 0 <= score <= 10
    assert abs(score - sum(items) / 3) <= 0.005 + 1e-9


@given(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3))
def test_a_screen_prompts_exactly_when_the_sum_is_3_or_more(first: int, second: int) -> None:
    for name, keys in (("phq2", ("interest", "mood")), ("gad2", ("nervous", "worry"))):
        result = scoring.score_answers(name, dict(zip(keys, (first, second), strict=True)))
        assert result["flag"] is (first + second >= 3)
        assert (result["prompt"] is not None) is result["flag"]


psfs_ratings = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=5)


@given(psfs_ratings, st.data())
def test_psfs_change_reversed_swaps_improved_and_worse(before: list[int], data: Any) -> None:
    after = data.draw(st.lists(st.integers(min_value=0, max_value=10),
                               min_size=len(before), max_size=len(before)))
    earlier = {"activities": [{"activity": f"Task {i}", "score": s} for i, s in enumerate(before)]}
    later = {"activities": [{"activity": f"task {i}", "score": s} for i, s in enumerate(after)]}
    forward = outcomes.psfs_change(before=earlier, after=later)
    backward = outcomes.psfs_change(before=later, after=earlier)
    swap = {"improved": "worse", "worse": "improved", "no real change": "no real change"}
    assert backward["label"] == swap[forward["label"]]
    assert forward["mean_change"] == -backward["mean_change"]
    if abs(sum(after) - sum(before)) < 2 * len(before) - 1e-9:
        assert forward["label"] == "no real change"


trial_amounts = st.lists(st.floats(min_value=0, max_value=500, allow_nan=False), min_size=3,
                         max_size=9)


@given(trial_amounts, st.sampled_from(["minutes", "repetitions", "metres"]))
def test_pacing_baseline_never_exceeds_the_mean_of_the_trials(amounts: list[float],
                                                            unit: str) -> None:
    sessions = [{"kind": "trial", "started_at": f"2026-03-{day + 1:02d}T10:00:00Z",
                 "achieved": amount} for day, amount in enumerate(amounts)]
    result = pacing.pacing_baseline(sessions=sessions, unit=unit)
    mean = sum(amounts) / len(amounts)
    if result["baseline"] is None:
        assert mean * 0.8 < pacing.UNIT_STEPS[unit] + 1e-6
    else:
        assert result["baseline"] <= mean * 0.8 + 1e-6
        assert result["baseline"] > mean * 0.8 - pacing.UNIT_STEPS[unit] - 1e-6
        assert result["baseline"] % pacing.UNIT_STEPS[unit] == 0


@given(st.integers(min_value=0, max_value=2**32))
def test_a_suggestion_never_raises_during_a_flare(seed: int) -> None:
    case = _random_pacing_case(random.Random(seed))
    case["flares"].append({"started_at": "2026-03-16T06:00:00Z", "ended_at": None})
    result = pacing.suggest_quota(**case)
    assert result["action"] in ("hold", "step_back")
    assert result["quota"] <= case["plan"]["quota"]
    baseline = case["plan"]["baseline"]
    if baseline is not None and baseline <= case["plan"]["quota"]:
        assert result["quota"] >= baseline


@given(st.integers(min_value=0, max_value=2**32))
def test_an_advance_raises_by_at_least_one_unit_and_at_most_the_percentage(seed: int) -> None:
    case = _random_pacing_case(random.Random(seed))
    result = pacing.suggest_quota(**case)
    plan = case["plan"]
    percent = 10 if plan["increase_percent"] is None else plan["increase_percent"]
    step = pacing.UNIT_STEPS[plan["unit"]]
    if result["action"] == "advance":
        assert result["quota"] >= plan["quota"] + step
        assert result["quota"] <= max(plan["quota"] * (1 + percent / 100), plan["quota"] + step)
        assert result["met_days"] >= 5
    else:
        assert result["quota"] is None or result["quota"] <= plan["quota"]


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=10**6),
       st.integers(min_value=-10**6, max_value=10**6))
def test_goal_amount_percent_stays_between_0_and_100(baseline: int, distance: int,
                                                     latest: int) -> None:
    for target in (baseline + distance, baseline - distance):
        progress = goals.goal_progress(
            goal={"title": "Walk", "baseline": baseline, "target": target},
            checkins=[{"local_date": "2026-03-02", "amount": latest}], today="2026-03-03")
        assert 0 <= progress["amount"]["percent"] <= 100
        assert progress["amount"]["reached"] is (progress["amount"]["percent"] == 100
                                                 and (latest - baseline) / (target - baseline)
                                                 >= 1)
