"""`create_app(settings)`: the only place routers, static files and error handlers meet."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp

from app.api import auth
from app.api import export as export_api
from app.api import instruments as instruments_api
from app.api import records as records_api
from app.api import sharing as sharing_api
from app.api import sync as sync_api
from app.config import Settings, get_settings
from app.db import make_engine
from app.errors import install_error_handlers, install_log_filters
from app.middleware import GuardMiddleware
from app.web import clinic as clinic_pages
from app.web import clinic_export as clinic_export_pages
from app.web import clinic_patient as clinic_patient_pages
from app.web import pages, pwa

HERE = Path(__file__).parent


class PacewiseApp(FastAPI):
    """FastAPI with the guard outside even Starlette's last-resort error handler, so that
    the generic 500 reply to an unexpected failure carries the security headers too."""

    guard: tuple[str, bool] = ("http://127.0.0.1:8000", False)  # base URL, HSTS

    def build_middleware_stack(self) -> ASGIApp:
        base_url, hsts = self.guard
        return GuardMiddleware(super().build_middleware_stack(), base_url=base_url, hsts=hsts)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the Pacewise ASGI app for `settings` (read from the environment if omitted)."""
    settings = settings or get_settings()
    docs = not settings.is_production
    app = PacewiseApp(
        title="Pacewise",
        version="1",
        summary="Function-first, offline-first pain care: patient diary, plan and sync API",
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings)
    templates = Jinja2Templates(directory=HERE / "templates")
    app.state.templates = templates

    app.include_router(auth.router)
    app.include_router(records_api.build_router())
    app.include_router(sync_api.router)
    app.include_router(export_api.router)
    app.include_router(instruments_api.router)
    app.include_router(sharing_api.router)
    app.include_router(pages.router)
    app.include_router(clinic_pages.router)
    app.include_router(clinic_patient_pages.router)
    app.include_router(clinic_export_pages.router)
    app.include_router(pwa.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    install_error_handlers(app)
    install_log_filters()
    app.add_middleware(pwa.CompressAssets)
    app.guard = (settings.base_url, settings.secure_cookies)
    logging.getLogger("pacewise").setLevel(logging.INFO)
    return app
