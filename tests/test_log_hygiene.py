"""Logs never hold a password, a session, CSRF or reset token, or diary text, and nobody can
forge a log line (design §6; security test 25). A scripted session runs once in-process with
every logger at DEBUG, and once against a real uvicorn process whose output is read back."""

from __future__ import annotations

import logging
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.db import make_engine, unit_of_work
from app.main import create_app
from app.services import accounts
from tests.conftest import make_settings
from tests.factories import valid_fields
from tests.live import REPO, VENV_PYTHON, free_port, server_environment
from tests.live import _stop as stop_server
from tests.live import _wait_until_healthy as wait_until_healthy
from tests.test_two_processes import migrate

LOGGERS = ("", "uvicorn", "uvicorn.access", "uvicorn.error", "sqlalchemy", "pacewise")
FORGED = "FORGED-LINE admin signed in"


@dataclass
class Secrets:
    """Every value that must never reach a log, gathered while the session runs."""

    canary: str = field(default_factory=lambda: f"canary-{uuid.uuid4().hex}")
    first_password: str = field(default_factory=lambda: f"first pass {uuid.uuid4().hex[:12]}")
    wrong_password: str = field(default_factory=lambda: f"wrong pass {uuid.uuid4().hex[:12]}")
    new_password: str = field(default_factory=lambda: f"second pass {uuid.uuid4().hex[:12]}")
    reset_password: str = field(default_factory=lambda: f"third pass {uuid.uuid4().hex[:12]}")
    tokens: list[str] = field(default_factory=list)

    def keep_cookies(self, client: httpx.Client) -> None:
        for name, value in client.cookies.items():
            if "session" in name or "csrf" in name:
                self.tokens.append(value)

    def all(self) -> list[str]:
        return [self.canary, self.first_password, self.wrong_password, self.new_password,
                self.reset_password, *self.tokens]


def scripted_session(client: httpx.Client, engine: sa.Engine, secrets: Secrets) -> None:
    """A person's whole visit: every step that handles a secret or diary text."""
    email = f"{uuid.uuid4().hex[:8]}@example.org"
    registered = client.post("/api/v1/auth/register", json={
        "email": email, "password": secrets.first_password, "name": "Pat"})
    assert registered.status_code == 201, registered.text
    secrets.keep_cookies(client)
    wrong = client.post("/api/v1/auth/login",
                        json={"email": email, "password": secrets.wrong_password})
    assert wrong.status_code == 401
    right = client.post("/api/v1/auth/login",
                        json={"email": email, "password": secrets.first_password})
    assert right.status_code == 200, right.text
    secrets.keep_cookies(client)
    client.headers["X-CSRF-Token"] = client.cookies["csrf_token"]

    entry = client.post("/api/v1/diary-entries",
                        json=valid_fields("diary_entry", notes=f"rest {secrets.canary}"))
    assert entry.status_code == 201, entry.text
    client_id = str(uuid.uuid4())
    pushed = client.post("/api/v1/sync/push", json={
        "client_id": client_id, "schema_version": 1, "mutations": [
            {"id": 1, "entity": "diary_entry", "op": "upsert", "record_id": str(uuid.uuid4()),
             "base_version": 0,
             "fields": valid_fields("diary_entry", notes=f"sync {secrets.canary}")}]})
    assert pushed.status_code == 200, pushed.text
    pulled = client.get("/api/v1/sync/pull", params={"cursor": 0, "client_id": client_id})
    assert pulled.status_code == 200 and secrets.canary in pulled.text
    assert client.get("/api/v1/export").status_code == 200

    invalid = client.post("/api/v1/diary-entries", json=valid_fields(
        "diary_entry", pain="severe", notes=f"bad {secrets.canary}"))
    assert invalid.status_code == 422
    changed = client.post("/api/v1/auth/password", json={
        "current_password": secrets.first_password, "new_password": secrets.new_password})
    assert changed.status_code == 204, changed.text

    with unit_of_work(engine, write=True) as session:
        reset_token = accounts.start_password_reset(session, email=email)
    secrets.tokens.append(reset_token)
    page = client.get(f"/reset-password/{reset_token}")
    assert page.status_code == 200
    done = client.post(f"/reset-password/{reset_token}", follow_redirects=False, data={
        "password": secrets.reset_password, "csrf_token": client.cookies["csrf_token"]})
    assert done.status_code == 303, done.text

    forged = client.post("/api/v1/auth/login", json={
        "email": f"x@example.org\r\n{FORGED}", "password": f"pw\r\n{FORGED}"})
    assert forged.status_code in (401, 422)
    client.post("/api/v1/auth/register", json={
        "email": f"y@example.org\n{FORGED}", "password": secrets.first_password,
        "name": f"Eve\r\n{FORGED}"})
    client.get(f"/api/v1/diary-entries/%0D%0A{FORGED}")


def assert_clean(output: str, secrets: Secrets) -> None:
    assert output.strip(), "nothing was captured: the check would prove nothing"
    for secret in secrets.all():
        assert secret not in output, f"{secret[:24]}… appears in the logs"
    for line in output.splitlines():
        assert not line.lstrip().startswith("FORGED-LINE"), f"forged log line: {line!r}"


@pytest.fixture
def exploding_app(database_url: str) -> Iterator[FastAPI]:
    """An app of its own with one route that fails like a database bug holding diary text."""
    application = create_app(make_settings(database_url))
    SQLModel.metadata.create_all(application.state.engine)

    @application.post("/api/v1/explode")
    def explode(body: dict[str, str]) -> None:
        raise sa.exc.IntegrityError(
            "INSERT INTO diary_entry (notes) VALUES (?)", body,
            Exception(f"Key (notes)=({body['notes']}) already exists"))

    yield application
    application.state.engine.dispose()


def test_a_whole_session_leaves_no_secret_or_diary_text_in_any_log(
    exploding_app: FastAPI, caplog: pytest.LogCaptureFixture,
) -> None:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name or None)
    secrets = Secrets()
    with TestClient(exploding_app, raise_server_exceptions=False) as client:
        scripted_session(client, exploding_app.state.engine, secrets)
        failed = client.post("/api/v1/explode", json={"notes": secrets.canary})
        assert failed.status_code == 500
        assert secrets.canary not in failed.text
    # httpx and httpcore log the test's own requests (the browser's side), not the server's.
    server_records = [record for record in caplog.records
                      if not record.name.startswith(("httpx", "httpcore"))]
    assert any(record.name.startswith("sqlalchemy") for record in server_records)
    output = "\n".join(caplog.handler.format(record) for record in server_records)
    assert failed.json()["request_id"] in output, "the 500 was not logged with its request id"
    assert_clean(output, secrets)


@pytest.mark.slow
def test_a_real_server_logs_no_secret_or_diary_text(database_url: str, tmp_path: Path) -> None:
    migrate(database_url)
    log_path = tmp_path / "server.log"
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and app
            [str(VENV_PYTHON), "-m", "uvicorn", "app.main:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "debug"],
            cwd=REPO, env=server_environment(database_url, base_url),
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            assert wait_until_healthy(process, base_url), log_path.read_text()[-3000:]
            secrets = Secrets()
            engine = make_engine(make_settings(database_url))
            try:
                with httpx.Client(base_url=base_url, timeout=30) as client:
                    scripted_session(client, engine, secrets)
            finally:
                engine.dispose()
        finally:
            stop_server(process)
    output = log_path.read_text()
    assert "/api/v1/sync/push" in output, "the access log was not captured"
    assert_clean(output, secrets)
