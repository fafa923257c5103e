"""People on a shared phone: signing out waits for unsynced changes and then leaves no diary
data in the browser, and the next person to sign in sees nothing of the previous one."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import (
    BrowserContext,
    Page,
    Server,
    choose,
    eventually,
    expect,
    register_patient,
    sign_in,
    sync_status,
    todays_entries,
    user_databases,
    wait_until_offline_ready,
)

PUSH = "**/api/v1/sync/push"

# Everything the origin keeps in the browser besides cookies, as text: IndexedDB database
# names, localStorage and sessionStorage, and every Cache Storage entry with its body.
BROWSER_STORAGE = """async () => {
  const caches_ = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      const response = await cache.match(request);
      caches_.push({cache: name, url: request.url, body: await response.clone().text()});
    }
  }
  return {
    databases: (await indexedDB.databases()).map((database) => database.name),
    localStorage: Object.fromEntries(Object.entries(localStorage)),
    sessionStorage: Object.fromEntries(Object.entries(sessionStorage)),
    caches: caches_,
  };
}"""


def _save_with_note(page: Page, pain: int, note: str) -> None:
    choose(page, "Pain", pain)
    page.get_by_role("button", name="More details").click()
    page.get_by_label("Notes").fill(note)
    page.get_by_role("button", name="Save check-in").click()


def _assert_no_diary_data(storage: dict[str, Any], *secrets: str) -> None:
    assert not [name for name in storage["databases"] if name.startswith("pacewise")], storage
    assert "pacewise.user" not in storage["localStorage"]
    for entry in storage["caches"]:
        assert "/api/" not in entry["url"], entry["url"]
    text = repr(storage)
    for secret in secrets:
        assert secret not in text, f"{secret!r} is still in the browser's storage"


def test_sign_out_with_unsynced_changes_warns_waits_syncs_then_leaves_no_diary_data(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page, name="Robin Private")
    wait_until_offline_ready(page)
    context.route(PUSH, lambda route: route.abort())  # the server cannot be reached
    note = "knee gave way on the stairs 4711"
    _save_with_note(page, 7, note)
    expect(sync_status(page)).to_have_text("Offline — will sync later")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()

    expect(page.get_by_role("alert")).to_contain_text("1 change is not on the server yet")
    expect(page.get_by_role("button", name="Discard changes and sign out")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.url.endswith("#settings"), "signed out without waiting"
    assert any(name.startswith("pacewise-") for name in user_databases(page))
    assert server.entries(person.email) == []

    context.unroute(PUSH)
    page.get_by_role("button", name="Sync, then sign out").click()

    expect(page).to_have_url(f"{server.url}/login")
    assert [(e.pain, e.notes) for e in server.entries(person.email)] == [(7, note)]
    _assert_no_diary_data(page.evaluate(BROWSER_STORAGE), note, "Robin Private", person.email)
    page.goto("/")
    expect(page).to_have_url(f"{server.url}/login")


def test_discarding_unsynced_changes_at_sign_out_removes_them_from_the_device(
    context: BrowserContext, page: Page, server: Server
) -> None:
    person = register_patient(page)
    wait_until_offline_ready(page)
    context.route(PUSH, lambda route: route.abort())
    note = "not for the server 0815"
    _save_with_note(page, 2, note)
    expect(sync_status(page)).to_have_text("Offline — will sync later")

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Discard changes and sign out").click()

    expect(page).to_have_url(f"{server.url}/login")
    assert server.entries(person.email) == []
    _assert_no_diary_data(page.evaluate(BROWSER_STORAGE), note)


def test_a_second_person_signing_in_on_the_same_browser_sees_none_of_the_first_ones_data(
    page: Page, server: Server
) -> None:
    first = register_patient(page, name="Fran First")
    note = "Fran's shoulder note 2026"
    _save_with_note(page, 8, note)
    eventually(page, lambda: len(server.entries(first.email)), 1)
    expect(sync_status(page)).to_have_text("Synced")
    first_id = page.request.get("/api/v1/me").json()["id"]
    assert f"pacewise-{first_id}" in user_databases(page)

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{server.url}/login")
    assert f"pacewise-{first_id}" not in user_databases(page)

    second = server.register("Sam Second")
    sign_in(page, second)

    expect(todays_entries(page)).to_have_count(0)
    expect(page.get_by_text("No check-ins yet today")).to_be_visible()
    expect(sync_status(page)).to_have_text("Synced")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_text("Signed in as Sam Second")).to_be_visible()
    shown = page.locator("body").inner_text()
    assert "Fran" not in shown and note not in shown
    storage = page.evaluate(BROWSER_STORAGE)
    second_id = page.request.get("/api/v1/me").json()["id"]
    assert [name for name in storage["databases"] if name.startswith("pacewise")] == [
        f"pacewise-{second_id}"]
    assert note not in repr(storage)
    assert server.entries(second.email) == []
    assert [entry.notes for entry in server.entries(first.email)] == [note]
