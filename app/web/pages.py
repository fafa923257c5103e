"""Server-rendered pages: sign-in, registration, health. The app shell is in `pwa.py`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import text

from app.api.auth import set_session_cookies
from app.deps import SessionDep, SettingsDep, client_address, session_cookie_name
from app.errors import DomainError, Throttled
from app.security import CSRF_COOKIE, new_token, tokens_match
from app.services import accounts

router = APIRouter(include_in_schema=False)
FORM_EXPIRED = "The form expired. Please try again."


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates = request.app.state.templates
    form_token = request.cookies.get(CSRF_COOKIE) or new_token()
    response: Response = templates.TemplateResponse(
        request, name, {"csrf_token": form_token, **context}, status_code=status
    )
    if request.cookies.get(CSRF_COOKIE) != form_token:
        settings = request.app.state.settings
        response.set_cookie(CSRF_COOKIE, form_token, path="/", httponly=False,
                            samesite="lax", secure=settings.secure_cookies)
    response.headers["Cache-Control"] = "no-store"
    return response


def _refusal(request: Request, name: str, context: dict[str, Any],
             exc: DomainError) -> Response:
    """Show the form again with the reason; a throttled person also learns when to retry."""
    response = _render(request, name, context, exc.status)
    if isinstance(exc, Throttled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _form_token_ok(request: Request, given: str) -> bool:
    return tokens_match(given, request.cookies.get(CSRF_COOKIE) or "\x00")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep) -> Response:
    return _render(request, "login.html", {"allow_registration": settings.allow_registration,
                                           "reset_done": request.query_params.get("reset")})


@router.post("/login", response_class=HTMLResponse)
def login_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Sign in from the HTML form, then go to the app (patients) or the clinic."""
    context = {"email": email, "allow_registration": settings.allow_registration}
    if not _form_token_ok(request, csrf_token):
        return _render(request, "login.html", {**context, "error": FORM_EXPIRED}, 403)
    try:
        accounts.end_session(session, token=request.cookies.get(session_cookie_name(settings)))
        signed_in = accounts.sign_in(session, settings=settings, email=email, password=password,
                                     address=client_address(request))
    except DomainError as exc:
        session.commit()
        return _refusal(request, "login.html", {**context, "error": exc.detail}, exc)
    if signed_in is None:
        session.commit()
        return _render(request, "login.html",
                       {**context, "error": "Email or password is wrong."}, 401)
    target = "/" if signed_in.user.role == "patient" else "/clinic"
    response = RedirectResponse(target, status_code=303)
    set_session_cookies(response, settings, signed_in.token, signed_in.user)
    return response


@router.get("/register", response_class=HTMLResponse)
def register_page(request: Request, settings: SettingsDep) -> Response:
    if not settings.allow_registration:
        return _render(request, "register.html", {"closed": True}, 403)
    return _render(request, "register.html", {})


@router.post("/register", response_class=HTMLResponse)
def register_form(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form(max_length=120)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Create a patient account from the HTML form and sign it in."""
    context = {"name": name, "email": email}
    if not _form_token_ok(request, csrf_token):
        return _render(request, "register.html", {**context, "error": FORM_EXPIRED}, 403)
    try:
        user = accounts.register(session, settings=settings, email=email, password=password,
                                 name=name, address=client_address(request))
        token = accounts.start_session(session, settings=settings, user=user)
    except DomainError as exc:
        session.rollback()
        return _refusal(request, "register.html", {**context, "error": exc.detail}, exc)
    response = RedirectResponse("/", status_code=303)
    set_session_cookies(response, settings, token, user)
    return response


@router.get("/reset-password/{token}", response_class=HTMLResponse)
def reset_page(token: str, request: Request, session: SessionDep) -> Response:
    """Show the form to choose a new password, if the link still works."""
    valid = accounts.find_password_reset(session, token=token[:200]) is not None
    return _render(request, "reset.html", {"token": token[:200], "valid": valid},
                   200 if valid else 410)


@router.post("/reset-password/{token}", response_class=HTMLResponse)
def reset_form(
    token: str,
    request: Request,
    session: SessionDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the new password; every session ends, and the person signs in afresh."""
    context = {"token": token[:200], "valid": True}
    if not _form_token_ok(request, csrf_token):
        return _render(request, "reset.html", {**context, "error": FORM_EXPIRED}, 403)
    try:
        accounts.complete_password_reset(session, token=token[:200], new_password=password)
    except DomainError as exc:
        session.rollback()
        return _render(request, "reset.html", {**context, "error": exc.detail}, exc.status)
    return RedirectResponse("/login?reset=1", status_code=303)


@router.get("/healthz")
def healthz(session: SessionDep) -> JSONResponse:
    """Say whether the server can reach its database."""
    session.exec(text("SELECT 1"))  # type: ignore[call-overload]
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})
