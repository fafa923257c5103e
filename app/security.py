"""Passwords, session tokens and CSRF tokens (design §6)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from pwdlib.hashers.bcrypt import BcryptHasher

from app.errors import Invalid

MIN_PASSWORD, MAX_PASSWORD = 8, 128
SESSION_COOKIE = "pacewise_session"
SECURE_SESSION_COOKIE = "__Host-pacewise_session"
CSRF_COOKIE = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# Argon2id at OWASP's second recommended setting (m=19 MiB, t=2, p=1), which meets the
# ASVS minimum while keeping a sign-in near 20 ms on a small server. bcrypt is accepted
# only to verify legacy hashes, which are rewritten as Argon2id at the next sign-in.
_hasher = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=19456, parallelism=1),
                        BcryptHasher()))
# Verified against when the email is unknown, so that a wrong email costs as much time
# as a wrong password and the answer says nothing about which accounts exist.
_DUMMY_HASH = _hasher.hash("pacewise-dummy-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; also return a fresh hash when the stored one is outdated."""
    if password_hash is None:
        _hasher.verify(password, _DUMMY_HASH)
        return False, None
    try:
        return _hasher.verify_and_update(password, password_hash)
    except Exception:  # an unreadable stored hash is a failed sign-in, never a crash
        return False, None


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"][:10000])


def check_password_policy(password: str, *, field: str = "password") -> None:
    """Refuse passwords that are too short, too long or among the most common ones."""
    length = len(password)
    if length < MIN_PASSWORD:
        raise Invalid(f"{field} is {length} characters; use at least {MIN_PASSWORD}")
    if length > MAX_PASSWORD:
        raise Invalid(f"{field} is {length} characters; use at most {MAX_PASSWORD}")
    if password.lower() in _common_passwords():
        raise Invalid(f"{field} is one of the most common passwords; choose another")


def new_token() -> str:
    """A random session token: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(session_token_hash: str, secret_key: str) -> str:
    """The CSRF token bound to one session: useless with any other session."""
    digest = hmac.new(secret_key.encode(), f"csrf:{session_token_hash}".encode(), "sha256")
    return digest.hexdigest()


def tokens_match(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
