"""The patient app in a real browser: Debian's Chromium driven by Playwright against a
live Pacewise server (uvicorn on a free loopback port, a new SQLite file per test module;
test_sync.py also runs on PostgreSQL when TEST_DATABASE_URL is set).

Every test gets a fresh browser context, so its service worker, IndexedDB, Cache Storage,
localStorage and cookies start empty, at a 390 px wide phone viewport. Helpers here act
as a person does (through labelled controls) and read back what the server stored.

With CI=true a missing Chromium or Playwright fails the run; elsewhere those tests are
skipped, saying so.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

import app.models  # noqa: F401 - every table on the metadata
from app.db import make_engine
from app.models.diary import DiaryEntry
from app.models.user import User
from tests.conftest import PASSWORD, make_settings, pg_schema
from tests.live import (
    REPO,
    VENV_PYTHON,
    _stop,
    _wait_until_healthy,
    live_server,
    server_environment,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
VENDOR = Path(__file__).resolve().parent / "vendor"
# Long enough for a sync retry after a lost answer (the runner backs off 2 s, then 4 s).
WAIT_MS = 15_000

# Test modules take Playwright's names from here, so that without the package they are
# skipped (or, in CI, failed) by the `playwright` fixture instead of failing to import.
try:
    from playwright.sync_api import (
        Browser,
        BrowserContext,
        Locator,
        Page,
        Playwright,
        Route,
        expect,
        sync_playwright,
    )
except ImportError:  # pragma: no cover - reported by the fixture below
    Browser = BrowserContext = Locator = Page = Playwright = Route = Any  # type: ignore[misc]
    expect = sync_playwright = None  # type: ignore[assignment]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.slow)


def _missing(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}: the browser tests must run in CI", pytrace=False)
    pytest.skip(f"{reason} (skipped outside CI; with CI=true this fails)")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if sync_playwright is None:
        _missing("the Python package playwright is not installed")
    if not CHROMIUM.exists():
        _missing(f"{CHROMIUM} is missing (apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                         headless=True)
    yield browser
    browser.close()


@dataclass
class Server:
    """A running Pacewise and a way to read what it stored."""

    url: str
    database_url: str
    engine: sa.Engine

    def entries(self, email: str) -> list[DiaryEntry]:
        """The live (not deleted) diary entries the server holds for the person."""
        with Session(self.engine) as session:
            query = (select(DiaryEntry).join(User, User.id == DiaryEntry.patient_id)  # type: ignore[arg-type]
                     .where(User.email == email, DiaryEntry.deleted == False)  # noqa: E712
                     .order_by(DiaryEntry.created_at))  # type: ignore[arg-type]
            return list(session.exec(query).all())

    @contextmanager
    def api(self, person: Person) -> Iterator[httpx.Client]:
        """The person's own API client (another device of theirs), signed in."""
        with httpx.Client(base_url=self.url, timeout=10) as client:
            answer = client.post("/api/v1/auth/login",
                                 json={"email": person.email, "password": person.password})
            assert answer.status_code == 200, answer.text
            client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]
            yield client

    def register(self, name: str) -> Person:
        """An account made through the API, for a person who then signs in in the browser."""
        person = Person(name=name)
        answer = httpx.post(f"{self.url}/api/v1/auth/register", timeout=10,
                            json={"email": person.email, "password": person.password,
                                  "name": person.name})
        assert answer.status_code == 201, answer.text
        return person


def fresh_database(directory: Path) -> tuple[str, sa.Engine]:
    """A new SQLite file with every table, and an engine to read it back."""
    database_url = f"sqlite:///{directory / 'pacewise.db'}"
    engine = make_engine(make_settings(database_url))
    SQLModel.metadata.create_all(engine)
    return database_url, engine


@contextmanager
def running_server(engine_name: str, directory: Path) -> Iterator[Server]:
    """A live server on a new database: a SQLite file, or a PostgreSQL schema."""
    with ExitStack() as stack:
        if engine_name == "sqlite":
            database_url, engine = fresh_database(directory)
        else:
            database_url = stack.enter_context(pg_schema())
            engine = make_engine(make_settings(database_url))
            SQLModel.metadata.create_all(engine)
        stack.callback(engine.dispose)
        url = stack.enter_context(live_server(database_url))
        yield Server(url=url, database_url=database_url, engine=engine)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server per test module, on SQLite (the server side is proven on PostgreSQL by
    the API tests; test_sync.py runs on both engines)."""
    with running_server("sqlite", tmp_path_factory.mktemp("browser")) as running:
        yield running


@contextmanager
def serve_at(database_url: str, port: int, root: Path = REPO) -> Iterator[str]:
    """Pacewise from `root` on a fixed port, so that a browser sees one origin across a
    restart: the way to deploy a new version under a page that is open."""
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    base_url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile(mode="w+", prefix="pacewise-browser-") as log:
        process = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
            [python, "-m", "uvicorn", "app.main:create_app", "--factory", "--app-dir", str(root),
             "--host", "127.0.0.1", "--port", str(port), "--no-server-header"],
            cwd=root, env=server_environment(database_url, base_url),
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            if not _wait_until_healthy(process, base_url):
                log.seek(0)
                raise RuntimeError(f"Pacewise did not start from {root}:\n{log.read()[-4000:]}")
            yield base_url
        finally:
            _stop(process)


def copy_of_the_app(into: Path) -> Path:
    """A copy of the app package to change, as a new release would; returns its root."""
    shutil.copytree(REPO / "app", into / "app", ignore=shutil.ignore_patterns("__pycache__"))
    return into


def eventually(page: Page, read: Callable[[], Any], expected: Any,
               timeout_ms: int = WAIT_MS) -> Any:
    """Poll `read()` until it equals `expected`; fail showing the last value otherwise.
    Waits through the page, so that Playwright keeps serving routes and events meanwhile."""
    deadline = time.monotonic() + timeout_ms / 1000
    value = read()
    while value != expected and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        value = read()
    assert value == expected
    return value


@dataclass
class Person:
    name: str
    email: str = field(default_factory=lambda: f"{uuid.uuid4().hex[:12]}@example.org")
    password: str = PASSWORD


@dataclass
class Watch:
    """What went wrong in a page that a person would not see: script errors, CSP reports."""

    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


CSP_PROBE = """
document.addEventListener('securitypolicyviolation', (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`
    + ` at ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watch(page: Page, into: Watch) -> Page:
    page.on("pageerror", lambda error: into.errors.append(f"{page.url}: {error}"))
    page.on("dialog", lambda dialog: (into.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: into.csp.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None)
    return page


@pytest.fixture
def watched() -> Watch:
    return Watch()


@pytest.fixture
def new_context(chromium: Browser, server: Server,
                watched: Watch) -> Iterator[Callable[..., BrowserContext]]:
    """Open browser contexts (separate devices) for the test; all closed at its end."""
    opened: list[BrowserContext] = []

    def open_one(**options: Any) -> BrowserContext:
        options = {"base_url": server.url, "viewport": PHONE, "color_scheme": "light",
                   **options}
        context = chromium.new_context(**options)
        context.add_init_script(CSP_PROBE)
        context.set_default_timeout(WAIT_MS)
        context.on("page", lambda page: watch(page, watched))
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        context.close()
    assert watched.errors == [], "uncaught errors in the app's pages"
    assert watched.csp == [], "the app broke its own Content Security Policy"


@pytest.fixture
def context(new_context: Callable[..., BrowserContext]) -> BrowserContext:
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# --- acting as a person -------------------------------------------------------------


def register_patient(page: Page, name: str = "Pat Patient") -> Person:
    """Create an account through the /register page; ends on Today, signed in."""
    person = Person(name=name)
    page.goto("/register")
    page.get_by_label("Name").fill(person.name)
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Create account").click()
    expect(checkin_form(page)).to_be_visible()
    return person


def sign_in(page: Page, person: Person) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign in").click()
    expect(checkin_form(page)).to_be_visible()


def checkin_form(page: Page) -> Locator:
    return page.get_by_role("form", name="Daily check-in")


def choose(page: Page, scale: str, value: int) -> None:
    """Tap one number of a 0–10 scale ("Pain", "Interference", "Function", …)."""
    (page.get_by_role("radiogroup", name=f"{scale} (0–10)")
     .get_by_role("radio", name=str(value), exact=True).check())


def sync_status(page: Page) -> Locator:
    return page.get_by_role("status")


def todays_entries(page: Page) -> Locator:
    return page.get_by_role("region", name="Today’s check-ins").get_by_role("listitem")


def wait_until_offline_ready(page: Page) -> None:
    """The service worker controls the page and its precache is complete."""
    page.wait_for_function(
        """async () => {
          const registration = await navigator.serviceWorker.ready;
          return Boolean(navigator.serviceWorker.controller && registration.active
            && registration.active.state === 'activated');
        }""", timeout=WAIT_MS)


def user_databases(page: Page) -> list[str]:
    names: list[str] = page.evaluate(
        "async () => (await indexedDB.databases()).map((database) => database.name)")
    return names


def axe_source() -> str:
    scripts = sorted(VENDOR.glob("axe-core-*.min.js"))
    assert scripts, f"no vendored axe-core in {VENDOR}"
    return scripts[-1].read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[str]:
    """axe-core's default rule set on the page as it is now; one line per failing node."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        f"{' > '.join(map(str, node['target']))}: {_squeeze(node.get('failureSummary'))}"
        for violation in result for node in violation["nodes"]
    ]


def _squeeze(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "")[:300]
