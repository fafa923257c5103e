"""The installable shell (app/web/pwa.py): `/`, `/sw.js`, `/manifest.webmanifest`, the
precache list and its hash-derived cache name, compression, and the first-load weight."""

from __future__ import annotations

import json
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.web import pwa
from tests.conftest import Browser

STATIC = Path(pwa.STATIC)
IMPORT = re.compile(r"""(?:^|[;\n])\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]""")
GZIP = {"Accept-Encoding": "gzip"}


class Shell(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.inline = ""
        self._in_script = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
            self._in_script = True
        if tag == "link":
            self.links.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        self._in_script = self._in_script and tag != "script"

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.inline += data


def _precache(browser: Browser) -> tuple[str, list[str]]:
    script = browser.get("/sw.js").text
    name = re.search(r'const CACHE_NAME = "([^"]+)";', script)
    urls = re.search(r"const PRECACHE = (\[.*?\]);", script)
    assert name and urls, script[:400]
    return name.group(1), json.loads(urls.group(1))


def _static_imports(url: str, seen: set[str]) -> set[str]:
    """The closure of static imports of one module, as URLs (dynamic import() left out)."""
    if url in seen:
        return seen
    seen.add(url)
    source = (STATIC / url.removeprefix("/static/")).read_text(encoding="utf-8")
    for target in IMPORT.findall(source):
        resolved = (Path(url).parent / target).as_posix()
        parts: list[str] = []
        for part in resolved.split("/"):
            if part == "..":
                parts.pop()
            elif part != ".":
                parts.append(part)
        _static_imports("/".join(parts), seen)
    return seen


def test_the_shell_is_one_page_for_everyone_with_no_inline_script(
    browser: Browser, patient: Browser
) -> None:
    anonymous = browser.get("/")
    signed_in = patient.get("/")

    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.text == signed_in.text
    assert anonymous.headers["Cache-Control"] == "no-cache"
    shell = Shell(anonymous.text)
    assert shell.scripts == [{"type": "module", "src": "/static/js/app.js"}]
    assert shell.inline.strip() == ""
    assert {"rel": "manifest", "href": "/manifest.webmanifest"} in shell.links


def test_the_shell_preloads_exactly_the_modules_the_first_screen_imports(browser: Browser) -> None:
    shell = Shell(browser.get("/").text)
    preloaded = {link["href"] for link in shell.links if link.get("rel") == "modulepreload"}

    assert preloaded == _static_imports("/static/js/app.js", set())


def test_the_worker_comes_from_the_root_and_is_always_revalidated(browser: Browser) -> None:
    response = browser.get("/sw.js")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["Service-Worker-Allowed"] == "/"
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "__CACHE_NAME__" not in response.text and "__PRECACHE__" not in response.text


def test_every_precached_url_answers_and_none_is_an_api_url(browser: Browser) -> None:
    name, urls = _precache(browser)

    assert re.fullmatch(r"pacewise-shell-[0-9a-f]{16}", name)
    assert "/" in urls and "/static/js/app.js" in urls and "/static/js/screens/progress.js" in urls
    assert "/static/vendor/uPlot-1.6.32.esm.js" in urls
    assert not [url for url in urls if url.startswith(("/api/", "/static/js/clinic/"))]
    assert len(urls) == len(set(urls))
    for url in urls:
        assert browser.get(url).status_code == 200, url


def test_the_cache_name_follows_the_assets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "sw.js").write_text(pwa.WORKER_SOURCE.read_text())
    asset = static / "js" / "app.js"
    asset.write_text("export const version = 1;\n")
    monkeypatch.setattr(pwa, "STATIC", static)
    monkeypatch.setattr(pwa, "WORKER_SOURCE", static / "sw.js")
    pwa.precache.cache_clear()
    try:
        first, urls = pwa.precache()
        pwa.precache.cache_clear()
        again, _ = pwa.precache()
        asset.write_text("export const version = 2;\n")
        pwa.precache.cache_clear()
        changed, _ = pwa.precache()
    finally:
        pwa.precache.cache_clear()

    assert first == again
    assert changed != first
    assert "/static/js/app.js" in urls and "/static/sw.js" not in urls


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_manifest_makes_the_app_installable(browser: Browser) -> None:
    response = browser.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["name"] and manifest["short_name"]
    assert manifest["start_url"] == "/" and manifest["display"] == "standalone"
    assert manifest["theme_color"] and manifest["background_color"]
    sizes = set()
    for icon in manifest["icons"]:
        image = browser.get(icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        width, height = _png_size(image.content)
        assert icon["sizes"] == f"{width}x{height}"
        sizes.add((icon["sizes"], icon.get("purpose", "any")))
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_assets_are_compressed_and_api_answers_are_not(patient: Browser) -> None:
    for url in ("/", "/static/js/app.js", "/static/vendor/preact-10.29.8.module.js"):
        assert patient.get(url, headers=GZIP).headers.get("content-encoding") == "gzip", url
    assert "content-encoding" not in patient.get("/api/v1/me", headers=GZIP).headers


def test_the_first_load_stays_within_the_weight_budget(browser: Browser) -> None:
    """Design §8: a first load of `/` is at most 100 KB compressed, of which JS 50 KB."""
    shell = Shell(browser.get("/").text)
    preloaded = [link["href"] or "" for link in shell.links if link.get("rel") == "modulepreload"]
    urls = ["/", "/static/css/app.css", "/manifest.webmanifest", "/static/icons/icon-192.png",
            *preloaded]
    total = script = 0
    for url in urls:
        response = browser.get(url, headers=GZIP)
        assert response.status_code == 200, url
        size = response.num_bytes_downloaded
        total += size
        script += size if url.endswith(".js") else 0
    print(f"first load: {total} bytes compressed, {script} of them JavaScript")
    assert script <= 50_000
    assert total <= 100_000
