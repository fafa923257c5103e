"""The patient app's installable shell: `/`, `/sw.js` and `/manifest.webmanifest`.

The service worker's cache name comes from a hash of every file it precaches, computed
once per process, so a deploy that changes any asset installs a new worker and a new
cache by itself; nobody bumps a `v1` by hand.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

HERE = Path(__file__).resolve().parent.parent
STATIC = HERE / "static"
SHELL_TEMPLATE = "app.html"
WORKER_SOURCE = STATIC / "sw.js"
# Served by the server but never needed offline: documentation, licences, and the
# package.json that tells node's test runner these files are ES modules.
NOT_PRECACHED = (".md", ".LICENSE", "package.json")
# The clinician pages' scripts: not the patient app's, so not on every patient's phone.
CLINIC_SCRIPTS = STATIC / "js" / "clinic"

THEME = "#1f5f5b"
MANIFEST = {
    "name": "Pacewise",
    "short_name": "Pacewise",
    "description": "Plan around what you want to do, pace your activity and log your day, "
                   "online or not.",
    "id": "/",
    "start_url": "/",
    "scope": "/",
    "display": "standalone",
    "orientation": "any",
    "background_color": "#fbfaf7",
    "theme_color": THEME,
    "lang": "en",
    "categories": ["health", "medical"],
    "icons": [
        {"src": "/static/icons/icon-192.png", "sizes": "192x192", "type": "image/png",
         "purpose": "any"},
        {"src": "/static/icons/icon-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "any"},
        {"src": "/static/icons/icon-maskable-512.png", "sizes": "512x512",
         "type": "image/png", "purpose": "maskable"},
    ],
}

router = APIRouter(include_in_schema=False)


def _static_files() -> list[Path]:
    return sorted(
        path for path in STATIC.rglob("*")
        if path.is_file() and path != WORKER_SOURCE and not path.name.endswith(NOT_PRECACHED)
        and CLINIC_SCRIPTS not in path.parents
    )


@cache
def precache() -> tuple[str, tuple[str, ...]]:
    """The cache name and the URLs the service worker precaches, both fixed per process."""
    digest = hashlib.sha256()
    urls = ["/", "/manifest.webmanifest"]
    for path in _static_files():
        url = "/static/" + path.relative_to(STATIC).as_posix()
        urls.append(url)
        digest.update(url.encode() + b"\0" + path.read_bytes() + b"\0")
    for extra in (HERE / "templates" / SHELL_TEMPLATE, WORKER_SOURCE):
        digest.update(extra.read_bytes())
    digest.update(json.dumps(MANIFEST, sort_keys=True).encode())
    return f"pacewise-shell-{digest.hexdigest()[:16]}", tuple(urls)


@cache
def worker_script() -> str:
    name, urls = precache()
    return (WORKER_SOURCE.read_text(encoding="utf-8")
            .replace('"__CACHE_NAME__"', json.dumps(name))
            .replace('["__PRECACHE__"]', json.dumps(list(urls))))


@router.get("/", response_class=HTMLResponse)
def shell(request: Request) -> Response:
    """The patient app shell: the same page for everyone, so the worker can keep it offline."""
    response: Response = request.app.state.templates.TemplateResponse(request, SHELL_TEMPLATE, {})
    response.headers["Cache-Control"] = "no-cache"
    return response


@router.get("/sw.js")
def service_worker() -> Response:
    """The service worker, from the root so that its scope is the whole app."""
    return Response(worker_script(), media_type="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@router.get("/manifest.webmanifest")
def manifest() -> JSONResponse:
    """The web app manifest that makes the app installable."""
    return JSONResponse(MANIFEST, media_type="application/manifest+json",
                        headers={"Cache-Control": "no-cache"})


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    """The icon browsers ask for on pages that name none (the server-rendered ones)."""
    return FileResponse(STATIC / "icons" / "icon-192.png", media_type="image/png",
                        headers={"Cache-Control": "public, max-age=86400"})


class CompressAssets:
    """Gzip the shell, the worker, the manifest and static files; nothing else.

    The app's weight bar counts compressed bytes. API answers stay as they are: they hold
    health data beside text the person typed, which is what compression side channels feed on.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=512, compresslevel=9)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "") if scope["type"] == "http" else ""
        if path in ("/", "/sw.js", "/manifest.webmanifest") or path.startswith("/static/"):
            await self.gzip(scope, receive, send)
        else:
            await self.app(scope, receive, send)
