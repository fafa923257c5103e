"""The clinician's pages in Chromium at a 390 px width (design §6, §7, §8): script in a
patient's name, a goal title and a care-team note stays text and never runs; axe-core finds
no violations on `/clinic`, the patient page, its plan and its printable summary; the
charts draw under the Content-Security-Policy, each with its data table; and a note and a
shared decision go through the page's forms."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.db import unit_of_work
from app.services import accounts
from tests.browser.conftest import Page, Person, Server, axe_violations, expect

NAME_XSS = '<img src=x onerror="window.__xss=1">'
GOAL_XSS = 'Walk <img src=x onerror="window.__xss=2"> to the park'
NOTE_XSS = 'Pace it <script>window.__xss=3</script><img src=x onerror="window.__xss=4">'


def _patient_who_shares(server: Server, clinician: Person) -> Person:
    """A patient named with a script payload, with a month of data, linked to `clinician`."""
    patient = server.register(NAME_XSS)
    today = date.today()
    with server.api(patient) as api:

        def post(collection: str, fields: dict[str, Any]) -> dict[str, Any]:
            answer = api.post(f"/api/v1/{collection}", json=fields)
            assert answer.status_code == 201, answer.text
            return answer.json()  # type: ignore[no-any-return]

        post("goals", {"title": GOAL_XSS, "steps": [{"title": "Walk 10 minutes"}]})
        for days_ago in range(0, 21, 2):
            post("diary-entries", {"local_date": (today - timedelta(days=days_ago)).isoformat(),
                                   "pain": 4 + days_ago % 3, "interference": 4,
                                   "function": 5 + days_ago % 4})
        for days_ago, score in ((28, 3), (1, 6)):
            post("outcome-responses", {
                "instrument": "psfs", "local_date": (today - timedelta(days=days_ago)).isoformat(),
                "answers": {"activities": [{"activity": "Walking", "score": score}]}})
        plan = post("pacing-plans", {"activity": "Walking", "unit": "minutes", "quota": 10})
        for days_ago in (5, 3, 1):
            started = datetime.now(UTC) - timedelta(days=days_ago)
            post("pacing-sessions", {"plan_id": plan["id"], "kind": "quota", "planned": 10,
                                     "achieved": 10 - days_ago % 2,
                                     "started_at": started.isoformat()})
        code = post("care-links/invites", {"role": "physiotherapist"})["code"]
    with server.api(clinician) as api:
        assert api.post("/api/v1/care-links/redeem", json={"code": code}).status_code in (200, 201)
    return patient


def _clinician(server: Server) -> Person:
    person = Person(name="Jordan Lee")
    with unit_of_work(server.engine, write=True) as session:
        accounts.create_user(session, email=person.email, password=person.password,
                             name=person.name, role="clinician")
    return person


def _no_script_ran(page: Page) -> None:
    assert page.evaluate("typeof window.__xss") == "undefined"


def test_a_clinician_reads_charts_and_tables_writes_a_note_and_a_decision_and_no_script_runs(
    page: Page, server: Server
) -> None:
    clinician = _clinician(server)
    _patient_who_shares(server, clinician)
    violations: dict[str, list[str]] = {}

    page.goto("/login")
    page.get_by_label("Email").fill(clinician.email)
    page.get_by_label("Password").fill(clinician.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Your patients")).to_be_visible()
    violations["/clinic"] = axe_violations(page)

    page.get_by_role("link", name=NAME_XSS).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME_XSS)
    expect(page.get_by_role("heading", name=GOAL_XSS)).to_be_visible()
    # Three charts drawn by uPlot (PSFS, the diary, one pacing plan), each with its table.
    expect(page.locator("[data-chart] canvas")).to_have_count(3)
    psfs = page.get_by_role("region", name="Function over time (PSFS)")
    psfs.get_by_text("Data table").click()
    table = psfs.get_by_role("table", name="PSFS mean (0–10, higher is better) by date, "
                                            "with the change from the first")
    expect(table.get_by_role("row")).to_have_count(3)
    expect(table.get_by_role("cell", name="+3", exact=True)).to_be_visible()
    _no_script_ran(page)
    violations["patient page"] = axe_violations(page)

    page.get_by_label("Kind").select_option("plan")
    page.get_by_label("Note", exact=True).fill(NOTE_XSS)
    page.get_by_role("button", name="Add note").click()
    notes = page.get_by_role("region", name="Care-team notes")
    expect(notes.get_by_text(NOTE_XSS)).to_be_visible()
    _no_script_ran(page)

    decisions = page.get_by_role("region", name="Shared decisions")
    decisions.get_by_label("Question").fill("Add hydrotherapy?")
    decisions.get_by_label("Option 1", exact=True).fill("Hydrotherapy weekly")
    decisions.get_by_label("Option 2", exact=True).fill("Land walking only")
    decisions.get_by_label("Burdens of option 3").fill("Costs money")
    decisions.get_by_role("button", name="Record decision").click()
    expect(decisions.get_by_text("Name option 3, or clear its benefits")).to_be_visible()
    expect(decisions.get_by_label("Option 3", exact=True)).to_have_attribute(
        "aria-invalid", "true")
    expect(decisions.get_by_label("Option 2", exact=True)).to_have_value("Land walking only")
    violations["patient page, decision refused"] = axe_violations(page)
    decisions.get_by_label("Burdens of option 3").fill("")
    decisions.get_by_label("The choice").fill("Try six weeks")
    decisions.get_by_role("button", name="Record decision").click()
    expect(decisions.get_by_role("heading", name="Add hydrotherapy?")).to_be_visible()
    expect(decisions.get_by_text("Choice: Try six weeks")).to_be_visible()

    page.goto(page.url.split("#")[0] + "?from=not-a-day&pain_min=6")
    expect(page.get_by_label("From", exact=True)).to_have_attribute("aria-invalid", "true")
    violations["patient page, bad diary dates"] = axe_violations(page)

    page.get_by_role("link", name="Their plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{NAME_XSS}: their plan")
    expect(page.get_by_text(GOAL_XSS)).to_be_visible()
    expect(page.get_by_text(NOTE_XSS)).to_be_visible()
    _no_script_ran(page)
    violations["plan"] = axe_violations(page)

    page.go_back()
    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("button", name="Print this summary")).to_be_visible()
    expect(page.get_by_text(f"{GOAL_XSS}: 0 of 1 steps")).to_be_visible()
    _no_script_ran(page)
    violations["summary"] = axe_violations(page)

    assert violations == {name: [] for name in violations}
