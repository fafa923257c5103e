"""The installable shell in Chromium: the manifest makes the app installable, the service
worker controls the page, and a new version takes over without losing unsynced entries."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    BrowserContext,
    Page,
    Playwright,
    Server,
    choose,
    copy_of_the_app,
    eventually,
    expect,
    fresh_database,
    register_patient,
    serve_at,
    sync_status,
    todays_entries,
    wait_until_offline_ready,
)
from tests.live import free_port

UPDATE = "Update available — reload"


def _png_size(body: bytes) -> tuple[int, int]:
    assert body[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", body[16:24])
    return width, height


def test_the_manifest_has_what_installing_needs_and_chromium_finds_the_app_installable(
    playwright: Playwright, server: Server, tmp_path: Path
) -> None:
    # A persistent profile: Chromium never offers to install from an incognito context,
    # which is what ordinary test contexts are.
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
        headless=True, base_url=server.url, viewport=PHONE,
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        register_patient(page)
        wait_until_offline_ready(page)

        href = page.locator("link[rel=manifest]").get_attribute("href")
        assert href
        manifest = page.request.get(href).json()
        assert manifest["name"] and manifest["short_name"]
        assert manifest["start_url"] == "/"
        assert manifest["display"] == "standalone"
        assert manifest["theme_color"].startswith("#")
        assert manifest["background_color"].startswith("#")
        icons = {}
        for icon in manifest["icons"]:
            size = _png_size(page.request.get(icon["src"]).body())
            assert f"{size[0]}x{size[1]}" == icon["sizes"], icon
            for purpose in icon.get("purpose", "any").split():
                icons.setdefault(purpose, set()).add(icon["sizes"])
        assert {"192x192", "512x512"} <= icons["any"]
        assert icons["maskable"]

        errors = context.new_cdp_session(page).send("Page.getInstallabilityErrors")
        assert errors["installabilityErrors"] == []
    finally:
        context.close()


def test_after_a_reload_the_service_worker_controls_the_page(page: Page) -> None:
    register_patient(page)
    wait_until_offline_ready(page)

    page.reload()

    controller = page.evaluate("navigator.serviceWorker.controller?.scriptURL ?? null")
    assert controller is not None and controller.endswith("/sw.js")
    cached = page.evaluate("caches.keys()")
    assert [name for name in cached if name.startswith("pacewise-shell-")], cached


def test_a_new_version_takes_over_and_the_unsynced_entry_still_syncs(
    new_context: Callable[..., BrowserContext], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    # One origin for both versions: the same port, the same database.
    port = free_port()
    database_url, engine = fresh_database(tmp_path)
    stored = Server(url=f"http://127.0.0.1:{port}", database_url=database_url, engine=engine)
    request.addfinalizer(engine.dispose)
    release = copy_of_the_app(tmp_path / "next")
    stylesheet = release / "app" / "static" / "css" / "app.css"
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n/* next release */\n",
                          encoding="utf-8")
    context = new_context(base_url=stored.url)
    page = context.new_page()
    pushes = "**/api/v1/sync/push"

    with serve_at(database_url, port):
        person = register_patient(page)
        wait_until_offline_ready(page)
        old_caches = page.evaluate("caches.keys()")
        context.route(pushes, lambda route: route.abort())  # the server cannot be reached
        choose(page, "Pain", 2)
        page.get_by_role("button", name="Save check-in").click()
        expect(sync_status(page)).to_have_text("Offline — will sync later")

    with serve_at(database_url, port, root=release):
        page.reload()  # opening the app makes the browser look for a new worker
        update = page.get_by_role("button", name=UPDATE)
        expect(update).to_be_visible()
        expect(todays_entries(page)).to_have_count(1)

        with page.expect_navigation():
            update.click()
        page.wait_for_function(
            "async (old) => { const names = await caches.keys();"
            " return names.length === 1 && !old.includes(names[0]); }", arg=old_caches)
        assert stored.entries(person.email) == [], "the entry synced before the new version"
        expect(todays_entries(page)).to_have_count(1)

        context.unroute(pushes)
        eventually(page, lambda: [entry.pain for entry in stored.entries(person.email)], [2])
        expect(sync_status(page)).to_have_text("Synced")
        expect(page.get_by_role("button", name=UPDATE)).to_have_count(0)
