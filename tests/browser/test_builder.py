"""Build my plan in Chromium at a 390 px phone width: a value, a PSFS activity and a goal
with steps and a barrier built with the network off reach the server once it is back, and
the builder resumes at the first step not done; bad input is explained beside its field
and nothing half-saved is stored on the phone or reaches the server. axe-core checks the
builder's steps, with and without messages showing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.browser.conftest import (
    BrowserContext,
    Locator,
    Page,
    Server,
    axe_violations,
    choose,
    eventually,
    expect,
    register_patient,
    sync_status,
    wait_until_offline_ready,
)

LOCAL_COUNTS = """async () => {
  const name = (await indexedDB.databases()).map((d) => d.name)
    .find((n) => n.startsWith('pacewise-'));
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const count = (store) => new Promise((resolve) => {
    const request = db.transaction(store).objectStore(store).count();
    request.onsuccess = () => resolve(request.result);
  });
  const counts = { records: await count('records'), outbox: await count('outbox') };
  db.close();
  return counts;
}"""


def _today(page: Page) -> date:
    """The phone's own calendar day, which is what the app writes."""
    return date.fromisoformat(page.evaluate(
        "(() => { const d = new Date(); return [d.getFullYear(),"
        " String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')]"
        ".join('-'); })()"))


def _open_builder(page: Page) -> None:
    page.evaluate("location.hash = '#builder'")
    expect(page.get_by_role("heading", level=1)).to_have_text("Build my plan")
    expect(page.get_by_text("Loading…")).to_have_count(0)


def _step_heading(page: Page) -> Locator:
    return page.locator("#builder-step-heading")


def _stored(api: httpx.Client, collection: str) -> list[dict[str, Any]]:
    """What the server holds, read through the person's own REST client."""
    answer = api.get(f"/api/v1/{collection}")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _explained(field: Locator, message: str) -> None:
    """The field is marked invalid and the message beside it is its description."""
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(message)


def test_a_plan_built_offline_is_on_the_server_once_back_online_and_the_builder_resumes(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page)
    wait_until_offline_ready(page)
    today = _today(page)
    target_date = (today + timedelta(days=60)).isoformat()
    step_due = (today + timedelta(days=14)).isoformat()

    context.set_offline(True)
    page.reload()
    _open_builder(page)
    expect(_step_heading(page)).to_contain_text("What matters")

    # 1. What matters: one tap on a suggestion, one on the importance, save.
    page.get_by_role("button", name="Family", exact=True).click()
    expect(page.get_by_label("What matters to you")).to_have_value("Family")
    choose(page, "Importance", 8)
    page.get_by_role("button", name="Save value").click()
    expect(page.get_by_role("listitem").filter(has_text="Family")).to_contain_text(
        "importance 8 of 10 (not synced yet)")

    # 2. What is hard now: one PSFS activity, rated.
    page.get_by_role("button", name="Next: What is hard now").click()
    expect(_step_heading(page)).to_contain_text("What is hard now")
    expect(page.get_by_text("Stratford P, Gill C")).to_be_visible()
    page.get_by_label("Activity 1", exact=True).fill("Walk to the park")
    choose(page, "Activity 1: how able are you today?", 3)
    page.get_by_role("button", name="Save activities").click()
    expect(page.get_by_text("Your PSFS score today is 3 of 10")).to_be_visible()

    # 3. Goals: the activity, one tap, becomes the goal's title.
    page.get_by_role("button", name="Next: Goals").click()
    page.get_by_role("button", name="Goal: Walk to the park").click()
    form = page.get_by_role("form", name="New goal")
    title = form.get_by_label("What do you want to be able to do?")
    expect(title).to_have_value("Walk to the park")
    form.get_by_role("checkbox", name="Family").check()
    form.get_by_label("Why it matters to you").fill("To take my grandchildren to the swings")
    form.get_by_label("What you will count").fill("minutes of walking")
    form.get_by_label("Unit", exact=True).fill("minutes")
    form.get_by_label("Where you are now").fill("5")
    form.get_by_label("Target", exact=True).fill("20")
    form.get_by_label("Target date").fill(target_date)
    choose(page, "How well can you do it now?", 3)
    form.get_by_role("button", name="Add a step").click()
    form.get_by_label("Step 1", exact=True).fill("Walk to the corner and back")
    form.get_by_label("Step 1 amount").fill("8")
    form.get_by_label("Step 1 due date").fill(step_due)
    form.get_by_role("button", name="Add a barrier").click()
    form.get_by_label("Barrier 1", exact=True).fill("Rainy days")
    form.get_by_label("Plan for barrier 1").fill("Walk in the shopping centre")
    form.get_by_label("What I’ll do on a bad day").fill("Walk half as far, slowly")
    form.get_by_label("Review every (days)").fill("7")
    assert axe_violations(page) == []
    form.get_by_role("button", name="Create goal").click()
    expect(page.get_by_text("Goal “Walk to the park” saved.")).to_be_visible()

    expect(sync_status(page)).to_have_text("Offline — will sync later")
    with server.api(person) as api:
        assert _stored(api, "goals") == []

        context.set_offline(False)
        expect(sync_status(page)).to_have_text("Synced")

        values = _stored(api, "values")
        assert [(v["title"], v["importance"]) for v in values] == [("Family", 8)]
        responses = _stored(api, "outcome-responses")
        psfs = {"activities": [{"activity": "Walk to the park", "score": 3}]}
        assert [(r["instrument"], r["local_date"], r["answers"], r["score"])
                for r in responses] == [("psfs", today.isoformat(), psfs, 3)]
        goals = _stored(api, "goals")
        assert len(goals) == 1
        goal = goals[0]
        assert {key: goal[key] for key in (
            "title", "value_ids", "why", "measure", "unit", "baseline", "target", "target_date",
            "ability_baseline", "steps", "barriers", "contingency", "review_every_days", "status",
        )} == {
            "title": "Walk to the park", "value_ids": [values[0]["id"]],
            "why": "To take my grandchildren to the swings", "measure": "minutes of walking",
            "unit": "minutes", "baseline": 5, "target": 20, "target_date": target_date,
            "ability_baseline": 3,
            "steps": [{"title": "Walk to the corner and back", "target": 8, "due_date": step_due,
                       "done": False}],
            "barriers": [{"barrier": "Rainy days", "plan": "Walk in the shopping centre"}],
            "contingency": "Walk half as far, slowly", "review_every_days": 7, "status": "active",
        }

    # Coming back later resumes at the first step not done, read from the records.
    page.reload()
    _open_builder(page)
    expect(_step_heading(page)).to_contain_text("Baseline")
    steps = page.get_by_role("navigation", name="All steps")
    expect(steps.get_by_role("button", name="1. What matters — done")).to_be_visible()
    expect(steps.get_by_role("button", name="4. Baseline — to do")).to_have_attribute(
        "aria-current", "step")


def test_bad_input_in_the_builder_is_explained_beside_the_field_and_nothing_is_saved(
    page: Page, server: Server
) -> None:
    person = register_patient(page)
    today = _today(page)
    _open_builder(page)

    # What matters, with nothing chosen.
    page.get_by_role("button", name="Save value").click()
    _explained(page.get_by_label("What matters to you"),
               "Tap a suggestion or use your own words Pick a suggestion or write, in your own "
               "words, what matters to you.")

    # PSFS: a rating without an activity, and an activity without a rating.
    page.get_by_role("button", name="Next: What is hard now").click()
    choose(page, "Activity 1: how able are you today?", 4)
    page.get_by_role("button", name="Add an activity").click()
    page.get_by_label("Activity 2", exact=True).fill("Cook a meal")
    page.get_by_role("button", name="Save activities").click()
    expect(page.get_by_label("Activity 1", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Name activity 1, or remove it.")).to_be_visible()
    rating = page.get_by_role("radiogroup", name="Activity 2: how able are you today? (0–10)")
    expect(rating).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Rate activity 2 from 0 (unable) to 10 (as before).")).to_be_visible()
    assert axe_violations(page) == []

    # A goal with no title, a target equal to the baseline, a step due before the start
    # and a review cadence out of range.
    page.get_by_role("button", name="Next: Goals").click()
    page.get_by_role("button", name="New goal").click()
    form = page.get_by_role("form", name="New goal")
    form.get_by_label("Where you are now").fill("5")
    form.get_by_label("Target", exact=True).fill("5")
    form.get_by_role("button", name="Add a step").click()
    form.get_by_label("Step 1", exact=True).fill("Walk to the corner")
    yesterday = (today - timedelta(days=1)).isoformat()
    form.get_by_label("Step 1 due date").fill(yesterday)
    form.get_by_label("Review every (days)").fill("0")
    form.get_by_role("button", name="Create goal").click()

    title = form.get_by_label("What do you want to be able to do?")
    _explained(title, "Something concrete, like: walk to the mailbox Give the goal a title: "
                      "a task you want to be able to do.")
    expect(title).to_be_focused()
    _explained(form.get_by_label("Target", exact=True),
               "The target is the same as the baseline (5): choose where you want to get to.")
    _explained(form.get_by_label("Step 1 due date"),
               f"Step 1 is due on {yesterday}, before the start, {today.isoformat()}.")
    _explained(form.get_by_label("Review every (days)"),
               "How often to look at this goal again: 7 is once a week "
               "Review every … days: 0 is outside 1–365.")
    expect(form.get_by_role("alert")).to_have_text("Not saved yet: fix what is marked above.")
    assert axe_violations(page) == []

    # Nothing reached the phone's store or outbox, and so nothing reaches the server.
    assert page.evaluate(LOCAL_COUNTS) == {"records": 0, "outbox": 0}
    expect(sync_status(page)).to_have_text("Synced")
    with server.api(person) as api:
        for collection in ("values", "outcome-responses", "goals"):
            assert _stored(api, collection) == []

    # Put right, the same form saves one complete goal.
    title.fill("Walk to the park")
    form.get_by_label("Target", exact=True).fill("20")
    form.get_by_label("Step 1 due date").fill((today + timedelta(days=7)).isoformat())
    form.get_by_label("Review every (days)").fill("7")
    form.get_by_role("button", name="Create goal").click()
    expect(page.get_by_text("Goal “Walk to the park” saved.")).to_be_visible()
    with server.api(person) as api:
        eventually(page, lambda: [(g["title"], g["baseline"], g["target"], g["review_every_days"],
                                   [s["due_date"] for s in g["steps"]])
                                  for g in _stored(api, "goals")],
                   [("Walk to the park", 5, 20, 7, [(today + timedelta(days=7)).isoformat()])])
