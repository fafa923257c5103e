"""Request dependencies, defined once as `Annotated` aliases (see style.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import Settings
from app.db import unit_of_work
from app.errors import Forbidden, NotAuthenticated
from app.models import User
from app.security import CSRF_COOKIE, CSRF_HEADER, csrf_for, tokens_match
from app.services import accounts
from app.services.accounts import Current

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# Dependencies that only read app state are `async def`: FastAPI runs a plain `def`
# dependency on a worker thread, and the hop there and back cost more than the read.


async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def _engine_dep(request: Request) -> Engine:
    return get_engine(request)


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: committed before the response is sent, or rolled back.

    Requests that change state begin IMMEDIATE on SQLite, so concurrent writers queue for
    the lock (busy_timeout) rather than failing half-way.
    """
    with unit_of_work(get_engine(request), write=request.method not in SAFE_METHODS) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(_engine_dep)]
# scope="function": the commit runs when the route returns, before the response goes out,
# so a 2xx always means the write is durable.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def session_cookie_name(settings: Settings) -> str:
    from app.security import SECURE_SESSION_COOKIE, SESSION_COOKIE

    return SECURE_SESSION_COOKIE if settings.secure_cookies else SESSION_COOKIE


def signed_in(request: Request, session: Session, settings: Settings, *,
              form_token: str | None = None) -> Current:
    """The signed-in person, with CSRF checked for state-changing requests: the
    X-CSRF-Token header for the API, or `form_token` (a hidden field) for an HTML form."""
    token = request.cookies.get(session_cookie_name(settings))
    current = accounts.resolve_session(session, settings=settings, token=token)
    if current is None:
        raise NotAuthenticated("sign in to continue")
    if request.method not in SAFE_METHODS:
        expected = csrf_for(current.session.token_hash, settings.secret_key)
        given = form_token if form_token is not None else request.headers.get(CSRF_HEADER)
        if not (tokens_match(given, expected)
                and tokens_match(request.cookies.get(CSRF_COOKIE), expected)):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header; reload the page",
                            code="csrf")
    if current.needs_touch:
        if request.method not in SAFE_METHODS:
            accounts.touch_session(session, session_id=current.session.id)
        else:  # a read's snapshot must not be upgraded to a write on SQLite
            with unit_of_work(get_engine(request), write=True) as touch:
                accounts.touch_session(touch, session_id=current.session.id)
    request.state.user_id = current.user.id
    return current


async def require_session_cookie(request: Request, settings: SettingsDep) -> None:
    """Refuse a request with no session cookie at all before its body is read, for a route
    that checks the session itself inside its own unit of work (sync push)."""
    if not request.cookies.get(session_cookie_name(settings)):
        raise NotAuthenticated("sign in to continue")


def get_current(request: Request, session: SessionDep, settings: SettingsDep) -> Current:
    """The signed-in person, with CSRF checked for state-changing requests."""
    return signed_in(request, session, settings)


CurrentSession = Annotated[Current, Depends(get_current)]


def get_user(current: CurrentSession) -> User:
    return current.user


def get_patient(current: CurrentSession) -> User:
    if current.user.role != "patient":
        raise Forbidden("only patients keep a diary here; clinicians read shared diaries "
                        "from /clinic", code="patients_only")
    return current.user


def get_clinician(current: CurrentSession) -> User:
    if current.user.role not in ("clinician", "admin"):
        raise Forbidden("this is for clinicians", code="clinicians_only")
    return current.user


CurrentUser = Annotated[User, Depends(get_user)]
CurrentPatient = Annotated[User, Depends(get_patient)]
CurrentClinician = Annotated[User, Depends(get_clinician)]


def client_address(request: Request) -> str:
    return (request.client.host if request.client else "unknown")[:64]
