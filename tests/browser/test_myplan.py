"""My plan (#plan) and Progress (#progress) in Chromium at a 390 px phone width: the whole
plan on one page and in print, and progress led by function, with the PSFS real change."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from app.db import unit_of_work
from app.services import accounts, clinic_patient
from tests.browser.conftest import (
    Locator,
    Page,
    Person,
    Server,
    axe_violations,
    expect,
    sign_in,
    todays_entries,
)
from tests.conftest import PASSWORD

TODAY = date.today()
SECTIONS = ["What matters", "Goals", "Pacing", "Treatments and routines", "Decisions",
            "Flare plan", "Latest scores", "Care-team notes"]
PSFS = "Function: the activities that are hard now (PSFS)"
PAIN = "Daily check-ins: function, interference and pain"


def _day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def _seed_a_whole_plan(server: Server, person: Person) -> None:
    """The plan as another device of the patient's wrote it, and a care-team note."""
    with server.api(person) as api:

        def post(collection: str, fields: dict[str, Any]) -> dict[str, Any]:
            answer = api.post(f"/api/v1/{collection}", json=fields)
            assert answer.status_code == 201, (collection, answer.text)
            return answer.json()  # type: ignore[no-any-return]

        value = post("values", {"title": "Time with the grandchildren", "importance": 9})
        post("goals", {
            "title": "Walk to the park with Mia", "value_ids": [value["id"]],
            "measure": "minutes walked", "unit": "minutes", "baseline": 5, "target": 20,
            "steps": [{"title": "Walk 8 minutes", "due_date": _day(3), "done": True},
                      {"title": "Walk 12 minutes", "due_date": _day(-14)}],
            "barriers": [{"barrier": "Rainy days", "plan": "Walk laps of the shopping centre"}],
            "contingency": "Walk to the gate and back, then rest"})
        post("pacing-plans", {"activity": "Gardening", "unit": "minutes", "baseline": 8,
                              "quota": 8, "rest_minutes": 10})
        post("treatments", {"kind": "physiotherapy", "title": "Weekly physio"})
        post("routines", {"title": "Screens off at 22:00", "area": "sleep"})
        post("decisions", {"question": "Try a walking group?", "choice": "Join in January",
                           "review_on": _day(-30)})
        post("flare-plans", {"warning_signs": ["Stiff every morning"],
                             "first_steps": ["Heat pack and a short walk"]})
        for days_ago, walking, stairs in [(21, 3, 4), (1, 7, 6)]:
            post("outcome-responses", {"instrument": "psfs", "local_date": _day(days_ago),
                                       "answers": {"activities": [
                                           {"activity": "Walking", "score": walking},
                                           {"activity": "Stairs", "score": stairs}]}})
        post("diary-entries", {"local_date": TODAY.isoformat(), "pain": 5, "function": 6})
        patient_id = uuid.UUID(api.get("/api/v1/me").json()["id"])

    with unit_of_work(server.engine, write=True) as session:
        clinician = accounts.create_user(
            session, email=f"{uuid.uuid4().hex[:10]}@clinic.example", password=PASSWORD,
            name="Cleo Clinician", role="clinician")
        clinic_patient.add_note(session, patient_id=patient_id, clinician=clinician,
                                care_role="physiotherapist", kind="progress",
                                text="Walking tolerance is up; keep the quota steady.")


def _section(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def _h2s(page: Page) -> list[str]:
    texts: list[str] = page.locator("#main h2").all_inner_texts()
    return [text.strip() for text in texts]


def test_my_plan_shows_every_section_and_prints_and_progress_leads_with_function(
    page: Page, server: Server
) -> None:
    person = server.register("Pat Plan")
    _seed_a_whole_plan(server, person)
    sign_in(page, person)
    expect(todays_entries(page)).to_have_count(1)

    page.goto("/#plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My plan")
    expect(_section(page, "Care-team notes")).to_contain_text("Walking tolerance is up")
    assert _h2s(page) == SECTIONS
    expect(_section(page, "What matters")).to_contain_text("Time with the grandchildren")
    goals = _section(page, "Goals")
    goal = goals.get_by_role("article", name="Walk to the park with Mia")
    for text in ["For what matters: Time with the grandchildren", "Steps: 1 of 2 done",
                 "Done Walk 8 minutes", "To do Walk 12 minutes",
                 "Rainy days — my plan: Walk laps of the shopping centre",
                 "On a bad day: Walk to the gate and back, then rest"]:
        expect(goal).to_contain_text(text)
    expect(_section(page, "Pacing")).to_contain_text(
        "Gardening: quota 8 minutes, then rest 10 minutes")
    expect(_section(page, "Treatments and routines")).to_contain_text("Weekly physio")
    expect(_section(page, "Treatments and routines")).to_contain_text("Screens off at 22:00")
    expect(_section(page, "Decisions")).to_contain_text("Choice: Join in January")
    expect(_section(page, "Flare plan")).to_contain_text("Stiff every morning")
    scores = _section(page, "Latest scores")
    expect(scores).to_contain_text("6.5 of 10")
    expect(scores).to_contain_text(re.compile(r"\+3 since [^:]+: a real change for the better"))
    expect(_section(page, "Care-team notes")).to_contain_text("Cleo Clinician (Physiotherapist)")
    assert axe_violations(page) == []

    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(goal).to_be_visible()
    expect(goal).to_contain_text("Walk 12 minutes")
    colours = page.evaluate("() => [getComputedStyle(document.body).color,"
                            " getComputedStyle(document.body).backgroundColor]")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"]
    page.emulate_media(media="screen")
    expect(page.get_by_role("button", name="Print")).to_be_visible()

    page.goto("/#progress")
    expect(page.get_by_role("heading", level=1)).to_have_text("Progress")
    psfs = _section(page, PSFS)
    table = psfs.get_by_role("table", name="PSFS scores (0–10, higher is better)")
    rows = table.get_by_role("row")
    expect(rows).to_have_count(3)
    cells = table.evaluate(
        "table => [...table.rows].map((row) => [...row.cells].map((cell) => cell.textContent))")
    assert cells == [["Date", "Mean", "Walking", "Stairs"],
                     [_day(21), "3.5", "3", "4"], [_day(1), "6.5", "7", "6"]]
    expect(psfs.locator(".chart-summary")).to_contain_text(
        f"up 3 since the first ({_day(21)}), a real change for the better")
    expect(psfs.locator(".chart canvas").first).to_be_attached()
    headings = _h2s(page)
    assert headings[0] == PSFS
    assert headings.index(PSFS) < headings.index(PAIN) == len(headings) - 1
    assert axe_violations(page) == []
