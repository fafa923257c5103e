"""Accounts and sessions (design §6, §7 "Auth"; security tests 1–10 and 25).

Every test runs on a real database (a SQLite file, and a PostgreSQL schema when
TEST_DATABASE_URL is set) and asserts on what the person sees or what is stored.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import subprocess
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pwdlib.hashers.bcrypt import BcryptHasher
from sqlmodel import SQLModel, select

from app.config import DEV_SECRET_KEY, Settings
from app.db import unit_of_work
from app.main import create_app
from app.models import AuthSession, LoginAttempt, User, utcnow
from app.schemas.entities import BY_COLLECTION
from app.security import new_token
from app.services import accounts
from tests.conftest import PASSWORD, Browser
from tests.factories import PARENTS, valid_fields

REPO = Path(__file__).resolve().parents[2]
PACEWISE = REPO / ".venv" / "bin" / "pacewise"
SESSION_COOKIE = "pacewise_session"
WRONG = {"error": "wrong_credentials", "detail": "email or password is wrong"}


# --- helpers ------------------------------------------------------------------------------


def settings_for(database_url: str, **overrides: Any) -> Settings:
    return Settings(**{"database_url": database_url,
                       "secret_key": "test-secret-" + "x" * 32, **overrides})


@pytest.fixture
def build_app(database_url: str) -> Iterator[Callable[..., FastAPI]]:
    """Build more apps on the test's database with other settings."""
    built: list[FastAPI] = []

    def build(**overrides: Any) -> FastAPI:
        application = create_app(settings_for(database_url, **overrides))
        SQLModel.metadata.create_all(application.state.engine)
        built.append(application)
        return application

    yield build
    for application in built:
        application.state.engine.dispose()


def count(engine: sa.Engine, model: type[SQLModel], *where: Any) -> int:
    with unit_of_work(engine, write=False) as session:
        statement = sa.select(sa.func.count()).select_from(model)
        for condition in where:
            statement = statement.where(condition)
        return int(session.execute(statement).scalar_one())


def execute(engine: sa.Engine, statement: Any) -> None:
    with unit_of_work(engine, write=True) as session:
        session.execute(statement)


def stored_user(engine: sa.Engine, email: str) -> User:
    with unit_of_work(engine, write=False) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        session.expunge(user)
        return user


def me_status(app: FastAPI, token: str, cookie: str = SESSION_COOKIE,
              base_url: str = "http://testserver") -> int:
    """What GET /api/v1/me answers to a browser that carries only this session cookie."""
    with TestClient(app, base_url=base_url) as client:
        return client.get("/api/v1/me", headers={"Cookie": f"{cookie}={token}"}).status_code


def set_cookies(response: httpx.Response) -> dict[str, dict[str, str]]:
    """Each Set-Cookie of a response: name -> its attributes (lower case), value under ''."""
    cookies: dict[str, dict[str, str]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        for name, morsel in parsed.items():
            attributes = {key.lower(): "true" if value is True else str(value)
                          for key, value in morsel.items() if value}
            cookies[name] = {"": morsel.value, **attributes}
    return cookies


def register(client: TestClient, email: str, password: str = PASSWORD,
             name: str = "Alex Example") -> httpx.Response:
    return client.post("/api/v1/auth/register",
                       json={"email": email, "password": password, "name": name})


def make_user(engine: sa.Engine, *, email: str, role: str = "patient",
              password: str = PASSWORD) -> None:
    with unit_of_work(engine, write=True) as session:
        accounts.create_user(session, email=email, password=password,
                             name=f"{role.title()} Example", role=role)


# --- registration -------------------------------------------------------------------------


def test_registering_answers_201_and_signs_the_person_in(browser: Browser) -> None:
    response = register(browser, "pat@example.org", name="Pat  Example")

    assert response.status_code == 201, response.text
    created = response.json()
    assert {key: created[key] for key in ("email", "name", "role")} == {
        "email": "pat@example.org", "name": "Pat Example", "role": "patient"}
    uuid.UUID(created["id"])
    me = browser.get("/api/v1/me")
    assert me.status_code == 200
    assert {key: me.json()[key] for key in ("id", "email", "name", "role")} == {
        key: created[key] for key in ("id", "email", "name", "role")}


def test_an_email_that_differs_only_in_case_is_already_taken(
    browser: Browser, new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    assert register(browser, "a@x.org").status_code == 201

    second = new_browser()
    response = register(second, "A@X.org", password="another good password", name="Imposter")

    assert response.status_code == 409, response.text
    assert response.json()["error"] == "email_taken"
    assert "set-cookie" not in response.headers
    assert count(engine, User) == 1
    assert count(engine, AuthSession) == 1
    assert stored_user(engine, "a@x.org").name == "Alex Example"
    assert second.get("/api/v1/me").status_code == 401


def test_registration_is_refused_when_the_instance_has_closed_it(
    build_app: Callable[..., FastAPI],
) -> None:
    closed = build_app(allow_registration=False)
    with TestClient(closed) as client:
        response = register(client, "new@example.org")

    assert response.status_code == 403, response.text
    assert response.json()["error"] == "registration_closed"
    assert count(closed.state.engine, User) == 0


@pytest.mark.parametrize("email", [
    "not-an-email", "a@b", "@x.org", "a b@x.org", "a@@x.org", "a@.org", "a@x.",
    "a@x..org", "x" * 250 + "@x.org",
])
def test_a_malformed_email_is_refused_naming_it(
    browser: Browser, engine: sa.Engine, email: str
) -> None:
    response = register(browser, email)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "email" in detail and repr(email)[:20] in detail, detail
    assert count(engine, User) == 0


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_blank_or_overlong_name_is_refused_naming_it(
    browser: Browser, engine: sa.Engine, name: str
) -> None:
    response = register(browser, "pat@example.org", name=name)

    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "name" in detail and repr(name)[:20] in detail, detail
    assert count(engine, User) == 0


def test_registrations_are_throttled_per_address(browser: Browser, engine: sa.Engine) -> None:
    with unit_of_work(engine, write=True) as session:
        session.add_all(LoginAttempt(kind="register", email="", address="testclient",
                                     success=True) for _ in range(100))

    response = register(browser, "late@example.org")

    assert response.status_code == 429, response.text
    assert int(response.headers["Retry-After"]) > 0
    assert count(engine, User) == 0


# --- passwords ----------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "problem"), [
    ("x7chars", "7 characters"),
    ("correct horse " * 9 + "bat", "129 characters"),
    ("password123", "most common"),
    ("Password123", "most common"),
    ("iloveyou", "most common"),
])
def test_a_weak_or_overlong_password_is_refused(
    browser: Browser, engine: sa.Engine, password: str, problem: str
) -> None:
    response = register(browser, "pat@example.org", password=password)

    assert response.status_code == 422, response.text
    assert "password" in response.json()["detail"] and problem in response.json()["detail"]
    assert count(engine, User) == 0


@pytest.mark.parametrize("password", [
    "8charsok",
    "correct horse " * 9 + "ba",  # 128 characters
    "Füße tragen mich 🚶‍♀️ über den Fluß",  # pasted Unicode
    "пароль для прогулки",
])
def test_passwords_from_8_to_128_characters_including_unicode_work(
    new_browser: Callable[[], Browser], password: str
) -> None:
    first = new_browser()
    assert register(first, "pat@example.org", password=password).status_code == 201

    second = new_browser()
    assert second.sign_in("pat@example.org", password).status_code == 200
    assert second.sign_in("pat@example.org", password[:-1] + "?").status_code == 401


def test_passwords_that_differ_only_after_byte_72_are_not_interchangeable(
    new_browser: Callable[[], Browser],
) -> None:
    password = ("slow walks along the river " * 3)[:72]
    assert len(password.encode()) == 72
    register(new_browser(), "pat@example.org", password=password)
    register(new_browser(), "sam@example.org", password=password + "!")

    assert new_browser().sign_in("pat@example.org", password + "!").status_code == 401
    assert new_browser().sign_in("sam@example.org", password).status_code == 401
    assert new_browser().sign_in("pat@example.org", password).status_code == 200
    assert new_browser().sign_in("sam@example.org", password + "!").status_code == 200


def test_the_stored_hash_is_argon2id_with_at_least_the_asvs_parameters(
    browser: Browser, engine: sa.Engine
) -> None:
    register(browser, "pat@example.org")

    stored = stored_user(engine, "pat@example.org").password_hash
    assert stored.startswith("$argon2id$"), stored[:12]
    parameters = dict(re.findall(r"([mtp])=(\d+)", stored))
    assert int(parameters["m"]) >= 19456 and int(parameters["t"]) >= 2, parameters
    assert PASSWORD not in stored


def test_a_legacy_bcrypt_hash_still_signs_in_and_is_rewritten_as_argon2id(
    browser: Browser, engine: sa.Engine
) -> None:
    make_user(engine, email="old@example.org")
    legacy = BcryptHasher().hash(PASSWORD)
    execute(engine, sa.update(User).where(User.email == "old@example.org")  # type: ignore[arg-type]
            .values(password_hash=legacy))

    assert browser.sign_in("old@example.org").status_code == 200

    rewritten = stored_user(engine, "old@example.org").password_hash
    assert rewritten.startswith("$argon2id$") and rewritten != legacy
    assert browser.sign_in("old@example.org").status_code == 200


# --- sign-in ------------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    register(new_browser(), "pat@example.org")

    wrong_password = browser.post("/api/v1/auth/login",
                                  json={"email": "pat@example.org", "password": "not it at all"})
    unknown_email = browser.post("/api/v1/auth/login",
                                 json={"email": "nobody@example.org", "password": "not it at all"})

    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json() == unknown_email.json() == WRONG
    assert wrong_password.content == unknown_email.content
    assert "set-cookie" not in wrong_password.headers and "set-cookie" not in unknown_email.headers


def test_a_disabled_account_gets_the_same_answer_as_a_wrong_password(
    browser: Browser, engine: sa.Engine
) -> None:
    make_user(engine, email="gone@example.org")
    with unit_of_work(engine, write=True) as session:
        accounts.set_disabled(session, email="gone@example.org", disabled=True)

    response = browser.sign_in("gone@example.org")

    assert response.status_code == 401 and response.json() == WRONG


def test_sign_in_ignores_the_case_and_spaces_of_the_email(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    register(new_browser(), "pat@example.org")

    assert browser.sign_in("  PAT@Example.org ").status_code == 200


# --- session tokens -----------------------------------------------------------------------


def test_signing_in_replaces_a_session_the_browser_carried_before(
    app: FastAPI, browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    """Session fixation: a cookie from before sign-in is useless after it."""
    register(new_browser(), "pat@example.org")
    attacker = new_browser()
    attacker.sign_up(email="mallory@example.org")
    planted = attacker.cookies[SESSION_COOKIE]
    assert me_status(app, planted) == 200

    browser.cookies.set(SESSION_COOKIE, planted, domain="testserver.local")
    response = browser.sign_in("pat@example.org")

    assert response.status_code == 200
    issued = set_cookies(response)[SESSION_COOKIE][""]
    assert issued != planted
    assert me_status(app, planted) == 401
    assert me_status(app, issued) == 200
    assert browser.get("/api/v1/me").json()["email"] == "pat@example.org"


def test_a_made_up_session_cookie_is_never_adopted(
    app: FastAPI, browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    register(new_browser(), "pat@example.org")
    chosen = new_token()
    browser.cookies.set(SESSION_COOKIE, chosen, domain="testserver.local")

    issued = set_cookies(browser.sign_in("pat@example.org"))[SESSION_COOKIE][""]

    assert issued != chosen
    assert me_status(app, chosen) == 401


def test_the_database_keeps_only_the_sha256_of_a_session_token(
    patient: Browser, engine: sa.Engine
) -> None:
    token = patient.cookies[SESSION_COOKIE]
    csrf = patient.cookies["csrf_token"]

    with unit_of_work(engine, write=False) as session:
        hashes = session.exec(select(AuthSession.token_hash)).all()
        every_value = [
            str(value)
            for table in SQLModel.metadata.sorted_tables
            for row in session.execute(sa.select(table))
            for value in row
        ]
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]
    assert not any(token in value or csrf in value for value in every_value)


def test_session_tokens_are_long_random_and_do_not_repeat(patient: Browser) -> None:
    token = patient.cookies[SESSION_COOKIE]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43,}", token), token
    tokens = {new_token() for _ in range(10_000)}
    assert len(tokens) == 10_000
    assert all(len(t) >= 43 for t in tokens)


@pytest.mark.parametrize("forge", [
    lambda token: token[:-1],
    lambda token: token[:20] + ("A" if token[20] != "A" else "B") + token[21:],
    lambda token: "",
    lambda token: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.",
    lambda token: token + token,
    lambda token: "x" * 5000,
])
def test_a_forged_or_malformed_session_cookie_gets_401(
    app: FastAPI, patient: Browser, forge: Callable[[str], str]
) -> None:
    forged = forge(patient.cookies[SESSION_COOKIE])
    with TestClient(app) as client:
        response = client.get("/api/v1/me", headers={"Cookie": f"{SESSION_COOKIE}={forged}"})

    assert response.status_code == 401
    assert response.json() == {"error": "not_authenticated", "detail": "sign in to continue"}


def test_a_basic_or_bearer_authorization_header_is_no_way_in(
    app: FastAPI, patient: Browser
) -> None:
    token = patient.cookies[SESSION_COOKIE]
    with TestClient(app) as client:
        for header in ("Basic cGF0QGV4YW1wbGUub3JnOnBhc3N3b3Jk", f"Bearer {token}", ""):
            response = client.get("/api/v1/me", headers={"Authorization": header})
            assert response.status_code == 401, header


# --- ending sessions ----------------------------------------------------------------------


def test_logout_ends_the_session_on_the_server(app: FastAPI, patient: Browser) -> None:
    token = patient.cookies[SESSION_COOKIE]

    response = patient.post("/api/v1/auth/logout")

    assert response.status_code == 204
    assert set_cookies(response)[SESSION_COOKIE].get("max-age") == "0"
    assert me_status(app, token) == 401
    assert patient.get("/api/v1/me").status_code == 401


def test_a_password_change_ends_the_other_sessions_but_keeps_this_one(
    app: FastAPI, new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    phone, laptop = new_browser(), new_browser()
    phone.sign_up(email="pat@example.org")
    assert laptop.sign_in("pat@example.org").status_code == 200
    laptop_token = laptop.cookies[SESSION_COOKIE]

    response = phone.post("/api/v1/auth/password",
                          json={"current_password": PASSWORD,
                                "new_password": "a new path through the park"})

    assert response.status_code == 204, response.text
    assert phone.get("/api/v1/me").status_code == 200
    assert me_status(app, laptop_token) == 401
    assert count(engine, AuthSession) == 1
    assert new_browser().sign_in("pat@example.org").status_code == 401
    assert new_browser().sign_in("pat@example.org",
                                 "a new path through the park").status_code == 200


def test_a_password_change_needs_the_current_password_and_a_good_new_one(
    patient: Browser, engine: sa.Engine
) -> None:
    before = stored_user(engine, patient.me["email"]).password_hash

    wrong = patient.post("/api/v1/auth/password",
                         json={"current_password": "not my password",
                               "new_password": "a new path through the park"})
    weak = patient.post("/api/v1/auth/password",
                        json={"current_password": PASSWORD, "new_password": "password123"})

    assert wrong.status_code == 422 and "current_password" in wrong.json()["detail"]
    assert weak.status_code == 422 and "new_password" in weak.json()["detail"]
    assert stored_user(engine, patient.me["email"]).password_hash == before


def test_disabling_an_account_ends_every_session(
    app: FastAPI, new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    phone, laptop = new_browser(), new_browser()
    phone.sign_up(email="pat@example.org")
    laptop.sign_in("pat@example.org")
    tokens = [phone.cookies[SESSION_COOKIE], laptop.cookies[SESSION_COOKIE]]

    with unit_of_work(engine, write=True) as session:
        accounts.set_disabled(session, email="pat@example.org", disabled=True)

    assert [me_status(app, token) for token in tokens] == [401, 401]
    assert count(engine, AuthSession) == 0
    assert new_browser().sign_in("pat@example.org").status_code == 401


def test_the_user_disable_command_ends_every_session(
    app: FastAPI, patient: Browser, database_url: str
) -> None:
    token = patient.cookies[SESSION_COOKIE]

    result = run_pacewise(database_url, "user", "disable", patient.me["email"].upper())

    assert result.returncode == 0, result.stderr
    assert "disabled" in result.stdout
    assert me_status(app, token) == 401


# --- CSRF and cross-site requests -----------------------------------------------------------


def _entry_writes(patient: Browser) -> list[tuple[str, str, dict[str, Any] | None]]:
    created = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"))
    assert created.status_code == 201, created.text
    path = f"/api/v1/diary-entries/{created.json()['id']}"
    return [
        ("POST", "/api/v1/diary-entries", valid_fields("diary_entry", pain=9)),
        ("PATCH", path, {"pain": 9}),
        ("DELETE", path, None),
        ("POST", "/api/v1/auth/password",
         {"current_password": PASSWORD, "new_password": "a new path through the park"}),
        ("POST", "/api/v1/auth/logout", None),
    ]


def _snapshot(engine: sa.Engine, *, ignore: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Every row of every table (minus the `ignore` columns), to compare before and after."""
    with unit_of_work(engine, write=False) as session:
        snapshot: dict[str, Any] = {}
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if f"{table.name}.{c.name}" not in ignore]
            rows = session.execute(sa.select(*columns)).all()
            snapshot[table.name] = sorted(repr(tuple(row)) for row in rows)
        return snapshot


CROSS_SITE = {
    "no CSRF header": {},
    "a wrong CSRF header": {"X-CSRF-Token": "0" * 64},
    "a foreign Origin": {"Origin": "https://evil.example"},
    "a null Origin": {"Origin": "null"},
    "Sec-Fetch-Site cross-site": {"Sec-Fetch-Site": "cross-site"},
}


@pytest.mark.parametrize("case", list(CROSS_SITE))
def test_a_write_without_csrf_proof_or_from_another_site_is_refused_and_changes_nothing(
    app: FastAPI, patient: Browser, engine: sa.Engine, case: str
) -> None:
    writes = _entry_writes(patient)
    before = _snapshot(engine)
    if case == "no CSRF header":
        del patient.headers["X-CSRF-Token"]

    for method, path, body in writes:
        response = patient.request(method, path, json=body, headers=CROSS_SITE[case])
        assert response.status_code == 403, (method, path, response.text)
        assert set(response.json()) == {"error", "detail"}

    assert _snapshot(engine) == before
    assert me_status(app, patient.cookies[SESSION_COOKIE]) == 200


def test_another_sessions_csrf_token_does_not_work(
    patient: Browser, other_patient: Browser, engine: sa.Engine
) -> None:
    response = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"),
                            headers={"X-CSRF-Token": other_patient.headers["X-CSRF-Token"]})

    assert response.status_code == 403
    assert count(engine, BY_COLLECTION["diary-entries"].table) == 0


def test_a_same_origin_write_with_the_csrf_header_succeeds(
    patient: Browser, engine: sa.Engine
) -> None:
    response = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"),
                            headers={"Origin": "http://testserver",
                                     "Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 201, response.text
    assert count(engine, BY_COLLECTION["diary-entries"].table) == 1


def _seed_every_collection(patient: Browser) -> dict[str, str]:
    ids: dict[str, str] = {}
    for collection, entity in BY_COLLECTION.items():
        if not entity.writable_by_patient:
            continue
        fields = valid_fields(entity.name)
        if entity.name in PARENTS:
            field, parent = PARENTS[entity.name]
            fields[field] = ids[next(c for c, e in BY_COLLECTION.items() if e.name == parent)]
        response = patient.post(f"/api/v1/{collection}", json=fields)
        assert response.status_code == 201, (collection, response.text)
        ids[collection] = response.json()["id"]
    return ids


def test_no_get_route_changes_anything_in_the_database(
    app: FastAPI, patient: Browser, engine: sa.Engine
) -> None:
    ids = _seed_every_collection(patient)
    paths = {path for path, operations in app.openapi()["paths"].items() if "get" in operations}
    paths |= {route.path for route in app.routes  # the pages, left out of the schema
              if "GET" in getattr(route, "methods", ()) and hasattr(route, "endpoint")}
    assert "/api/v1/me" in paths and "/api/v1/diary-entries/{record_id}" in paths
    # Allowed side effects: touching the session's last_seen_at (the idle clock), and
    # appending to the audit trail (reading an export is audited, security-tests #22/#24).
    before = _snapshot(engine, ignore=frozenset({"auth_session.last_seen_at"}))

    answered: dict[str, int] = {}
    for path in sorted(paths):
        collection = path.split("/")[3] if path.startswith("/api/v1/") else ""
        concrete = re.sub(r"\{[^}]+\}", ids.get(collection, str(uuid.uuid4())), path)
        answered[path] = patient.get(concrete).status_code
        assert answered[path] < 500, (path, answered[path])

    after = _snapshot(engine, ignore=frozenset({"auth_session.last_seen_at"}))
    audit_before, audit_after = before.pop("audit_event"), after.pop("audit_event")
    assert after == before
    assert set(audit_before) <= set(audit_after), "audit rows are only ever appended"
    assert answered["/api/v1/diary-entries/{record_id}"] == 200


# --- throttling -----------------------------------------------------------------------------


def _fail(client: TestClient, email: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"email": email, "password": "not it at all"})


def test_ten_failed_sign_ins_lock_the_account_for_the_window(
    browser: Browser, new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    register(new_browser(), "pat@example.org")
    register(new_browser(), "sam@example.org")

    for attempt in range(10):
        assert _fail(browser, "pat@example.org").status_code == 401, attempt
    locked = browser.sign_in("pat@example.org")

    assert locked.status_code == 429, locked.text
    assert set(locked.json()) == {"error", "detail"}
    assert locked.json()["error"] == "too_many_attempts"
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert "set-cookie" not in locked.headers
    assert new_browser().sign_in("sam@example.org").status_code == 200

    execute(engine, sa.update(LoginAttempt)
            .values(at=utcnow() - timedelta(minutes=15, seconds=5)))

    assert _fail(browser, "pat@example.org").status_code == 401
    assert browser.sign_in("pat@example.org").status_code == 200


def test_an_unknown_email_locks_after_ten_failures_too(browser: Browser) -> None:
    """Otherwise a 429 would tell that an account exists."""
    for attempt in range(10):
        assert _fail(browser, "nobody@example.org").status_code == 401, attempt

    response = _fail(browser, "nobody@example.org")

    assert response.status_code == 429
    assert response.json()["error"] == "too_many_attempts"


def test_the_address_limit_of_fifty_failures_covers_every_account(
    new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    attacker = new_browser()
    register(new_browser(), "pat@example.org")
    for attempt in range(49):
        assert _fail(attacker, f"guess{attempt % 7}@example.org").status_code == 401, attempt
    assert new_browser().sign_in("pat@example.org").status_code == 200

    assert _fail(attacker, "guess-last@example.org").status_code == 401
    refused = new_browser().sign_in("pat@example.org")

    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert count(engine, LoginAttempt, LoginAttempt.success == sa.false()) == 50


def test_a_throttled_attempt_is_not_counted_and_sets_no_session(
    browser: Browser, new_browser: Callable[[], Browser], engine: sa.Engine
) -> None:
    register(new_browser(), "pat@example.org")
    for _ in range(10):
        _fail(browser, "pat@example.org")
    sessions = count(engine, AuthSession)

    for _ in range(5):
        assert browser.sign_in("pat@example.org").status_code == 429

    assert count(engine, AuthSession) == sessions
    assert count(engine, LoginAttempt, LoginAttempt.kind == "login") == 10


# --- idle and absolute timeouts -----------------------------------------------------------


def _age_sessions(engine: sa.Engine, email: str, **columns: Any) -> None:
    user_id = stored_user(engine, email).id
    execute(engine, sa.update(AuthSession)
            .where(AuthSession.user_id == user_id)  # type: ignore[arg-type]
            .values(**columns))


def test_a_clinician_session_ends_after_30_idle_minutes(
    browser: Browser, engine: sa.Engine
) -> None:
    make_user(engine, email="doc@example.org", role="clinician")
    assert browser.sign_in("doc@example.org").status_code == 200

    _age_sessions(engine, "doc@example.org", last_seen_at=utcnow() - timedelta(minutes=29))
    assert browser.get("/api/v1/me").status_code == 200

    _age_sessions(engine, "doc@example.org", last_seen_at=utcnow() - timedelta(minutes=31))
    assert browser.get("/api/v1/me").status_code == 401


def test_a_patient_session_survives_31_idle_minutes(patient: Browser, engine: sa.Engine) -> None:
    _age_sessions(engine, patient.me["email"], last_seen_at=utcnow() - timedelta(minutes=31))

    assert patient.get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("role", ["patient", "clinician"])
def test_a_session_past_its_absolute_expiry_gets_401(
    browser: Browser, engine: sa.Engine, role: str
) -> None:
    make_user(engine, email="someone@example.org", role=role)
    browser.sign_in("someone@example.org")
    _age_sessions(engine, "someone@example.org", expires_at=utcnow() - timedelta(seconds=1))

    assert browser.get("/api/v1/me").status_code == 401


def test_session_lifetimes_come_from_settings(browser: Browser, engine: sa.Engine) -> None:
    make_user(engine, email="doc@example.org", role="clinician")
    browser.sign_in("doc@example.org")
    register(browser, "pat@example.org")

    with unit_of_work(engine, write=False) as session:
        lifetimes = {
            role: expires - created
            for role, created, expires in session.execute(
                sa.select(User.role, AuthSession.created_at, AuthSession.expires_at)
                .join(User, User.id == AuthSession.user_id)  # type: ignore[arg-type]
            )
        }
    assert lifetimes == {"clinician": timedelta(hours=12), "patient": timedelta(days=30)}


# --- cookies and production settings ------------------------------------------------------


def test_the_session_cookie_is_httponly_lax_and_site_wide(browser: Browser) -> None:
    cookies = set_cookies(register(browser, "pat@example.org"))

    session = cookies[SESSION_COOKIE]
    assert session.get("httponly") == "true"
    assert session.get("samesite", "").lower() == "lax"
    assert session.get("path") == "/"
    assert "domain" not in session
    csrf = cookies["csrf_token"]
    assert "httponly" not in csrf and csrf.get("samesite", "").lower() == "lax"


def test_in_production_the_session_cookie_is_host_prefixed_and_secure(
    build_app: Callable[..., FastAPI],
) -> None:
    production = build_app(env="production", secret_key=secrets.token_urlsafe(48))
    with Browser(production, base_url="https://testserver") as client:
        response = register(client, "pat@example.org")
        assert response.status_code == 201, response.text
        cookies = set_cookies(response)
        me = client.get("/api/v1/me")

    assert SESSION_COOKIE not in cookies
    session = cookies["__Host-pacewise_session"]
    assert session.get("secure") == "true" and session.get("httponly") == "true"
    assert session.get("path") == "/" and "domain" not in session
    assert session.get("samesite", "").lower() == "lax"
    assert cookies["csrf_token"].get("secure") == "true"
    assert me.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("secret", [None, "", "   ", DEV_SECRET_KEY])
def test_production_refuses_a_missing_or_default_secret_key(
    monkeypatch: pytest.MonkeyPatch, secret: str | None
) -> None:
    monkeypatch.delenv("PACEWISE_SECRET_KEY", raising=False)
    given = {} if secret is None else {"secret_key": secret}

    with pytest.raises(ValueError, match="PACEWISE_SECRET_KEY"):
        Settings(env="production", **given)  # type: ignore[arg-type]


def test_production_turns_off_the_api_docs(
    build_app: Callable[..., FastAPI], app: FastAPI
) -> None:
    production = build_app(env="production", secret_key=secrets.token_urlsafe(48))
    paths = ("/docs", "/redoc", "/openapi.json")
    with TestClient(app) as development, TestClient(production) as live:
        assert [development.get(path).status_code for path in paths] == [200, 200, 200]
        assert [live.get(path).status_code for path in paths] == [404, 404, 404]


# --- the pacewise command -----------------------------------------------------------------


def run_pacewise(
    database_url: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("PACEWISE_")}
    environment["DATABASE_URL"] = database_url
    return subprocess.run(  # noqa: S603 - our own command
        [str(PACEWISE), *args], input=stdin, capture_output=True, text=True, cwd=REPO,
        env=environment, timeout=120, check=False,
    )


def test_the_user_create_command_makes_a_clinician_who_can_sign_in(database_url: str) -> None:
    migrated = run_pacewise(database_url, "migrate")
    assert migrated.returncode == 0, migrated.stderr

    created = run_pacewise(database_url, "user", "create", "--role", "clinician",
                           "--email", "Doc@Example.org", "--name", "Dr Dana Doc",
                           "--password-stdin", stdin="a long walk in the hills\n")

    assert created.returncode == 0, created.stderr
    assert "doc@example.org" in created.stdout
    assert "a long walk in the hills" not in created.stdout + created.stderr
    application = create_app(settings_for(database_url))
    try:
        assert stored_user(application.state.engine, "doc@example.org").role == "clinician"
        with Browser(application) as client:
            response = client.sign_in("doc@example.org", "a long walk in the hills")
            assert response.status_code == 200, response.text
            assert response.json()["role"] == "clinician"
            assert client.get("/api/v1/me").json()["name"] == "Dr Dana Doc"
    finally:
        application.state.engine.dispose()


@pytest.mark.parametrize(("password", "problem"), [
    ("short", "password is 5 characters; use at least 8"),
    ("password123", "most common"),
])
def test_the_user_create_command_refuses_a_weak_password(
    database_url: str, password: str, problem: str
) -> None:
    assert run_pacewise(database_url, "migrate").returncode == 0

    result = run_pacewise(database_url, "user", "create", "--role", "clinician",
                          "--email", "doc@example.org", "--name", "Dr Dana Doc",
                          "--password-stdin", stdin=password + "\n")

    assert result.returncode == 1, result.stdout + result.stderr
    assert problem in result.stderr
    application = create_app(settings_for(database_url))
    try:
        assert count(application.state.engine, User) == 0
    finally:
        application.state.engine.dispose()


# --- logs ---------------------------------------------------------------------------------


def test_passwords_and_session_tokens_stay_out_of_the_logs(
    caplog: pytest.LogCaptureFixture, new_browser: Callable[[], Browser]
) -> None:
    caplog.set_level(logging.DEBUG)
    new_password = "a new path through the park"
    phone = new_browser()
    phone.sign_up(email="pat@example.org")
    _fail(new_browser(), "pat@example.org")
    laptop = new_browser()
    laptop.sign_in("pat@example.org")
    phone.post("/api/v1/auth/password",
               json={"current_password": PASSWORD, "new_password": new_password})
    secrets_seen = [PASSWORD, new_password, phone.cookies[SESSION_COOKIE],
                    laptop.cookies[SESSION_COOKIE], phone.cookies["csrf_token"]]

    logged = caplog.text + "".join(repr(record.args) for record in caplog.records)

    assert not [secret for secret in secrets_seen if secret in logged]
