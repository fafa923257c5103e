"""Accounts, sign-in with throttling, and server-side sessions (design §6)."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, delete, select

from app.config import Settings
from app.errors import Conflict, Forbidden, Invalid, Throttled
from app.models import (
    AuditEvent,
    AuthSession,
    LoginAttempt,
    PasswordReset,
    PatientSyncState,
    User,
    utcnow,
)
from app.security import (
    check_password_policy,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 10
MAX_FAILURES_PER_ADDRESS = 50
REGISTRATION_WINDOW = timedelta(hours=1)
MAX_REGISTRATIONS_PER_ADDRESS = 100
TOUCH_EVERY = timedelta(seconds=60)
WRONG_CREDENTIALS = "email or password is wrong"


# One @, something before it, and a domain of dot-separated non-empty labels; no spaces
# or control characters anywhere. Deliverability is for the person to prove, not us.
_EMAIL = re.compile(r"[^\s@\x00-\x1f\x7f]+@[^\s@.\x00-\x1f\x7f]+(\.[^\s@.\x00-\x1f\x7f]+)+")


def normalise_email(email: str) -> str:
    # NUL can never be part of an address, and PostgreSQL refuses it in any text value.
    return email.replace("\x00", "").strip().lower()


def check_email(email: str) -> str:
    """Return the normalised email or refuse it, naming it."""
    normalised = normalise_email(email)
    if len(normalised) > 254 or not _EMAIL.fullmatch(normalised):
        raise Invalid(f"email {email[:80]!r} is not an email address")
    return normalised


def check_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in cleaned):
        raise Invalid(f"name {name[:40]!r} holds control characters")
    if not 1 <= len(cleaned) <= 120:
        raise Invalid(f"name {name[:40]!r} must be 1–120 characters")
    return cleaned


def create_user(
    session: Session, *, email: str, password: str, name: str, role: str = "patient",
    timezone: str = "UTC",
) -> User:
    """Create an account after checking its email, name and password."""
    email = check_email(email)
    name = check_name(name)
    check_password_policy(password)
    if session.exec(select(User.id).where(User.email == email)).first() is not None:
        raise Conflict("an account with this email already exists; sign in instead",
                       code="email_taken")
    user = User(email=email, name=name, role=role, timezone=timezone,
                password_hash=hash_password(password))
    session.add(user)
    session.flush()
    if role == "patient":
        session.add(PatientSyncState(patient_id=user.id, version=0))
        session.flush()
    return user


def register(
    session: Session, *, settings: Settings, email: str, password: str, name: str,
    address: str,
) -> User:
    """Let a patient create their own account, unless the instance has closed that."""
    if not settings.allow_registration:
        raise Forbidden("this Pacewise does not take new registrations; ask your clinic",
                        code="registration_closed")
    _one_at_a_time(session, f"registration address {address}")
    since = utcnow() - REGISTRATION_WINDOW
    recent = session.exec(
        select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.kind == "register", LoginAttempt.address == address,
            LoginAttempt.at > since,
        )
    ).one()
    if recent >= MAX_REGISTRATIONS_PER_ADDRESS:
        raise Throttled("too many new accounts from this address; try again later",
                        retry_after=int(REGISTRATION_WINDOW.total_seconds()))
    session.add(LoginAttempt(kind="register", email="", address=address, success=True))
    return create_user(session, email=email, password=password, name=name)


@dataclass
class SignIn:
    user: User
    token: str


def sign_in(
    session: Session, *, settings: Settings, email: str, password: str, address: str
) -> SignIn | None:
    """Check credentials under the throttle and record the attempt.

    Returns None for wrong credentials; the caller commits (so the failure is counted)
    and answers with the generic message. Raises Throttled past the limits.
    """
    email = normalise_email(email)[:254]
    _one_at_a_time(session, f"sign-in account {email}", f"sign-in address {address}")
    now = utcnow()
    _check_throttle(session, email=email, address=address, now=now)
    user = session.exec(select(User).where(User.email == email)).first()
    ok, new_hash = verify_password(password[:1024], user.password_hash if user else None)
    if user is not None and user.disabled:
        ok = False
    session.add(LoginAttempt(kind="login", email=email, address=address, success=ok, at=now))
    # An unknown email is audited with no actor and without the email typed: it may be a
    # password typed into the wrong field, or someone's address who has no account here.
    # The client's IP address is enough to follow a guesser; login_attempt keeps the email
    # for the throttle, which must count per account.
    session.add(AuditEvent(actor_id=user.id if user else None,
                           actor_role=user.role if user else None, action="login",
                           resource="session", outcome="success" if ok else "failure",
                           address=address, at=now))
    if not ok or user is None:
        session.flush()
        locked_now = _failures(session, email=email, now=now) == MAX_FAILURES_PER_ACCOUNT
        if user is not None and locked_now:
            session.add(AuditEvent(actor_id=user.id, actor_role=user.role, action="lockout",
                                   resource="session", outcome="failure", address=address,
                                   at=now))
            session.flush()
        return None
    if new_hash:
        user.password_hash = new_hash
    token = start_session(session, settings=settings, user=user)
    return SignIn(user=user, token=token)


def _one_at_a_time(session: Session, *keys: str) -> None:
    """Make concurrent attempts on the same keys wait for each other until commit.

    Counting attempts and then recording one is a race under concurrency: on PostgreSQL
    thirty parallel guesses would all see nine failures and all be let through. SQLite
    needs nothing here, since write transactions begin IMMEDIATE and so run one at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):  # one order everywhere, so two waiters never deadlock
        session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": key})


def _account_window_start(session: Session, *, email: str, now: datetime) -> datetime:
    """Failures count from 15 minutes ago, or from the last success or password reset."""
    since = now - WINDOW
    last_success = session.exec(
        select(sa.func.max(LoginAttempt.at)).where(
            LoginAttempt.kind.in_(("login", "reset")),  # type: ignore[attr-defined]
            LoginAttempt.email == email,
            LoginAttempt.success == sa.true(), LoginAttempt.at > since,
        )
    ).one()
    return max(since, last_success) if last_success else since


def _failures(session: Session, *, email: str, now: datetime) -> int:
    start = _account_window_start(session, email=email, now=now)
    return session.exec(
        select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.kind == "login", LoginAttempt.email == email,
            LoginAttempt.success == sa.false(), LoginAttempt.at > start,
        )
    ).one()


def _check_throttle(session: Session, *, email: str, address: str, now: datetime) -> None:
    since = now - WINDOW
    account_since = _account_window_start(session, email=email, now=now)
    for column, value, limit, start in (
        (LoginAttempt.email, email, MAX_FAILURES_PER_ACCOUNT, account_since),
        (LoginAttempt.address, address, MAX_FAILURES_PER_ADDRESS, since),
    ):
        count, oldest = session.exec(
            select(sa.func.count(), sa.func.min(LoginAttempt.at)).where(
                LoginAttempt.kind == "login", column == value,
                LoginAttempt.success == sa.false(), LoginAttempt.at > start,
            )
        ).one()
        if count >= limit:
            oldest_at = oldest if oldest.tzinfo else oldest.replace(tzinfo=now.tzinfo)
            wait = max(1, math.ceil((oldest_at + WINDOW - now).total_seconds()))
            raise Throttled("too many failed sign-ins; wait before trying again",
                            retry_after=wait)


def start_session(session: Session, *, settings: Settings, user: User) -> str:
    """Create a new server-side session and return its token (only its hash is stored)."""
    token = new_token()
    now = utcnow()
    lifetime = (
        timedelta(days=settings.patient_session_days) if user.role == "patient"
        else timedelta(hours=settings.clinician_session_hours)
    )
    session.add(AuthSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                            last_seen_at=now, expires_at=now + lifetime))
    session.flush()
    return token


@dataclass
class Current:
    user: User
    session: AuthSession
    needs_touch: bool


def resolve_session(session: Session, *, settings: Settings, token: str | None) -> Current | None:
    """Find the live session behind a cookie value, or None."""
    if not token or len(token) > 200:
        return None
    row = session.exec(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)  # type: ignore[arg-type]
        .where(AuthSession.token_hash == token_hash(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    now = utcnow()
    if user.disabled or auth.expires_at <= now:
        return None
    if user.role != "patient":
        idle = timedelta(minutes=settings.clinician_idle_minutes)
        if auth.last_seen_at + idle <= now:
            return None
    return Current(user=user, session=auth, needs_touch=now - auth.last_seen_at >= TOUCH_EVERY)


def touch_session(session: Session, *, session_id: uuid.UUID) -> None:
    """Record activity on a session (at most once a minute, for the idle timeout)."""
    session.execute(
        sa.update(AuthSession).where(AuthSession.id == session_id)  # type: ignore[arg-type]
        .values(last_seen_at=utcnow())
    )


def end_session(session: Session, *, token: str | None) -> None:
    if token:
        session.execute(delete(AuthSession).where(col(AuthSession.token_hash) == token_hash(token)))


def sign_out(session: Session, *, current: Current, address: str) -> None:
    """End the signed-in person's session and audit it."""
    session.execute(delete(AuthSession).where(col(AuthSession.id) == current.session.id))
    session.add(AuditEvent(actor_id=current.user.id, actor_role=current.user.role,
                           action="logout", resource="session", address=address))
    session.flush()


def end_all_sessions(
    session: Session, *, user_id: uuid.UUID, keep: uuid.UUID | None = None
) -> int:
    """End a person's sessions (but `keep`); return how many ended."""
    statement = delete(AuthSession).where(col(AuthSession.user_id) == user_id)
    if keep is not None:
        statement = statement.where(col(AuthSession.id) != keep)
    return session.execute(statement).rowcount  # type: ignore[attr-defined, no-any-return]


class WrongPassword(Invalid):
    """A signed-in person gave a wrong password; the attempt counts toward the throttle,
    so the caller commits before answering."""

    code = "wrong_password"


def confirm_password(session: Session, *, user: User, password: str, address: str,
                     field: str = "password") -> None:
    """Check the password of someone already signed in (to change it or delete the
    account), under the same throttle as sign-in, so a stolen session cannot guess it."""
    _one_at_a_time(session, f"sign-in account {user.email}", f"sign-in address {address}")
    now = utcnow()
    _check_throttle(session, email=user.email, address=address, now=now)
    ok, _ = verify_password(password[:1024], user.password_hash)
    session.add(LoginAttempt(kind="login", email=user.email, address=address, success=ok,
                             at=now))
    if not ok:
        session.flush()
        raise WrongPassword(f"{field} is wrong")


def change_password(
    session: Session, *, user: User, current_password: str, new_password: str,
    keep_session: uuid.UUID, address: str,
) -> None:
    """Change the password and end the person's other sessions."""
    confirm_password(session, user=user, password=current_password, address=address,
                     field="current_password")
    check_password_policy(new_password, field="new_password")
    user.password_hash = hash_password(new_password)
    session.add(user)
    end_all_sessions(session, user_id=user.id, keep=keep_session)


def set_disabled(session: Session, *, email: str, disabled: bool,
                 address: str | None = None) -> User:
    """Disable (or re-enable) an account; disabling ends every session at once and is
    audited as an admin's session kill (the `pacewise` command has no account of its own,
    so the row has no actor id; `address` says where it came from)."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise Invalid(f"no account with email {email!r}")
    user.disabled = disabled
    session.add(user)
    if disabled:
        ended = end_all_sessions(session, user_id=user.id)
        session.add(AuditEvent(actor_id=None, actor_role="admin", action="session_kill",
                               resource=f"user:{user.id}, {ended} session(s) ended",
                               address=address[:64] if address else None))
        session.flush()
    return user


def allow_erasure(session: Session) -> None:
    """Let this transaction delete audit rows (PostgreSQL's append-only trigger refuses
    them otherwise): call it first in anything that deletes a user. SQLite's trigger
    leaves DELETE open, so there is nothing to do there."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.text("SET LOCAL pacewise.erasing = 'on'"))


def delete_account(session: Session, *, user: User, password: str, address: str) -> None:
    """Erase the account and, through the foreign keys, every row of the person."""
    confirm_password(session, user=user, password=password, address=address)
    allow_erasure(session)
    end_all_sessions(session, user_id=user.id)
    session.execute(delete(LoginAttempt).where(col(LoginAttempt.email) == user.email))
    # The foreign keys delete the rows about the person's data (patient_id) and empty the
    # actor of what they did to others' data (a clinician's reads stay in the patients'
    # access logs, unnamed). Their own sign-ins, sign-outs and exports name no patient and
    # would stay behind with an empty actor and their address, so they go here, with an
    # admin's session kill of the account.
    session.execute(delete(AuditEvent).where(
        sa.or_(sa.and_(col(AuditEvent.actor_id) == user.id,
                       col(AuditEvent.patient_id).is_(None)),
               col(AuditEvent.resource).startswith(f"user:{user.id},"))))
    session.delete(user)
    session.flush()


RESET_LIFETIME = timedelta(hours=1)


def start_password_reset(session: Session, *, email: str) -> str:
    """Create a one-time reset token valid for an hour; earlier unused ones stop working."""
    user = session.exec(select(User).where(User.email == normalise_email(email))).first()
    if user is None:
        raise Invalid(f"no account with email {email!r}")
    session.execute(delete(PasswordReset).where(col(PasswordReset.user_id) == user.id))
    token = new_token()
    now = utcnow()
    session.add(PasswordReset(user_id=user.id, token_hash=token_hash(token), created_at=now,
                              expires_at=now + RESET_LIFETIME))
    session.flush()
    return token


def find_password_reset(session: Session, *, token: str) -> PasswordReset | None:
    """The live reset behind a link, or None when it is unknown, used or expired."""
    if not token or len(token) > 200:
        return None
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        return None
    return reset


def complete_password_reset(session: Session, *, token: str, new_password: str) -> User:
    """Set a new password from a reset link; it ends every session and lifts the lockout
    (throttling never stops a password reset)."""
    reset = find_password_reset(session, token=token)
    if reset is None:
        raise Invalid("this reset link is unknown, used or older than an hour; ask for a new one",
                      code="reset_invalid")
    check_password_policy(new_password, field="new_password")
    user = session.get(User, reset.user_id)
    assert user is not None  # the reset row cascades with its user
    now = utcnow()
    user.password_hash = hash_password(new_password)
    reset.used_at = now
    session.add_all([user, reset])
    session.add(LoginAttempt(kind="reset", email=user.email, address="-", success=True, at=now))
    session.add(AuditEvent(actor_id=user.id, actor_role=user.role, action="password_reset",
                           resource="account"))
    end_all_sessions(session, user_id=user.id)
    session.flush()
    return user
