"""Patient app weight (design §8): a signed-in first load of `/` in Debian's Chromium.

    .venv/bin/python bench/weight.py

A fresh browser profile carrying only a session cookie opens `/` on a live server (its own
SQLite file) and waits until Today's check-in form is shown and the network is quiet.
Counted: the compressed bodies of every response the page itself received (Chrome
DevTools Protocol: bytes on the wire at Network.loadingFinished minus those up to the end
of the response headers), plus the worker script `/sw.js`, which the browser fetches for
the page. Not counted, as the bar says: the service worker's precache fetches (they run
in the worker, a target of its own). Bars: ≤ 100 KB in all, JavaScript ≤ 50 KB. Then the
repeat load: the network is switched off, the page reloaded, and it must render again.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

import app.models  # noqa: E402, F401 - every table on the metadata
from app.config import Settings  # noqa: E402
from app.db import make_engine  # noqa: E402
from tests.live import live_server  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
BAR_TOTAL_KB = 100
BAR_JS_KB = 50
KB = 1024


@dataclass
class Transfer:
    url: str = ""
    kind: str = ""
    headers_bytes: int = 0
    body_bytes: int = 0
    encoding: str = ""
    done: bool = False


@dataclass
class Ledger:
    """The page's own responses, by DevTools request id."""

    transfers: dict[str, Transfer] = field(default_factory=dict)

    def on_response(self, event: dict[str, Any]) -> None:
        response = event["response"]
        transfer = self.transfers.setdefault(event["requestId"], Transfer())
        transfer.url = response["url"]
        transfer.kind = event.get("type", "")
        transfer.headers_bytes = int(response.get("encodedDataLength") or 0)
        headers = {key.lower(): value for key, value in response.get("headers", {}).items()}
        transfer.encoding = headers.get("content-encoding", "")

    def on_finished(self, event: dict[str, Any]) -> None:
        transfer = self.transfers.setdefault(event["requestId"], Transfer())
        transfer.body_bytes = max(0, int(event["encodedDataLength"]) - transfer.headers_bytes)
        transfer.done = True

    def rows(self) -> list[Transfer]:
        return [t for t in self.transfers.values() if t.done and t.url.startswith("http")]


def is_script(transfer: Transfer) -> bool:
    return transfer.kind == "Script" or transfer.url.split("?")[0].endswith((".js", ".mjs"))


def signed_in_cookies(base_url: str) -> list[dict[str, Any]]:
    answer = httpx.post(f"{base_url}/api/v1/auth/register", timeout=10, json={
        "email": "weight@example.org", "password": "a calm walk by the river", "name": "Wei Ght"})
    answer.raise_for_status()
    return [{"name": name, "value": value, "url": base_url}
            for name, value in answer.cookies.items()]


def worker_script_bytes(base_url: str) -> int:
    """The compressed size of /sw.js as a browser downloads it."""
    with httpx.Client(headers={"Accept-Encoding": "gzip, deflate, br"}) as client:
        response = client.get(f"{base_url}/sw.js")
        response.raise_for_status()
        return int(response.num_bytes_downloaded)


def measure(base_url: str) -> dict[str, Any]:
    cookies = signed_in_cookies(base_url)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                         headless=True)
        context = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
        context.add_cookies(cookies)  # type: ignore[arg-type]
        page = context.new_page()
        ledger = Ledger()
        devtools = context.new_cdp_session(page)
        devtools.on("Network.responseReceived", ledger.on_response)
        devtools.on("Network.loadingFinished", ledger.on_finished)
        devtools.send("Network.enable")
        devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})

        page.goto("/")
        expect(page.get_by_role("form", name="Daily check-in")).to_be_visible(timeout=15_000)
        page.wait_for_load_state("networkidle")
        rows = ledger.rows()
        worker = worker_script_bytes(base_url)

        offline = repeat_load_offline(page)
        browser.close()

    total = sum(row.body_bytes for row in rows) + worker
    script = sum(row.body_bytes for row in rows if is_script(row)) + worker
    return {"rows": rows, "worker_bytes": worker, "total_bytes": total, "js_bytes": script,
            "offline_renders": offline}


def repeat_load_offline(page: Page) -> bool:
    page.wait_for_function("""async () => {
        const registration = await navigator.serviceWorker.ready;
        return Boolean(navigator.serviceWorker.controller
          && registration.active?.state === 'activated');
    }""", timeout=15_000)
    page.context.set_offline(True)
    page.reload()
    try:
        expect(page.get_by_role("form", name="Daily check-in")).to_be_visible(timeout=10_000)
    except AssertionError:
        return False
    return True


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="pacewise-weight-") as directory:
        url = f"sqlite:///{Path(directory) / 'pacewise.db'}"
        engine = make_engine(Settings(database_url=url, secret_key="bench-" + "s" * 40))
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        with live_server(url) as base_url:
            figures = measure(base_url)

    rows: list[Transfer] = figures["rows"]
    print(f"\nPatient app first load of / (signed in, fresh profile, Chromium), "
          f"{len(rows)} responses plus /sw.js:")
    for row in sorted(rows, key=lambda r: -r.body_bytes):
        path = row.url.split("/", 3)[-1]
        encoding = row.encoding or "-"
        print(f"  {row.body_bytes / KB:7.1f} KB  {row.kind:<10} {encoding:<5} /{path[:70]}")
    print(f"  {figures['worker_bytes'] / KB:7.1f} KB  {'Worker':<10} {'gzip':<5} /sw.js")
    total_kb = figures["total_bytes"] / KB
    js_kb = figures["js_bytes"] / KB
    ok_total, ok_js = total_kb <= BAR_TOTAL_KB, js_kb <= BAR_JS_KB
    print(f"total compressed: {total_kb:6.1f} KB (bar ≤ {BAR_TOTAL_KB} KB) {verdict(ok_total)}")
    print(f"JavaScript:       {js_kb:6.1f} KB (bar ≤ {BAR_JS_KB} KB) {verdict(ok_js)}")
    offline = figures["offline_renders"]
    print(f"repeat load with the network off: "
          f"{'renders Today' if offline else 'DOES NOT RENDER'} {verdict(offline)}")
    print(json.dumps({"total_kb": round(total_kb, 1), "js_kb": round(js_kb, 1),
                      "responses": len(rows) + 1, "offline_repeat_load": offline}))
    return 0 if ok_total and ok_js and offline else 1


def verdict(ok: bool) -> str:
    return "meets the bar" if ok else "BELOW THE BAR"


if __name__ == "__main__":
    raise SystemExit(main())
