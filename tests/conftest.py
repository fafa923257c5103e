"""Shared fixtures: a fresh database per test on every engine under test, the app built
on it, and browsers (HTTP clients with their own cookie jars) signed in as people.

SQLite always runs. PostgreSQL runs too when TEST_DATABASE_URL is set, each test in a
schema of its own that is dropped afterwards. With CI=true a missing PostgreSQL fails the
run instead of quietly testing less.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

import app.models  # noqa: F401 - every table on the metadata
from app.config import Settings
from app.db import make_engine
from app.main import create_app

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ENGINES = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "a calm walk by the river"  # noqa: S105 - test password

# Shared machines are noisy: a slow example is not a failure (the suites bound their own
# example counts instead).
hypothesis.settings.register_profile("pacewise", deadline=None)
hypothesis.settings.load_profile("pacewise")


# The longest tests, started first so that the two workers finish together instead of one
# working alone through them at the end.
LONGEST = ("test_crash_safety.py", "test_sync_faults.py", "test_fuzz.py")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def order(item: pytest.Item) -> int:
        if item.path.name in LONGEST:
            return 0
        return 1 if item.get_closest_marker("slow") else 2

    items.sort(key=order)


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get("CI") == "true" and not PG_URL:
        raise pytest.UsageError(
            "CI=true but TEST_DATABASE_URL is not set: the suite must run on PostgreSQL too"
        )


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pacewise.db'}"
        return
    with pg_schema() as url:
        yield url


class pg_schema:  # noqa: N801 - used like a function
    """A throwaway PostgreSQL schema, reached through search_path in the URL."""

    def __enter__(self) -> str:
        self.name = f"t_{uuid.uuid4().hex[:16]}"
        self.admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE SCHEMA "{self.name}"')
        separator = "&" if "?" in PG_URL else "?"
        return f"{PG_URL}{separator}options=-csearch_path%3D{self.name}"

    def __exit__(self, *exc: object) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{self.name}" CASCADE')
        self.admin.dispose()


def make_settings(database_url: str, **overrides: Any) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret-" + "x" * 32,
                    **overrides)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture(scope="session")
def _shared_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """One app for the whole run: its routes and validators warm up once, not per test."""
    unused = tmp_path_factory.mktemp("shared") / "unused.db"
    application = create_app(make_settings(f"sqlite:///{unused}"))
    application.state.engine.dispose()
    yield application


_DDL: dict[str, str] = {}


def create_tables(engine: sa.Engine) -> None:
    """What `SQLModel.metadata.create_all` does, in one round trip: the same statements
    (triggers included), compiled once per run. A PostgreSQL schema is ready in half the
    time, and most of the suite's tests start from one."""
    driver = engine.url.drivername
    if driver not in _DDL:
        statements: list[str] = []
        mock = sa.create_mock_engine(f"{driver}://", lambda sql, *_, **__: statements.append(
            str(sql.compile(dialect=mock.dialect)).strip()))
        SQLModel.metadata.create_all(mock, checkfirst=False)
        _DDL[driver] = ";\n".join(statements) + ";"
    connection = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            connection.driver_connection.executescript(_DDL[driver])  # type: ignore[union-attr]
        else:
            with connection.cursor() as cursor:
                cursor.execute(_DDL[driver])
            connection.commit()
    finally:
        connection.close()


@pytest.fixture
def app(_shared_app: FastAPI, settings: Settings) -> Iterator[FastAPI]:
    """The app on this test's own database (and settings)."""
    engine = make_engine(settings)
    create_tables(engine)
    _shared_app.state.settings = settings
    _shared_app.state.engine = engine
    yield _shared_app
    engine.dispose()


@pytest.fixture
def engine(app: FastAPI) -> sa.Engine:
    return app.state.engine  # type: ignore[no-any-return]


class Browser(TestClient):
    """One person's browser: its own cookies, and the CSRF header sent like the app does."""

    def sign_up(self, *, email: str | None = None, name: str = "Alex Example",
                password: str = PASSWORD) -> dict[str, Any]:
        email = email or f"{uuid.uuid4().hex[:10]}@example.org"
        response = self.post("/api/v1/auth/register",
                             json={"email": email, "password": password, "name": name})
        assert response.status_code == 201, response.text
        self.adopt_csrf()
        return response.json()  # type: ignore[no-any-return]

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        response = self.post("/api/v1/auth/login", json={"email": email, "password": password})
        if response.status_code == 200:
            self.adopt_csrf()
        return response

    def adopt_csrf(self) -> None:
        self.headers["X-CSRF-Token"] = self.cookies.get("csrf_token") or ""


@pytest.fixture
def browser(app: FastAPI) -> Iterator[Browser]:
    with Browser(app) as client:
        yield client


@pytest.fixture
def new_browser(app: FastAPI) -> Iterator[Any]:
    """Open more browsers on the same server (closed at the end of the test)."""
    opened: list[Browser] = []

    def open_one() -> Browser:
        client = Browser(app)
        client.__enter__()
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def patient(new_browser: Any) -> Browser:
    """A signed-in patient."""
    client = new_browser()
    client.me = client.sign_up(name="Pat Patient")
    return client  # type: ignore[no-any-return]


@pytest.fixture
def other_patient(new_browser: Any) -> Browser:
    client = new_browser()
    client.me = client.sign_up(name="Olive Other")
    return client  # type: ignore[no-any-return]


def node_binary() -> str:
    """Node.js, for the tests that run the phone's JavaScript; with CI=true a missing node
    fails the test, elsewhere it is skipped, saying so."""
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is not installed, so the JavaScript tests cannot run")
        pytest.skip("node is not installed (with CI=true this fails instead)")
    return node
