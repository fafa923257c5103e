"""Security headers on every response type (design §6; security test 18): every route in
the table, signed in and not, static files, the service worker, and each kind of error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import Browser, make_settings
from tests.live import live_server
from tests.routes import Endpoint, endpoints
from tests.test_two_processes import migrate

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
LONG_SECRET = "production-secret-" + "p" * 48


def assert_secure_headers(response: httpx.Response) -> None:
    """The headers design §6 asks of every response, whatever it is."""
    where = f"{response.request.method} {response.request.url.path} -> {response.status_code}"
    headers = response.headers
    assert "content-security-policy-report-only" not in headers, where
    csp = headers.get("content-security-policy")
    assert csp, f"{where}: no Content-Security-Policy"
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives.get("object-src") == ["'none'"], where
    assert directives.get("base-uri") == ["'none'"], where
    assert directives.get("frame-ancestors") == ["'none'"], where
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, f"{where}: CSP limits no scripts"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, where
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") in {"same-origin", "no-referrer",
                                              "strict-origin-when-cross-origin",
                                              "strict-origin"}, where
    assert not re.search(r"\d", headers.get("server", "")), f"{where}: {headers['server']}"
    if response.request.url.path.startswith("/api/"):
        assert "no-store" in headers.get("cache-control", ""), where


def assert_hsts(response: httpx.Response) -> None:
    value = response.headers.get("strict-transport-security", "")
    match = re.search(r"max-age=(\d+)", value)
    assert match and int(match.group(1)) >= 31536000, value
    assert "includesubdomains" in value.lower(), value


def call(client: TestClient, endpoint: Endpoint) -> httpx.Response:
    url = endpoint.url()
    if endpoint.method in {"POST", "PUT", "PATCH", "DELETE"}:
        return client.request(endpoint.method, url, json={})
    return client.request(endpoint.method, url)


def walk_order(app: FastAPI) -> list[Endpoint]:
    """Every endpoint, with the ones that end the session last."""
    ending = {"/api/v1/auth/logout", "/api/v1/me"}
    return sorted(endpoints(app), key=lambda e: (e.path in ending and e.method != "GET",
                                                 e.path, e.method))


def test_every_route_answers_a_signed_in_patient_with_the_security_headers(
    app: FastAPI, patient: Browser,
) -> None:
    walked = walk_order(app)
    assert len(walked) > 50
    for endpoint in walked:
        response = call(patient, endpoint)
        assert response.status_code < 500, (str(endpoint), response.text)
        assert_secure_headers(response)
        if (endpoint.path.startswith("/api/")
                and response.headers.get("content-type", "").startswith("application/json")):
            assert "no-store" in response.headers["cache-control"], str(endpoint)


def test_every_route_answers_a_stranger_with_the_security_headers(
    app: FastAPI, browser: Browser,
) -> None:
    statuses: set[int] = set()
    for endpoint in walk_order(app):
        response = call(browser, endpoint)
        assert response.status_code < 500, (str(endpoint), response.text)
        statuses.add(response.status_code)
        assert_secure_headers(response)
    assert {200, 401, 404, 422} <= statuses


def test_every_static_file_and_the_app_shell_files_carry_the_security_headers(
    browser: Browser,
) -> None:
    files = sorted(path for path in STATIC.rglob("*") if path.is_file())
    assert len(files) > 10
    for path in files:
        response = browser.get(f"/static/{path.relative_to(STATIC).as_posix()}")
        assert response.status_code == 200, path
        assert_secure_headers(response)
    for url in ("/sw.js", "/manifest.webmanifest", "/", "/login", "/register",
                "/static/no/such/file.js"):
        response = browser.get(url)
        assert_secure_headers(response)
    assert browser.get("/sw.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


def test_each_kind_of_error_carries_the_security_headers(
    app: FastAPI, patient: Browser, browser: Browser,
) -> None:
    seen: dict[int, httpx.Response] = {
        401: browser.get("/api/v1/me"),
        403: patient.post("/api/v1/diary-entries", json={},
                          headers={"Origin": "https://evil.example"}),
        404: patient.get("/api/v1/nothing-here"),
        405: patient.put("/api/v1/me", json={}),
        422: patient.post("/api/v1/diary-entries", json={"pain": "lots"}),
        413: patient.post("/api/v1/sync/push", content=b"{" + b" " * (1024 * 1024 + 10),
                          headers={"Content-Type": "application/json"}),
    }
    for _attempt in range(15):
        answer = browser.post("/api/v1/auth/login",
                              json={"email": patient.me["email"], "password": "not the one"})
        if answer.status_code == 429:
            seen[429] = answer
            break
    for status, response in seen.items():
        assert response.status_code == status, (status, response.text)
        assert response.json()["error"], response.text
        assert_secure_headers(response)
    assert 429 in seen


@pytest.fixture
def exploding_app(database_url: str) -> Iterator[FastAPI]:
    """A separate app whose one extra route fails the way a database bug would."""
    application = create_app(make_settings(database_url))

    @application.get("/api/v1/explode")
    def explode() -> None:
        raise sa.exc.ProgrammingError(
            "SELECT notes FROM diary_entry WHERE patient_id = ?", {"notes": "secret canary"},
            Exception("syntax error near notes"),
        )

    @application.get("/explode-page")
    def explode_page() -> None:
        raise RuntimeError("Traceback (most recent call last): boom in the page")

    yield application
    application.state.engine.dispose()


def test_an_unexpected_failure_answers_generic_json_with_a_request_id_and_the_headers(
    exploding_app: FastAPI,
) -> None:
    with TestClient(exploding_app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
        page = client.get("/explode-page", headers={"Accept": "text/html"})
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal"
    assert re.fullmatch(r"[0-9a-f]{8,}", body["request_id"])
    assert body["request_id"] in body["detail"]
    for text in (response.text, page.text):
        for leak in ("SELECT", "diary_entry", "canary", "Traceback", "syntax error", "File \""):
            assert leak not in text
    assert_secure_headers(response)
    assert page.status_code == 500
    assert_secure_headers(page)


def test_behind_https_every_kind_of_response_carries_hsts(tmp_path: Path) -> None:
    application = create_app(make_settings(f"sqlite:///{tmp_path / 'h.db'}",
                                           base_url="https://pacewise.example.org"))
    try:
        with TestClient(application, base_url="https://pacewise.example.org") as client:
            for url in ("/", "/sw.js", "/static/js/app.js", "/api/v1/me", "/nowhere"):
                response = client.get(url)
                assert_secure_headers(response)
                assert_hsts(response)
    finally:
        application.state.engine.dispose()


def test_plain_http_development_sends_no_hsts(browser: Browser) -> None:
    assert "strict-transport-security" not in browser.get("/").headers


def test_production_hides_the_api_docs_and_sends_hsts(tmp_path: Path) -> None:
    application = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'p.db'}",
                                      env="production", secret_key=LONG_SECRET))
    try:
        assert application.debug is False
        with TestClient(application) as client:
            for url in ("/docs", "/redoc", "/openapi.json", "/docs/oauth2-redirect"):
                response = client.get(url)
                assert response.status_code == 404, url
                assert "swagger" not in response.text.lower()
                assert_secure_headers(response)
                assert_hsts(response)
    finally:
        application.state.engine.dispose()


@pytest.mark.slow
def test_a_real_uvicorn_server_sends_the_headers_and_no_version(database_url: str) -> None:
    migrate(database_url)
    with live_server(database_url) as base_url:
        for url in ("/", "/sw.js", "/static/js/app.js", "/api/v1/me", "/nowhere",
                    "/manifest.webmanifest"):
            response = httpx.get(f"{base_url}{url}", timeout=30)
            assert response.status_code < 500
            assert_secure_headers(response)
