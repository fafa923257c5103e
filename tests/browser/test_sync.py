"""Logging and syncing in Chromium: the three-tap check-in, offline use, a push whose
answer is lost, and two devices editing one check-in while offline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from tests.browser.conftest import (
    BrowserContext,
    Page,
    Route,
    Server,
    checkin_form,
    choose,
    eventually,
    expect,
    register_patient,
    running_server,
    sign_in,
    sync_status,
    todays_entries,
    wait_until_offline_ready,
)
from tests.conftest import ENGINES


@pytest.fixture(scope="module", params=ENGINES)
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Sync through a real browser on every engine under test."""
    with running_server(request.param, tmp_path_factory.mktemp("sync")) as running:
        yield running


def _today(page: Page) -> date:
    return date.fromisoformat(page.evaluate(
        "(() => { const d = new Date(); return [d.getFullYear(),"
        " String(d.getMonth() + 1).padStart(2, '0'), String(d.getDate()).padStart(2, '0')]"
        ".join('-'); })()"))


def test_a_check_in_takes_three_interactions_open_choose_pain_save(
    page: Page, server: Server
) -> None:
    person = register_patient(page)

    page.goto("/")  # 1: open the app
    choose(page, "Pain", 4)  # 2: one tap on the pain scale
    page.get_by_role("button", name="Save check-in").click()  # 3: save

    expect(todays_entries(page)).to_have_count(1)
    expect(todays_entries(page).first).to_contain_text("Pain 4")
    eventually(page, lambda: [(e.pain, e.local_date) for e in server.entries(person.email)],
               [(4, _today(page))])
    expect(sync_status(page)).to_have_text("Synced")


def test_offline_the_app_opens_keeps_a_check_in_and_syncs_it_once_back_online(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page)
    wait_until_offline_ready(page)

    context.set_offline(True)
    page.reload()
    expect(checkin_form(page)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    choose(page, "Pain", 6)
    choose(page, "Function", 3)
    page.get_by_role("button", name="Save check-in").click()

    expect(sync_status(page)).to_have_text("Offline — will sync later")
    expect(todays_entries(page)).to_have_count(1)
    expect(todays_entries(page).first).to_contain_text("not synced yet")
    assert server.entries(person.email) == []

    context.set_offline(False)

    expect(sync_status(page)).to_have_text("Synced")
    eventually(page, lambda: [(e.pain, e.function, e.interference)
                        for e in server.entries(person.email)], [(6, 3, None)])
    expect(todays_entries(page).first).not_to_contain_text("not synced yet")


def test_a_push_whose_answer_is_lost_after_the_commit_is_applied_once(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page)
    answers: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Route) -> None:
        response = route.fetch()
        answers.append(response.json())
        if len(answers) == 1:
            route.abort("connectionreset")  # the server committed; the phone hears nothing
        else:
            route.fulfill(response=response)

    context.route("**/api/v1/sync/push", lose_the_first_answer)
    choose(page, "Pain", 3)
    page.get_by_role("button", name="Save check-in").click()

    eventually(page, lambda: len(answers) >= 1, True)
    assert [result["status"] for result in answers[0]["results"]] == ["applied"]
    assert len(server.entries(person.email)) == 1  # committed before the answer was lost

    eventually(page, lambda: len(answers) >= 2, True)  # the retry, after a short backoff
    assert [result["status"] for result in answers[1]["results"]] == ["duplicate"]
    expect(sync_status(page)).to_have_text("Synced")
    assert [entry.pain for entry in server.entries(person.email)] == [3]
    expect(todays_entries(page)).to_have_count(1)


def test_two_offline_devices_editing_different_fields_of_one_check_in_keep_both_edits(
    new_context: Callable[..., BrowserContext], server: Server
) -> None:
    phone, tablet = new_context(), new_context()
    on_phone, on_tablet = phone.new_page(), tablet.new_page()
    person = register_patient(on_phone)
    choose(on_phone, "Pain", 5)
    on_phone.get_by_role("button", name="Save check-in").click()
    eventually(on_phone, lambda: len(server.entries(person.email)), 1)
    sign_in(on_tablet, person)
    expect(todays_entries(on_tablet)).to_have_count(1)
    for page in (on_phone, on_tablet):
        wait_until_offline_ready(page)

    phone.set_offline(True)
    tablet.set_offline(True)
    on_phone.get_by_role("button", name="Edit check-in").click()
    choose(on_phone, "Interference", 6)
    on_phone.get_by_role("button", name="Save changes").click()
    on_tablet.get_by_role("button", name="Edit check-in").click()
    choose(on_tablet, "Function", 7)
    on_tablet.get_by_role("button", name="Save changes").click()
    for page in (on_phone, on_tablet):
        expect(sync_status(page)).to_have_text("Offline — will sync later")

    phone.set_offline(False)
    eventually(on_phone, lambda: [(e.pain, e.interference, e.function)
                        for e in server.entries(person.email)], [(5, 6, None)])
    tablet.set_offline(False)
    eventually(on_tablet, lambda: [(e.pain, e.interference, e.function)
                        for e in server.entries(person.email)], [(5, 6, 7)])

    expect(sync_status(on_tablet)).to_have_text("Synced")
    on_phone.reload()  # the phone opens the app again and pulls the tablet's edit
    for page in (on_phone, on_tablet):
        expect(todays_entries(page)).to_have_count(1)
        expect(todays_entries(page).first).to_contain_text("Function 7 · Interference 6 · Pain 5")
        expect(sync_status(page)).to_have_text("Synced")
