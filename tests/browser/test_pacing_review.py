"""Pacing suggestions and the weekly review in Chromium (design §5): the baseline from three
tolerance trials, the raise after a week of met quotas (on the Pacing screen and in the
weekly review, accepted there while offline together with the review itself), and the
step back to the last comfortable level in flare mode, at which the timer stops.

Histories are stored through the REST API with past dates, as another device of the
patient's would, and the browser pulls them when it signs in. The browser runs in UTC so
that its days are the days the test computes. Expected quotas are worked out here from
the inputs by the design's formulas, not taken from the app.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from statistics import mean
from typing import Any

import httpx
import pytest

from tests.browser.conftest import (
    BrowserContext,
    Page,
    Person,
    Server,
    axe_violations,
    choose,
    eventually,
    expect,
    sign_in,
    sync_status,
    wait_until_offline_ready,
)
from tests.factories import valid_fields

BASELINE_SHARE = 0.8  # design §5: mean of the trials × 0.8, rounded down to a whole unit


@pytest.fixture
def clients() -> Iterator[ExitStack]:
    """Signed-in API clients (the patient's other device), closed at the test's end."""
    with ExitStack() as stack:
        yield stack


def _today() -> date:
    return datetime.now(UTC).date()


def _post(api: httpx.Client, collection: str, fields: dict[str, Any]) -> dict[str, Any]:
    answer = api.post(f"/api/v1/{collection}", json=fields)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def _get(api: httpx.Client, path: str) -> Any:
    answer = api.get(f"/api/v1/{path}")
    assert answer.status_code == 200, answer.text
    return answer.json()


def _session(plan_id: str, day: date, *, kind: str, achieved: float,
             planned: float | None = None) -> dict[str, Any]:
    start = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    return valid_fields("pacing_session", plan_id=plan_id, kind=kind, planned=planned,
                        achieved=achieved, started_at=start.isoformat(),
                        ended_at=(start + timedelta(minutes=achieved)).isoformat())


def _open_pacing(new_context: Callable[..., BrowserContext], person: Person) -> Page:
    page = new_context(timezone_id="UTC").new_page()
    sign_in(page, person)
    page.goto("/#pacing")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pacing")
    return page


def test_three_trials_on_separate_days_propose_the_baseline_and_accepting_stores_it(
    new_context: Callable[..., BrowserContext], server: Server, clients: ExitStack
) -> None:
    person = server.register("Tia Trials")
    trials = [10, 12, 14]
    api = clients.enter_context(server.api(person))
    plan = _post(api, "pacing-plans", valid_fields("pacing_plan", baseline=None, quota=None))
    for days_ago, minutes in zip((3, 2, 1), trials, strict=True):
        _post(api, "pacing-sessions", _session(plan["id"], _today() - timedelta(days=days_ago),
                                               kind="trial", achieved=minutes))
    expected = math.floor(mean(trials) * BASELINE_SHARE)

    page = _open_pacing(new_context, person)
    card = page.get_by_role("article", name="Walking")
    expect(card).to_contain_text(f"80% of that, rounded down: {expected} minutes")
    card.get_by_role("button", name=f"Set my quota to {expected} minutes").click()

    expect(card).to_contain_text(f"Quota: {expected} minutes")
    eventually(page, lambda: {key: _get(api, f"pacing-plans/{plan['id']}")[key]
                              for key in ("baseline", "quota")},
               {"baseline": expected, "quota": expected})


def test_a_week_of_met_quotas_offers_the_raise_and_an_offline_weekly_review_syncs_with_it(
    new_context: Callable[..., BrowserContext], server: Server, clients: ExitStack
) -> None:
    person = server.register("Wes Weekly")
    quota, percent = 20, 10
    met = [day for day in range(1, 9) if day != 3]  # 6 of the last 7 days, and 8 days at 20
    api = clients.enter_context(server.api(person))
    plan = _post(api, "pacing-plans", valid_fields(
        "pacing_plan", baseline=quota, quota=quota, increase_percent=percent))
    for days_ago in met:
        _post(api, "pacing-sessions", _session(plan["id"], _today() - timedelta(days=days_ago),
                                               kind="quota", planned=quota, achieved=quota))
    raised = math.floor(quota * (100 + percent) / 100)
    met_in_window = sum(1 for day in met if day <= 7)

    page = _open_pacing(new_context, person)
    card = page.get_by_role("article", name="Walking")
    expect(card).to_contain_text(f"You met your quota of {quota} minutes on {met_in_window} of "
                                 "the last 7 days")
    expect(card.get_by_role("button", name=f"Set my quota to {raised} minutes")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    page.get_by_role("region", name="Your plan").get_by_role("link", name="Weekly review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Weekly review")
    expect(page.get_by_role("navigation", name="Main")
           .get_by_role("link", name="Flare plan", exact=True)).to_be_visible()  # one tap away
    expect(page.get_by_role("region", name="Your last 7 days")).to_contain_text(
        f"quota of {quota} minutes met on {met_in_window} of the 7 days before today")
    assert axe_violations(page) == []
    wait_until_offline_ready(page)
    page.context.set_offline(True)

    offers = page.get_by_role("region", name="Your pacing quotas")
    offers.get_by_role("button", name=f"Accept: set Walking to {raised} minutes").click()
    expect(page.get_by_text(f"Quota for “Walking” is now {raised} minutes.")).to_be_visible()
    page.get_by_role("button", name="Save review").click()  # nothing answered yet
    expect(page.get_by_text("Write at least one answer")).to_be_visible()
    expect(page.get_by_label("What went well")).to_have_attribute("aria-invalid", "true")
    answers = {"went_well": "Six walks", "was_hard": "Rainy Tuesday",
               "next_step": f"Walk {raised} minutes", "changes": "Walk after lunch"}
    labels = {"went_well": "What went well", "was_hard": "What was hard",
              "next_step": "My next step", "changes": "What I will change"}
    for key, text in answers.items():
        page.get_by_label(labels[key]).fill(text)
    choose(page, "Confidence", 7)
    page.get_by_role("button", name="Save review").click()
    expect(page.get_by_text("Review saved.")).to_be_visible()
    expect(sync_status(page)).to_have_text("Offline — will sync later")
    assert _get(api, "weekly-reviews")["items"] == []
    assert _get(api, f"pacing-plans/{plan['id']}")["quota"] == quota

    page.context.set_offline(False)
    expect(sync_status(page)).to_have_text("Synced")
    monday = _today() - timedelta(days=_today().weekday())
    fields = ["week_start", *answers, "confidence"]
    eventually(page, lambda: [{key: item[key] for key in fields}
                              for item in _get(api, "weekly-reviews")["items"]],
               [{"week_start": monday.isoformat(), **answers, "confidence": 7}])
    assert _get(api, f"pacing-plans/{plan['id']}")["quota"] == raised

    # Opened again, this week's review is edited in place, never duplicated.
    page.reload()
    expect(page.get_by_label("What went well")).to_have_value(answers["went_well"])
    page.get_by_label("What I will change").fill("Walk before lunch")
    page.get_by_role("button", name="Save changes").click()
    eventually(page, lambda: [item["changes"] for item in _get(api, "weekly-reviews")["items"]],
               ["Walk before lunch"])


def test_in_flare_mode_the_quota_steps_back_to_the_last_comfortable_level(
    new_context: Callable[..., BrowserContext], server: Server, clients: ExitStack
) -> None:
    person = server.register("Fran Flare")
    baseline, current = 8, 12
    history = {10: range(20, 13, -1), current: range(13, 0, -1)}  # level: days ago
    api = clients.enter_context(server.api(person))
    plan = _post(api, "pacing-plans", valid_fields("pacing_plan", baseline=baseline,
                                                   quota=current))
    for level, days in history.items():
        for days_ago in days:
            _post(api, "pacing-sessions", _session(
                plan["id"], _today() - timedelta(days=days_ago), kind="quota",
                planned=level, achieved=level))
    # The last comfortable level: the highest earlier quota below the current one that was
    # met on at least 5 days of a 7-day stretch, never below the baseline.
    comfortable = max(baseline, max(level for level, days in history.items()
                                    if level < current and len(days) >= 5))

    page = _open_pacing(new_context, person)
    card = page.get_by_role("article", name="Walking")
    expect(card).to_contain_text(f"Quota: {current} minutes")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Flare plan").click()
    page.get_by_role("button", name="Start flare mode").click()
    nav.get_by_role("link", name="Pacing").click()

    expect(page.get_by_text("You are in a flare-up.")).to_be_visible()
    expect(card).to_contain_text(f"Flare quota: {comfortable} minutes until the flare ends "
                                 f"(usual quota {current} minutes)")
    expect(card).to_contain_text(f"Step back to {comfortable} minutes, your last comfortable level")
    assert axe_violations(page) == []
    nav.get_by_role("link", name="Today").click()  # Today's list says the flare level too
    expect(page.get_by_role("region", name="Also today")).to_contain_text(
        f"Walking, 0 of 1 session done, {comfortable} minutes each while the flare lasts "
        f"(usually {current})")
    nav.get_by_role("link", name="Pacing").click()
    card.get_by_role("button", name="Start session: Walking").click()
    card.get_by_role("button", name="Start timer").click()
    expect(page.get_by_role("region", name="Paced session: Walking")).to_contain_text(
        f"Stop at {comfortable} minutes")
    eventually(page, lambda: [(s["planned"], s["ended_at"]) for s in
                              _get(api, "pacing-sessions?limit=500")["items"]
                              if s["ended_at"] is None], [(comfortable, None)])
    page.get_by_role("button", name="Discard this session").click()

    card.get_by_role("button", name=f"Set my quota to {comfortable} minutes").click()
    eventually(page, lambda: _get(api, f"pacing-plans/{plan['id']}")["quota"],
               comfortable)
    nav.get_by_role("link", name="Flare plan").click()
    page.get_by_role("button", name="End flare mode").click()
    nav.get_by_role("link", name="Pacing").click()
    expect(card).to_contain_text(f"Quota: {comfortable} minutes")
    expect(page.get_by_text("You are in a flare-up.")).to_have_count(0)
    nav.get_by_role("link", name="Today").click()
    expect(page.get_by_role("region", name="Also today")).to_contain_text(
        f"Walking, 0 of 1 session done, {comfortable} minutes each.")
