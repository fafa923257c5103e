"""A one-time reset link an admin prints: it works even while the account is locked out
(throttling never stops a password reset), once, for an hour."""

from __future__ import annotations

import argparse
from datetime import timedelta

import sqlalchemy as sa

from app.cli import _user_reset
from app.db import unit_of_work
from app.models import AuditEvent, PasswordReset, User
from app.services import accounts
from tests.conftest import PASSWORD, make_settings

NEW_PASSWORD = "a slow swim before breakfast"  # noqa: S105


def _lock_out(browser, email: str) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        assert browser.sign_in(email, "not the password at all").status_code == 401
    assert browser.sign_in(email, PASSWORD).status_code == 429


def _reset_link(database_url: str, email: str, capsys) -> str:
    assert _user_reset(make_settings(database_url), argparse.Namespace(email=email)) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def _set_password(browser, link: str, password: str):
    path = link.split("127.0.0.1:8000", 1)[1]
    page = browser.get(path)
    token = browser.cookies.get("csrf_token")
    return page, browser.post(path, data={"password": password, "csrf_token": token},
                              follow_redirects=False)


def test_a_locked_out_patient_resets_the_password_and_signs_in(
    database_url, engine, new_browser, capsys
):
    victim = new_browser()
    email = victim.sign_up()["email"]
    attacker = new_browser()
    _lock_out(attacker, email)

    link = _reset_link(database_url, email, capsys)
    page, done = _set_password(new_browser(), link, NEW_PASSWORD)
    assert page.status_code == 200 and "Choose a new password" in page.text
    assert done.status_code == 303 and done.headers["location"] == "/login?reset=1"

    assert new_browser().sign_in(email, NEW_PASSWORD).status_code == 200
    assert victim.get("/api/v1/me").status_code == 401, "the reset ends old sessions"
    with engine.connect() as connection:
        actions = connection.execute(
            sa.select(AuditEvent.action).join(User, User.id == AuditEvent.actor_id)
            .where(User.email == email)
        ).scalars().all()
    assert actions.count("lockout") == 1 and "password_reset" in actions


def test_a_reset_link_works_once(database_url, patient, new_browser, capsys):
    link = _reset_link(database_url, patient.me["email"], capsys)
    _, first = _set_password(new_browser(), link, NEW_PASSWORD)
    assert first.status_code == 303
    page, second = _set_password(new_browser(), link, "yet another long phrase")
    assert page.status_code == 410 and second.status_code == 422
    assert new_browser().sign_in(patient.me["email"], NEW_PASSWORD).status_code == 200


def test_a_reset_link_expires_after_an_hour(database_url, engine, patient, new_browser, capsys):
    link = _reset_link(database_url, patient.me["email"], capsys)
    with unit_of_work(engine, write=True) as session:
        reset = session.exec(sa.select(PasswordReset)).scalars().one()
        reset.expires_at = reset.created_at + timedelta(hours=1) - timedelta(days=1)
        session.add(reset)
    page, done = _set_password(new_browser(), link, NEW_PASSWORD)
    assert page.status_code == 410 and done.status_code == 422
    assert new_browser().sign_in(patient.me["email"], PASSWORD).status_code == 200


def test_a_weak_new_password_is_refused_and_the_link_stays_usable(
    database_url, patient, new_browser, capsys
):
    link = _reset_link(database_url, patient.me["email"], capsys)
    _, weak = _set_password(new_browser(), link, "short")
    assert weak.status_code == 422 and "at least 8" in weak.text
    _, done = _set_password(new_browser(), link, NEW_PASSWORD)
    assert done.status_code == 303


def test_a_nul_in_the_sign_in_form_is_a_wrong_password_not_a_crash(browser):
    browser.get("/login")
    response = browser.post("/login", data={"email": "a\x00@example.org", "password": "x" * 9,
                                            "csrf_token": browser.cookies.get("csrf_token")})
    assert response.status_code == 401 and "Email or password is wrong" in response.text


def test_a_name_with_control_characters_is_refused(browser):
    response = browser.post("/api/v1/auth/register", json={
        "email": "ctl@example.org", "password": PASSWORD, "name": "Bad\x00Name"})
    assert response.status_code == 422 and "name" in response.json()["detail"]


def test_guessing_the_current_password_from_a_signed_in_session_is_throttled(patient):
    for attempt in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        wrong = patient.post("/api/v1/auth/password", json={
            "current_password": f"guess number {attempt}", "new_password": NEW_PASSWORD})
        assert wrong.status_code == 422 and wrong.json()["error"] == "wrong_password"
    locked = patient.post("/api/v1/auth/password", json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    erase = patient.request("DELETE", "/api/v1/me", json={"password": PASSWORD})
    assert erase.status_code == 429
    assert patient.get("/api/v1/me").status_code == 200, "nothing was changed or erased"


def test_the_right_current_password_changes_it(patient, new_browser):
    changed = patient.post("/api/v1/auth/password", json={
        "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204
    assert new_browser().sign_in(patient.me["email"], NEW_PASSWORD).status_code == 200
