"""Server-rendered pages: the sign-in and registration forms, health, and the headers and
markup rules every page keeps (design §6 and §7 "Pages")."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from app.db import unit_of_work
from app.main import create_app
from app.models import AuthSession, User
from app.services import accounts
from tests.conftest import PASSWORD, Browser, make_settings

HTML = {"Accept": "text/html,application/xhtml+xml"}
GENERIC_WRONG = "Email or password is wrong."


class Page(HTMLParser):
    """What a person (and a screen reader) gets from a page: labels, fields, buttons,
    plus everything that would run script."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.labels: dict[str, str] = {}  # label text -> the id it names
        self.inputs: dict[str, dict[str, str]] = {}  # input name -> its attributes
        self.buttons: list[str] = []
        self.scripts: list[dict[str, str]] = []
        self.inline_script_text = ""
        self.handlers: list[str] = []
        self.javascript_urls: list[str] = []
        self._label_for: str | None = None
        self._label_text = ""
        self._in_button = False
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.handlers += [f"{tag} {name}" for name in attributes if name.startswith("on")]
        self.javascript_urls += [
            value for name, value in attributes.items()
            if name in ("href", "src", "action", "formaction")
            and value.strip().lower().startswith("javascript:")
        ]
        if tag == "label":
            self._label_for, self._label_text = attributes.get("for", ""), ""
        elif tag == "input" and "name" in attributes:
            self.inputs[attributes["name"]] = attributes
        elif tag == "button":
            self._in_button = True
            self.buttons.append("")
        elif tag == "script":
            self.scripts.append(attributes)
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "label" and self._label_for is not None:
            self.labels[" ".join(self._label_text.split())] = self._label_for
            self._label_for = None
        elif tag == "button":
            self._in_button = False
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._label_for is not None:
            self._label_text += data
        if self._in_button:
            self.buttons[-1] += data.strip()
        if self._in_script:
            self.inline_script_text += data

    def field(self, label: str) -> dict[str, str]:
        """The input a visible label names (fails when the label or its input is missing)."""
        assert label in self.labels, f"no label {label!r} in {sorted(self.labels)}"
        matches = [attrs for attrs in self.inputs.values() if attrs.get("id") == self.labels[label]]
        assert matches, f"label {label!r} names no input"
        return matches[0]


def login_form(client: TestClient, email: str, password: str,
               csrf_token: str | None = None) -> httpx.Response:
    """Open /login like a browser, then submit it (with the page's own token by default)."""
    page = Page(client.get("/login").text)
    token = page.inputs["csrf_token"]["value"] if csrf_token is None else csrf_token
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token},
                       headers=HTML, follow_redirects=False)


def make_user(engine: sa.Engine, *, email: str, role: str) -> None:
    with unit_of_work(engine, write=True) as session:
        accounts.create_user(session, email=email, password=PASSWORD, name="Dr Dana Doc",
                             role=role)


def session_count(engine: sa.Engine) -> int:
    with unit_of_work(engine, write=False) as session:
        return len(session.exec(select(AuthSession.id)).all())


# --- the forms ------------------------------------------------------------------------------


def test_the_sign_in_page_has_labelled_email_and_password_fields_and_a_csrf_token(
    browser: Browser,
) -> None:
    response = browser.get("/login")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.field("Email")["type"] == "email" and page.field("Email")["name"] == "email"
    assert page.field("Password")["type"] == "password"
    assert page.field("Password")["name"] == "password"
    hidden = page.inputs["csrf_token"]
    assert hidden["type"] == "hidden" and len(hidden["value"]) >= 32
    assert hidden["value"] == browser.cookies["csrf_token"]
    assert "Sign in" in page.buttons


def test_the_registration_page_has_labelled_name_email_and_password_fields(
    browser: Browser,
) -> None:
    response = browser.get("/register")

    assert response.status_code == 200
    page = Page(response.text)
    assert page.field("Name")["name"] == "name"
    assert page.field("Email")["type"] == "email"
    assert page.field("Password")["type"] == "password"
    assert page.inputs["csrf_token"]["type"] == "hidden"
    assert page.inputs["csrf_token"]["value"] == browser.cookies["csrf_token"]
    assert "Create account" in page.buttons


def test_a_patient_signs_in_with_the_form_and_lands_on_the_app(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    new_browser().sign_up(email="pat@example.org")

    response = login_form(browser, "pat@example.org", PASSWORD)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    me = browser.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["email"] == "pat@example.org"


def test_a_clinician_signs_in_with_the_form_and_lands_on_the_clinic(
    browser: Browser, engine: sa.Engine
) -> None:
    make_user(engine, email="doc@example.org", role="clinician")

    response = login_form(browser, "doc@example.org", PASSWORD)

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/clinic"
    assert browser.get("/api/v1/me").json()["role"] == "clinician"


@pytest.mark.parametrize("token", ["", "not-the-token", "0" * 43])
def test_the_sign_in_form_without_its_csrf_token_is_refused(
    browser: Browser, new_browser: Callable[[], Browser], engine: sa.Engine, token: str
) -> None:
    new_browser().sign_up(email="pat@example.org")
    sessions = session_count(engine)

    response = login_form(browser, "pat@example.org", PASSWORD, csrf_token=token)

    assert response.status_code == 403, response.text
    assert "location" not in response.headers
    assert "The form expired" in response.text
    assert browser.get("/api/v1/me").status_code == 401
    assert session_count(engine) == sessions


def test_a_csrf_token_without_its_cookie_is_refused(app: FastAPI, engine: sa.Engine) -> None:
    """A cross-site form post carries a token the attacker read, but not the victim's cookie."""
    with Browser(app) as victim:
        victim.sign_up(email="pat@example.org")
    with Browser(app) as other:
        token = Page(other.get("/login").text).inputs["csrf_token"]["value"]
    with Browser(app) as fresh:
        response = fresh.post("/login", data={"email": "pat@example.org",
                                              "password": PASSWORD, "csrf_token": token},
                              headers=HTML, follow_redirects=False)

    assert response.status_code == 403
    assert session_count(engine) == 1  # the victim's own, from signing up
    assert fresh.get("/api/v1/me").status_code == 401


def test_a_wrong_password_and_an_unknown_email_show_the_same_generic_message(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    new_browser().sign_up(email="pat@example.org")

    wrong_password = login_form(browser, "pat@example.org", "not it at all")
    unknown_email = login_form(browser, "nobody@example.org", "not it at all")

    assert wrong_password.status_code == unknown_email.status_code == 401
    for response in (wrong_password, unknown_email):
        assert GENERIC_WRONG in response.text
    assert wrong_password.text.replace("pat@example.org", "") == \
        unknown_email.text.replace("nobody@example.org", "")
    assert browser.get("/api/v1/me").status_code == 401


def test_the_sign_in_form_is_throttled_with_retry_after(
    browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    new_browser().sign_up(email="pat@example.org")
    for _ in range(10):
        assert login_form(browser, "pat@example.org", "not it at all").status_code == 401

    response = login_form(browser, "pat@example.org", PASSWORD)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert "too many failed sign-ins" in response.text
    assert browser.get("/api/v1/me").status_code == 401


def test_signing_in_with_the_form_ends_a_session_the_browser_carried_before(
    app: FastAPI, browser: Browser, new_browser: Callable[[], Browser]
) -> None:
    new_browser().sign_up(email="pat@example.org")
    attacker = new_browser()
    attacker.sign_up(email="mallory@example.org")
    planted = attacker.cookies["pacewise_session"]
    browser.cookies.set("pacewise_session", planted, domain="testserver.local")

    response = login_form(browser, "pat@example.org", PASSWORD)

    assert response.status_code == 303
    assert response.cookies["pacewise_session"] != planted
    assert browser.cookies["pacewise_session"] == response.cookies["pacewise_session"]
    assert browser.get("/api/v1/me").json()["email"] == "pat@example.org"
    assert attacker.get("/api/v1/me").status_code == 401


def test_registering_with_the_form_signs_the_patient_in(
    browser: Browser, engine: sa.Engine
) -> None:
    token = Page(browser.get("/register").text).inputs["csrf_token"]["value"]

    response = browser.post("/register", headers=HTML, follow_redirects=False,
                            data={"name": "Pat Example", "email": "Pat@Example.org",
                                  "password": PASSWORD, "csrf_token": token})

    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/"
    me = browser.get("/api/v1/me").json()
    assert (me["email"], me["name"], me["role"]) == ("pat@example.org", "Pat Example", "patient")


@pytest.mark.parametrize(("fields", "status", "message"), [
    ({"csrf_token": ""}, 403, "The form expired"),
    ({"password": "password123"}, 422, "most common"),
    ({"email": "pat-at-example.org"}, 422, "is not an email address"),
])
def test_a_refused_registration_form_says_why_and_creates_nothing(
    browser: Browser, engine: sa.Engine, fields: dict[str, Any], status: int, message: str
) -> None:
    token = Page(browser.get("/register").text).inputs["csrf_token"]["value"]
    data = {"name": "Pat Example", "email": "pat@example.org", "password": PASSWORD,
            "csrf_token": token, **fields}

    response = browser.post("/register", data=data, headers=HTML, follow_redirects=False)

    assert response.status_code == status, response.text
    assert message in response.text
    assert Page(response.text).inputs["email"]["value"] == data["email"]
    with unit_of_work(engine, write=False) as session:
        assert session.exec(select(User.id)).all() == []


def test_the_registration_page_says_when_registration_is_closed(database_url: str) -> None:
    closed = create_app(make_settings(database_url, allow_registration=False))
    try:
        with TestClient(closed) as client:
            response = client.get("/register", headers=HTML)
        assert response.status_code == 403
        assert "does not take new registrations" in response.text
        assert "csrf_token" not in Page(response.text).inputs
    finally:
        closed.state.engine.dispose()


# --- health, markup and headers ------------------------------------------------------------


def test_healthz_says_ok(browser: Browser) -> None:
    response = browser.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def _pages(browser: Browser) -> dict[str, httpx.Response]:
    return {
        "/": browser.get("/", headers=HTML),
        "/login": browser.get("/login", headers=HTML),
        "/register": browser.get("/register", headers=HTML),
        "/login after a failure": login_form(browser, '"><script>alert(1)</script>@x.org',
                                             "wrong <img src=x onerror=alert(1)>"),
        "a missing page": browser.get("/nothing-here", headers=HTML),
    }


def test_pages_have_no_inline_script_or_event_handlers(browser: Browser) -> None:
    for name, response in _pages(browser).items():
        assert response.headers["content-type"].startswith("text/html"), name
        page = Page(response.text)
        assert all(script.get("src") for script in page.scripts), name
        assert page.inline_script_text.strip() == "", name
        assert page.handlers == [], (name, page.handlers)
        assert page.javascript_urls == [], name
    echoed = _pages(browser)["/login after a failure"].text
    assert "&lt;script&gt;" in echoed or "&#34;&gt;&lt;script" in echoed


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0].lower(): part[1:] for part in parts}


def test_every_kind_of_response_carries_a_strict_content_security_policy(
    browser: Browser,
) -> None:
    responses = {
        **_pages(browser),
        "/healthz": browser.get("/healthz"),
        "a stylesheet": browser.get("/static/css/app.css"),
        "a 401 from the API": browser.get("/api/v1/me"),
        "a 403 form": login_form(browser, "a@x.org", PASSWORD, csrf_token=""),
        "a 404 from the API": browser.get("/api/v1/nothing"),
    }
    for name, response in responses.items():
        assert response.status_code < 500, name
        assert "content-security-policy-report-only" not in response.headers, name
        policy = _directives(response.headers["Content-Security-Policy"])
        script_sources = policy.get("script-src", policy.get("default-src"))
        assert script_sources, (name, policy)
        assert "'unsafe-inline'" not in script_sources and "'unsafe-eval'" not in script_sources
        assert policy["object-src"] == ["'none'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert response.headers["X-Content-Type-Options"] == "nosniff", name
        assert response.headers.get("Referrer-Policy"), name
