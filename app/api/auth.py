"""Sign-up, sign-in, sign-out and the signed-in person (design §7 "Auth")."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status
from fastapi.responses import JSONResponse

from app.config import Settings
from app.deps import (
    CurrentSession,
    CurrentUser,
    SessionDep,
    SettingsDep,
    client_address,
    session_cookie_name,
)
from app.errors import NotAuthenticated
from app.models import User
from app.schemas.auth import DeleteAccountIn, LoginIn, Me, PasswordChangeIn, RegisterIn
from app.security import CSRF_COOKIE, csrf_for, token_hash
from app.services import accounts

router = APIRouter(prefix="/api/v1", tags=["auth"])


def me_of(user: User) -> Me:
    return Me(id=user.id, email=user.email, name=user.name, role=user.role,  # type: ignore[arg-type]
              timezone=user.timezone)


def set_session_cookies(response: Response, settings: Settings, token: str, user: User) -> None:
    """The HttpOnly session cookie and the readable, session-bound CSRF cookie."""
    max_age = settings.patient_session_days * 86400 if user.role == "patient" else None
    secure = settings.secure_cookies
    response.set_cookie(session_cookie_name(settings), token, max_age=max_age, path="/",
                        httponly=True, samesite="lax", secure=secure)
    response.set_cookie(CSRF_COOKIE, csrf_for(token_hash(token), settings.secret_key),
                        max_age=max_age, path="/", httponly=False, samesite="lax",
                        secure=secure)


def clear_session_cookies(response: Response, settings: Settings) -> None:
    secure = settings.secure_cookies
    response.delete_cookie(session_cookie_name(settings), path="/", secure=secure,
                           httponly=True, samesite="lax")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="lax")


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=Me)
def register(body: RegisterIn, request: Request, session: SessionDep,
             settings: SettingsDep) -> JSONResponse:
    """Create a patient account and sign it in."""
    user = accounts.register(session, settings=settings, email=body.email,
                             password=body.password, name=body.name,
                             address=client_address(request))
    token = accounts.start_session(session, settings=settings, user=user)
    response = JSONResponse(me_of(user).model_dump(mode="json"), status_code=201)
    set_session_cookies(response, settings, token, user)
    return response


@router.post("/auth/login", response_model=Me, responses={401: {}, 429: {}})
def login(body: LoginIn, request: Request, session: SessionDep,
          settings: SettingsDep) -> JSONResponse:
    """Sign in; a new session replaces any the browser carried before."""
    accounts.end_session(session, token=request.cookies.get(session_cookie_name(settings)))
    signed_in = accounts.sign_in(session, settings=settings, email=body.email,
                                 password=body.password, address=client_address(request))
    if signed_in is None:
        session.commit()  # the failed attempt must count even though we answer 401
        raise NotAuthenticated(accounts.WRONG_CREDENTIALS, code="wrong_credentials")
    response = JSONResponse(me_of(signed_in.user).model_dump(mode="json"))
    set_session_cookies(response, settings, signed_in.token, signed_in.user)
    return response


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, current: CurrentSession, session: SessionDep,
           settings: SettingsDep) -> Response:
    """End this session on the server and clear the browser's cookies."""
    accounts.sign_out(session, current=current, address=client_address(request))
    response = Response(status_code=204)
    clear_session_cookies(response, settings)
    response.headers["Clear-Site-Data"] = '"cookies"'
    return response


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_password(body: PasswordChangeIn, request: Request, current: CurrentSession,
                    session: SessionDep) -> Response:
    """Change the password; every other session of the person ends."""
    try:
        accounts.change_password(session, user=current.user,
                                 current_password=body.current_password,
                                 new_password=body.new_password,
                                 keep_session=current.session.id,
                                 address=client_address(request))
    except accounts.WrongPassword:
        session.commit()  # the wrong guess counts toward the throttle
        raise
    return Response(status_code=204)


@router.get("/me", response_model=Me)
def read_me(user: CurrentUser) -> Me:
    """Tell who is signed in."""
    return me_of(user)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT)
def delete_me(body: DeleteAccountIn, request: Request, user: CurrentUser,
              session: SessionDep, settings: SettingsDep) -> Response:
    """Erase the account and everything of it; every session ends."""
    try:
        accounts.delete_account(session, user=user, password=body.password,
                                address=client_address(request))
    except accounts.WrongPassword:
        session.commit()  # the wrong guess counts toward the throttle
        raise
    response = Response(status_code=204)
    clear_session_cookies(response, settings)
    response.headers["Clear-Site-Data"] = '"cookies", "storage"'
    return response
