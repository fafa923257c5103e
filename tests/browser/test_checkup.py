"""Questionnaires and tests (#checkup) in Chromium at 390 px: a PHQ-2 of 3 brings the gentle
care-team prompt, a chair stand is recorded after its safety screen, bad input is refused
next to its field, everything is written offline and reaches the server when back online."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import (
    BrowserContext,
    Page,
    Server,
    axe_violations,
    eventually,
    expect,
    register_patient,
    sync_status,
)


def _stored(server: Server, person: Any, collection: str) -> list[dict[str, Any]]:
    with server.api(person) as api:
        answer = api.get(f"/api/v1/{collection}")
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]  # type: ignore[no-any-return]


def test_phq2_prompts_the_care_team_and_a_chair_stand_is_recorded_offline(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page)
    page.goto("/#checkup")
    expect(page.get_by_role("heading", level=1)).to_have_text("Questionnaires and tests")
    phq2 = page.get_by_role("article", name="PHQ-2: Patient Health Questionnaire-2")
    expect(phq2).to_be_visible()
    context.set_offline(True)

    # Missing answers are named next to the question, and nothing is saved.
    phq2.get_by_role("button", name="Answer PHQ-2").click()
    phq2.get_by_role("button", name="Save PHQ-2").click()
    interest = phq2.get_by_role("radiogroup", name="Little interest or pleasure in doing things")
    mood = phq2.get_by_role("radiogroup", name="Feeling down, depressed, or hopeless")
    expect(interest).to_have_attribute("aria-invalid", "true")
    expect(interest).to_have_accessible_description(re.compile("Choose an answer for"))
    expect(phq2.get_by_role("alert")).to_contain_text("2 answers are missing")

    interest.get_by_role("radio", name="More than half the days").check()  # 2
    mood.get_by_role("radio", name="Several days").check()  # 1
    phq2.get_by_role("button", name="Save PHQ-2").click()
    expect(phq2).to_contain_text("Saved: PHQ-2 3 of 6")
    prompt = page.get_by_role("region", name="Talk to your care team")
    expect(prompt).to_contain_text("talk to your care team about how your mood has been")
    expect(prompt).to_contain_text("Pacewise gives no diagnosis")
    expect(prompt).to_contain_text("Kroenke")
    expect(prompt).to_contain_text("contact your clinician or emergency services now")
    expect(prompt).to_contain_text("Mental Health Foundation")
    expect(phq2).to_contain_text("This is not a diagnosis")  # beside the saved answer too
    gad2 = page.get_by_role("article", name="GAD-2: Generalized Anxiety Disorder-2")
    gad2.get_by_role("button", name="Answer GAD-2").click()
    gad2.get_by_role("button", name="Save GAD-2").click()  # left with its errors showing

    # The chair stand: the safety screen first, then the timer and the tap counter.
    chair = page.get_by_role("article", name="30-second chair stand")
    chair.get_by_role("button", name="Do the 30-second chair stand").click()
    chair.get_by_role("button", name="Start the timer").click()
    expect(chair.get_by_text("Tick each point to confirm it")).to_be_visible()
    expect(chair.get_by_role("timer")).to_have_count(0)
    expect(chair).to_contain_text("CDC STEADI")
    # axe at 390 px: the care-team prompt, a form with errors, the safety screen with its error.
    assert axe_violations(page) == []
    for box in chair.get_by_role("checkbox").all():
        box.check()
    chair.get_by_role("button", name="Start the timer").click()
    expect(chair.get_by_role("timer")).to_have_text(re.compile(r"0:(30|29|28)"))
    counter = chair.get_by_role("button", name="Count a stand")
    assert axe_violations(page) == []  # the running timer and the tap counter
    for _ in range(7):
        counter.click()
    chair.get_by_role("button", name="Undo last stand").click()
    expect(chair.get_by_text("Stands: 6")).to_be_visible()
    chair.get_by_role("button", name="Finish now").click()

    stands = chair.get_by_label("Stands in 30 seconds")
    expect(stands).to_have_value("6")
    stands.fill("75")
    chair.get_by_role("button", name="Save result").click()
    expect(stands).to_have_attribute("aria-invalid", "true")
    expect(stands).to_have_accessible_description(re.compile("75 is outside 0–60"))
    expect(chair.get_by_role("button", name="Save result")).to_be_visible()  # not saved
    stands.fill("6")
    chair.get_by_role("checkbox", name="Someone was with me").check()
    chair.get_by_role("button", name="Save result").click()
    expect(chair).to_contain_text("Saved: 6 repetitions, with someone.")
    expect(page.get_by_role("region", name="Latest results")).to_contain_text(
        "30-second chair stand: 6 repetitions")

    # Back online, both reach the server; the refused 75 never left the device.
    context.set_offline(False)
    eventually(page, lambda: [(r["instrument"], r["score"], r["answers"])
                              for r in _stored(server, person, "outcome-responses")],
               [("phq2", 3, {"interest": 2, "mood": 1})])
    eventually(page, lambda: [(t["kind"], t["value"], t["unit"], t["with_helper"])
                              for t in _stored(server, person, "performance-tests")],
               [("chair_stand_30s", 6, "repetitions", True)])
    expect(sync_status(page)).to_have_text("Synced")

    prompt.get_by_role("link", name="red-flag symptoms").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Red flags: get help now")

