"""GET /api/v1/instruments: the questionnaires this instance offers (PACEWISE_INSTRUMENTS)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str, monkeypatch: pytest.MonkeyPatch,
             request: pytest.FixtureRequest) -> Settings:
    """Settings read from the environment, with PACEWISE_INSTRUMENTS as the test gives it."""
    instruments = getattr(request, "param", None)
    if instruments is None:
        monkeypatch.delenv("PACEWISE_INSTRUMENTS", raising=False)
    else:
        monkeypatch.setenv("PACEWISE_INSTRUMENTS", instruments)
    return make_settings(database_url)


def test_by_default_every_instrument_is_offered_in_its_usual_order(patient):
    answer = patient.get("/api/v1/instruments")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"instruments": ["peg", "psfs", "phq2", "gad2", "pgic"]}


@pytest.mark.parametrize("settings", ["psfs, phq2,gad2,pgic"], indirect=True)
def test_an_instance_that_switched_peg_off_never_offers_it(patient):
    answer = patient.get("/api/v1/instruments")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"instruments": ["psfs", "phq2", "gad2", "pgic"]}


def test_the_list_needs_a_signed_in_person(browser):
    answer = browser.get("/api/v1/instruments")
    assert answer.status_code == 401
    assert answer.json()["error"]


def test_an_unknown_instrument_in_the_setting_refuses_to_start(monkeypatch):
    monkeypatch.setenv("PACEWISE_INSTRUMENTS", "peg,bpi")
    with pytest.raises(ValidationError, match="unknown instrument.*bpi"):
        Settings()
