"""Fuzzing (design §8 robustness; issue 7 item 2): schemathesis generates requests for every
operation of the OpenAPI schema — the schema's examples, boundary values, valid and invalid
data, methods a path does not serve — and sends them, signed in as a patient, to the real
ASGI app on a database of its own. No response is a 500, and every response conforms to the
schema: a documented status code, a body of the documented shape, the declared content type.

The case count is bounded and printed at the end: on SQLite the examples and coverage phases
(finite) and at most `MAX_EXAMPLES` fuzzed cases per operation; on PostgreSQL (when
TEST_DATABASE_URL is set), which rejects some values SQLite stores (a NUL character in
text), the examples and fuzzing phases only, to keep the run near a minute on two cores.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig
from sqlmodel import SQLModel

from app.db import make_engine
from app.main import create_app
from tests.conftest import PG_URL, Browser, make_settings, pg_schema

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fuzz")]

MAX_EXAMPLES = 3  # fuzzed cases per operation
SEED = 20261127
# These end the patient's session when they succeed; then a new patient signs up.
ENDS_SESSION = {("POST", "/api/v1/auth/logout"), ("DELETE", "/api/v1/me"),
                ("POST", "/api/v1/auth/password")}
CASES: Counter[tuple[str, str]] = Counter()  # (engine, operation) -> cases sent


def fuzz_config(*, coverage: bool) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "suppress-health-check": [HealthCheck.too_slow.name, HealthCheck.filter_too_much.name],
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": coverage}},
        # Schema-valid data may still break a domain rule the schema cannot state (an end
        # before its start, a plan that is not yours): a 422 naming it is the right answer.
        "checks": {"positive_data_acceptance": {"enabled": False}},
    })


def unused_app() -> FastAPI:
    """An app whose database the fixture below sets; the schema is read from it now."""
    application = create_app(make_settings(
        f"sqlite:///{Path(tempfile.mkdtemp(prefix='pacewise-fuzz-')) / 'unused.db'}"))
    application.state.engine.dispose()
    return application


class Patient:
    """The signed-in patient the fuzzer plays: a session cookie and the CSRF header."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        self.renew()

    def renew(self) -> None:
        with Browser(self.app) as browser:
            browser.sign_up(name="Fuzz Patient")
            self.cookies = dict(browser.cookies.items())
            self.headers = {"X-CSRF-Token": browser.cookies.get("csrf_token") or ""}

    def send(self, case: Any, engine: str) -> None:
        CASES[engine, case.operation.label] += 1
        response = case.call_and_validate(headers=self.headers, cookies=self.cookies)
        if (case.method.upper(), case.path) in ENDS_SESSION and response.status_code < 300:
            self.renew()


def patient_on(app: FastAPI, url: str, engine: str) -> Iterator[Patient]:
    settings = make_settings(url)
    app.state.settings, app.state.engine = settings, make_engine(settings)
    SQLModel.metadata.create_all(app.state.engine)
    try:
        yield Patient(app)
    finally:
        app.state.engine.dispose()
        cases = {label: n for (name, label), n in CASES.items() if name == engine}
        print(f"\nschemathesis on {engine}: {sum(cases.values())} cases over {len(cases)} "
              f"operations (at most {MAX_EXAMPLES} fuzzed per operation)")


SQLITE_APP = unused_app()
sqlite_schema = schemathesis.openapi.from_asgi("/openapi.json", SQLITE_APP,
                                               config=fuzz_config(coverage=True))


@pytest.fixture(scope="module")
def sqlite_patient(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Patient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    yield from patient_on(SQLITE_APP, url, "sqlite")


@sqlite_schema.parametrize()
def test_sqlite_no_500_and_every_response_conforms(case: Any, sqlite_patient: Patient) -> None:
    sqlite_patient.send(case, "sqlite")


if PG_URL:
    PG_APP = unused_app()
    pg_schema_under_test = schemathesis.openapi.from_asgi("/openapi.json", PG_APP,
                                                          config=fuzz_config(coverage=False))

    @pytest.fixture(scope="module")
    def pg_patient() -> Iterator[Patient]:
        with pg_schema() as url:
            yield from patient_on(PG_APP, url, "postgresql")

    @pg_schema_under_test.parametrize()
    def test_postgresql_no_500_and_every_response_conforms(case: Any, pg_patient: Patient
                                                           ) -> None:
        pg_patient.send(case, "postgresql")
