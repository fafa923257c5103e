"""Treatments and routines, Decisions and Learn in Chromium at a 390 px phone width: all
written offline, a decision with one option refused beside the field, the REST API holding
what was written once back online, Learn readable offline, and axe-core clean."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from app.db import unit_of_work
from app.services import accounts
from app.services.records import Actor, Mutation, apply_mutations
from tests.browser.conftest import (
    BrowserContext,
    Page,
    Person,
    Server,
    axe_violations,
    expect,
    sign_in,
    sync_status,
    wait_until_offline_ready,
)
from tests.conftest import PASSWORD

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
ROUTINE = "Get up at the same time every day"
QUESTION = "Should I try a walking group?"
VISIT_QUESTION = "Injections or more physiotherapy?"
KNEE = "Whether my knee copes with 40 minutes"


def _decision_written_in_a_visit(server: Server, person: Person) -> None:
    """A physiotherapist writes a shared decision with the patient, as in a visit."""
    with server.api(person) as api:
        patient_id = uuid.UUID(api.get("/api/v1/me").json()["id"])
    with unit_of_work(server.engine, write=True) as session:
        clinician = accounts.create_user(
            session, email=f"{uuid.uuid4().hex[:10]}@clinic.example", password=PASSWORD,
            name="Pia Physio", role="clinician")
        actor = Actor(user_id=clinician.id, role="clinician", name=clinician.name,
                      care_role="physiotherapist")
        [result] = apply_mutations(session, patient_id=patient_id, actor=actor, mutations=[
            Mutation("decision", "upsert", uuid.uuid4(), {
                "question": VISIT_QUESTION,
                "options": [{"option": "Injection"}, {"option": "Six more physio sessions"}]})])
        assert result.status == "applied", result.detail


def _go(page: Page, route: str, heading: str) -> None:
    """Follow an in-app link, as a tap on one does (no page load: it works offline)."""
    page.evaluate("(hash) => { location.hash = hash; }", route)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_text("Loading…")).to_have_count(0)


def _items(server: Server, person: Person, collection: str) -> list[dict[str, Any]]:
    with server.api(person) as api:
        answer = api.get(f"/api/v1/{collection}")
        assert answer.status_code == 200, answer.text
        items: list[dict[str, Any]] = answer.json()["items"]
        return items


def test_offline_treatments_routines_and_a_shared_decision_are_kept_and_synced(
    page: Page, context: BrowserContext, server: Server
) -> None:
    today = date.today()
    person = server.register("Tess Treatments")
    _decision_written_in_a_visit(server, person)
    sign_in(page, person)
    _go(page, "#decisions", "Decisions")
    visit = page.get_by_role("article", name=VISIT_QUESTION)
    expect(visit).to_contain_text("Written with your physiotherapist in a visit")
    wait_until_offline_ready(page)
    context.set_offline(True)
    axe: dict[str, list[str]] = {}

    # A treatment: a stop before the start is refused beside "Stopped on", then it is added.
    _go(page, "#treatments", "Treatments and routines")
    page.get_by_role("button", name="Add a treatment").click()
    form = page.get_by_role("form", name="New treatment")
    form.get_by_label("Kind").select_option("physiotherapy")
    form.get_by_label("What is it?").fill("Back exercises from my physio")
    form.get_by_label("Why I use it").fill("A stronger back for lifting")
    form.get_by_label("When and how often").fill("15 minutes every morning")
    form.get_by_label("Started on").fill(today.isoformat())
    form.get_by_label("Stopped on").fill((today - timedelta(days=1)).isoformat())
    form.get_by_role("button", name="Add treatment").click()
    stopped = form.get_by_label("Stopped on")
    expect(stopped).to_have_attribute("aria-invalid", "true")
    expect(stopped).to_have_accessible_description(re.compile("is before it started"))
    expect(page.get_by_role("article")).to_have_count(0)
    stopped.fill("")
    (form.get_by_role("radiogroup", name="How helpful is it? (0–10)")
     .get_by_role("radio", name="6", exact=True).check())
    form.get_by_role("button", name="Add treatment").click()
    card = page.get_by_role("article", name="Back exercises from my physio")
    expect(card).to_contain_text("6 out of 10")
    card.get_by_label("Status").select_option("paused")
    expect(card.locator(".badge")).to_have_text("Paused")

    # A suggested routine picked in one tap, ticked, unticked and ticked again today.
    page.get_by_role("button", name=f"Add {ROUTINE}").click()
    routine = page.get_by_role("article", name=ROUTINE)
    done = routine.get_by_role("button", name=f"Done today: {ROUTINE}")
    today_in_week = routine.locator("li[aria-current='date'] .sr-only")
    expect(today_in_week).to_have_text(f"{WEEKDAYS[today.weekday()]}: not done")
    done.click()
    expect(done).to_have_attribute("aria-pressed", "true")
    done.click()
    expect(done).to_have_attribute("aria-pressed", "false")
    done.click()
    expect(done).to_have_attribute("aria-pressed", "true")
    expect(today_in_week).to_have_text(f"{WEEKDAYS[today.weekday()]}: done")
    expect(routine).to_contain_text("This week: done on 1 day, 7 planned.")
    expect(page.get_by_role("button", name=f"Add {ROUTINE}")).to_have_count(0)
    axe["treatments"] = axe_violations(page)

    # A decision with one option is refused beside the second option; nothing is written.
    _go(page, "#decisions", "Decisions")
    page.get_by_role("button", name="New decision").click()
    form = page.get_by_role("form", name="New decision")
    form.get_by_label("The question").fill(QUESTION)
    form.get_by_label("Option 1", exact=True).fill("Join the Tuesday walking group")
    form.get_by_role("button", name="Save decision").click()
    second = form.get_by_label("Option 2", exact=True)
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(second).to_have_accessible_description(re.compile("at least two options"))
    expect(second).to_be_focused()
    expect(page.get_by_role("article")).to_have_count(1)  # only the one from the visit
    axe["decisions, refused"] = axe_violations(page)

    second.fill("Keep walking on my own")
    form.get_by_label("Benefits of option 1").fill("Company, and someone sets the pace")
    form.get_by_label("Burdens of option 1").fill("A fixed time each week")
    form.get_by_label("What is uncertain about option 1").fill(KNEE)
    form.get_by_label("What matters to me").fill("Walking with my grandchildren")
    form.get_by_label("What we chose").select_option("Join the Tuesday walking group")
    form.get_by_label("Review on").fill(today.isoformat())
    form.get_by_role("button", name="Save decision").click()
    mine = page.get_by_role("article", name=QUESTION)
    expect(mine).to_contain_text("Written by you")
    expect(mine).to_contain_text("Review due today")
    expect(mine.get_by_role("heading", name="Keep walking on my own")).to_be_visible()
    axe["decisions"] = axe_violations(page)

    # Learn opens offline (its module was never loaded online), and a page links back.
    _go(page, "#learn/pacing", "Pacing: a set amount, not until it hurts")
    expect(page.get_by_text("stop at the quota, not at the pain")).to_be_visible()
    expect(page.get_by_role("heading", name="Sources")).to_be_visible()
    axe["learn page"] = axe_violations(page)
    page.get_by_role("link", name="All Learn pages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn")
    expect(page.get_by_text("Pacewise gives no diagnosis.")).to_be_visible()
    axe["learn"] = axe_violations(page)

    # Back online: everything syncs, and the server holds it with the right fields.
    context.set_offline(False)
    expect(sync_status(page)).to_have_text("Synced")

    [treatment] = _items(server, person, "treatments")
    assert {k: treatment[k] for k in ("kind", "title", "why", "schedule", "started_on",
                                      "stopped_on", "status", "helpfulness")} == {
        "kind": "physiotherapy", "title": "Back exercises from my physio",
        "why": "A stronger back for lifting", "schedule": "15 minutes every morning",
        "started_on": today.isoformat(), "stopped_on": None, "status": "paused",
        "helpfulness": 6}
    [routine_record] = _items(server, person, "routines")
    assert (routine_record["title"], routine_record["area"], routine_record["days"],
            routine_record["done_dates"]) == (ROUTINE, "sleep", [0, 1, 2, 3, 4, 5, 6],
                                              [today.isoformat()])
    decisions = {d["question"]: d for d in _items(server, person, "decisions")}
    assert set(decisions) == {QUESTION, VISIT_QUESTION}  # the refused one was never written
    ours = decisions[QUESTION]
    assert ours["options"] == [
        {"option": "Join the Tuesday walking group",
         "benefits": "Company, and someone sets the pace", "burdens": "A fixed time each week",
         "uncertainty": KNEE},
        {"option": "Keep walking on my own", "benefits": None, "burdens": None,
         "uncertainty": None}]
    assert (ours["what_matters"], ours["choice"], ours["decided_on"], ours["review_on"],
            ours["author_role"]) == ("Walking with my grandchildren",
                                     "Join the Tuesday walking group", today.isoformat(),
                                     today.isoformat(), "patient")
    assert decisions[VISIT_QUESTION]["author_role"] == "physiotherapist"

    assert {screen: lines for screen, lines in axe.items() if lines} == {}
