"""Every screen of the patient app in Chromium at a 390 px phone width: axe-core finds no
violations, Today's controls are 44 px touch targets, the flare plan is one tap away
from everywhere, the red flags work offline, and text people type stays text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from tests.browser.conftest import (
    BrowserContext,
    Locator,
    Page,
    Person,
    Server,
    Watch,
    axe_violations,
    checkin_form,
    choose,
    eventually,
    expect,
    register_patient,
    sign_in,
    sync_status,
    todays_entries,
    wait_until_offline_ready,
)
from tests.factories import valid_fields

# Route (the hash) and the start of the screen's level-1 heading.
SCREENS = {
    "today": "Today", "goals": "Goals", "pacing": "Pacing", "progress": "Progress",
    "flare-plan": "Flare plan", "settings": "Settings", "red-flags": "Red flags",
    "builder": "Build my plan", "checkup": "Questionnaires and tests", "review": "Weekly review",
    "plan": "My plan", "treatments": "Treatments and routines", "decisions": "Decisions",
    "learn": "Learn", "care-team": "Care team",
}
MIN_TARGET = 44


def _a_month_of_data(server: Server, person: Person) -> None:
    """Records for every screen, stored through the REST API as another device would."""
    today = date.today()
    with server.api(person) as api:

        def post(collection: str, fields: dict[str, Any]) -> dict[str, Any]:
            answer = api.post(f"/api/v1/{collection}", json=fields)
            assert answer.status_code == 201, answer.text
            return answer.json()  # type: ignore[no-any-return]

        for days_ago in range(0, 28, 3):
            post("diary-entries", valid_fields(
                "diary_entry", local_date=(today - timedelta(days=days_ago)).isoformat(),
                pain=4 + days_ago % 3, function=5 + days_ago % 4))
        goal = post("goals", valid_fields("goal", steps=[
            {"title": "Walk 7 minutes", "target": 7, "due_date": today.isoformat()}]))
        post("goal-checkins", valid_fields("goal_checkin", goal_id=goal["id"],
                                           local_date=today.isoformat()))
        plan = post("pacing-plans", valid_fields("pacing_plan"))
        post("pacing-sessions", valid_fields("pacing_session", plan_id=plan["id"]))
        post("flare-plans", valid_fields("flare_plan"))
        post("reminders", valid_fields("reminder"))


def _open(page: Page, route: str) -> None:
    page.goto(f"/#{route}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(SCREENS[route])
    expect(page.get_by_text("Loading…")).to_have_count(0)


def _with_data(page: Page, server: Server) -> Page:
    """A patient whose data was all on the server before this device first opened the
    app, so that its first pull (one page) brings everything at once."""
    person = server.register("Dana Data")
    _a_month_of_data(server, person)
    sign_in(page, person)
    expect(todays_entries(page)).to_have_count(1)
    return page


def _tab(page: Page, name: str) -> Locator:
    return page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True)


@pytest.fixture
def patient_with_data(page: Page, server: Server) -> Page:
    return _with_data(page, server)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_any_screen_of_the_patient_app(
    new_context: Callable[..., BrowserContext], server: Server, scheme: str
) -> None:
    page = _with_data(new_context(color_scheme=scheme).new_page(), server)
    found: dict[str, list[str]] = {}
    for route in SCREENS:
        _open(page, route)
        found[route] = axe_violations(page)
    _open(page, "today")
    page.get_by_role("button", name="More details").click()
    page.get_by_role("button", name="Edit check-in").click()
    found["today, editing with more details"] = axe_violations(page)

    assert {screen: lines for screen, lines in found.items() if lines} == {}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations_on_the_sign_in_and_registration_pages(
    new_context: Callable[..., BrowserContext], scheme: str
) -> None:
    page = new_context(color_scheme=scheme).new_page()
    found = {}
    for path in ("/login", "/register"):
        page.goto(path)
        found[path] = axe_violations(page)
    page.get_by_role("button", name="Create account").click()  # empty: the browser objects
    page.get_by_label("Email").fill("someone@example.org")
    page.get_by_label("Name").fill("Some One")
    page.get_by_label("Password").fill("short")
    page.evaluate("document.querySelector('form').noValidate = true")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_be_visible()
    found["/register with an error"] = axe_violations(page)

    assert {path: lines for path, lines in found.items() if lines} == {}


# Which controls count, and what the target of each is: every visible link, button,
# input, select, textarea and summary. Radios and checkboxes are activated by their whole
# <label>, so the label is their target. Exempt, as WCAG 2.5.8 allows: a link inside a
# sentence of a paragraph ("inline": the paragraph has words besides its links), whose
# size is set by the line of text around it; a paragraph of links only is not exempt.
# The skip link is measured while focused, the only time it is on screen.
SMALL_TARGETS = """(least) => {
  const small = [];
  const controls = document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [role="button"], [role="radio"]');
  for (const control of controls) {
    if (control.closest('[hidden]') || control.getClientRects().length === 0) continue;
    const target = control.matches('input[type=radio], input[type=checkbox]')
      ? (control.closest('label') ?? control) : control;
    if (control.matches('a') && control.parentElement?.matches('p')) {
      const words = control.parentElement.cloneNode(true);
      for (const link of words.querySelectorAll('a')) link.remove();
      if (words.textContent.trim().length > 0) continue;  // a link in a sentence: exempt
    }
    const box = target.getBoundingClientRect();
    if (box.width < least || box.height < least) {
      const name = control.getAttribute('aria-label') || control.labels?.[0]?.textContent
        || control.textContent || control.name || control.tagName;
      small.push(`${control.tagName.toLowerCase()} "${name.trim().slice(0, 40)}":`
        + ` ${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""


def test_every_control_on_today_is_at_least_44_px_in_both_directions(
    patient_with_data: Page,
) -> None:
    page = patient_with_data
    choose(page, "Interference", 3)  # shows the scale's "Clear" button
    page.get_by_role("button", name="More details").click()
    page.get_by_role("link", name="Skip to content").focus()  # shows the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

    assert page.evaluate(SMALL_TARGETS, MIN_TARGET) == []
    counted = page.locator("button:visible, input:visible, a:visible").count()
    assert counted > 40  # the check saw Today's controls, not an empty page


def test_the_flare_plan_is_one_tap_from_every_screen(patient_with_data: Page) -> None:
    page = patient_with_data
    for route in SCREENS:
        _open(page, route)
        _tab(page, "Flare plan").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Flare plan")
        expect(page.get_by_role("heading", name="Warning signs")).to_be_visible()


def test_the_flare_plan_and_red_flags_open_offline(
    context: BrowserContext, patient_with_data: Page
) -> None:
    page = patient_with_data
    wait_until_offline_ready(page)
    context.set_offline(True)

    page.reload()
    _tab(page, "Flare plan").click()
    expect(page.get_by_text("Stiff in the morning")).to_be_visible()
    page.get_by_role("link", name="Red flags").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Red flags: get help now")
    expect(page.get_by_text("call your local emergency number now")).to_be_visible()
    expect(page.get_by_text("Loss of bladder or bowel control")).to_be_visible()


NOTE = "<img src=x onerror=alert(1)>"
BREAKOUT = '"><script>alert(2)</script>'


def test_markup_typed_into_the_app_is_shown_as_text_and_never_runs(
    page: Page, server: Server, watched: Watch
) -> None:
    person = register_patient(page)
    choose(page, "Pain", 5)
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Notes").fill(NOTE)
    page.get_by_label("Activities").fill(BREAKOUT)
    page.get_by_role("button", name="Save check-in").click()
    _tab(page, "Flare plan").click()
    page.get_by_role("button", name="Write my flare plan").click()
    page.get_by_label("Warning signs").fill(f"{NOTE}\n{BREAKOUT}")
    page.get_by_role("button", name="Save flare plan").click()
    eventually(page, lambda: [(e.notes, e.activities) for e in server.entries(person.email)],
               [(NOTE, [BREAKOUT])])
    expect(sync_status(page)).to_have_text("Synced")

    page.reload()  # shown again from what was synced
    expect(page.get_by_role("listitem").filter(has_text=NOTE)).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=BREAKOUT)).to_be_visible()
    _tab(page, "Today").click()
    expect(checkin_form(page)).to_be_visible()
    todays_entries(page).first.get_by_role("button", name="Edit check-in").click()
    page.get_by_role("button", name="More details").click()
    expect(page.get_by_label("Notes")).to_have_value(NOTE)
    expect(page.get_by_label("Activities")).to_have_value(BREAKOUT)

    assert page.locator("img[src='x'], main script").count() == 0
    page.wait_for_timeout(300)
    assert watched.dialogs == []
    assert watched.csp == []
    assert watched.errors == []


def test_at_200_percent_zoom_every_screen_fits_the_width_of_a_360_px_phone(
    new_context: Callable[..., BrowserContext],
) -> None:
    # A 360 px phone at 200 % zoom lays out 180 CSS pixels; device_scale_factor keeps the
    # pixels real. WCAG 1.4.10 (reflow): no horizontal scrolling at that width.
    page = new_context(viewport={"width": 180, "height": 400}, device_scale_factor=2).new_page()
    register_patient(page)
    sideways = {}
    for route in sorted(SCREENS):
        page.goto(f"/#{route}")
        expect(page.get_by_role("heading", level=1, name=SCREENS[route])).to_be_visible()
        expect(page.get_by_text("Loading…")).to_have_count(0)
        sideways[route] = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert {route: px for route, px in sideways.items() if px > 1} == {}, \
        "screens that scroll sideways at 200 % zoom (px)"


def test_at_200_percent_zoom_a_check_in_can_still_be_saved(
    new_context: Callable[..., BrowserContext], server: Server
) -> None:
    page = new_context(viewport={"width": 180, "height": 400}, device_scale_factor=2).new_page()
    person = register_patient(page)
    choose(page, "Pain", 6)
    page.get_by_role("button", name="Save check-in").click()
    expect(todays_entries(page)).to_have_count(1)
    eventually(page, lambda: [e.pain for e in server.entries(person.email)], [6])
