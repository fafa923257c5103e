"""The demo loader: two linked accounts and three months of believable, syncable data."""

from __future__ import annotations

import argparse
import math
from datetime import date, timedelta
from statistics import mean
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from app.cli import _demo
from app.db import unit_of_work
from app.main import create_app
from app.models import (
    CareLink,
    CareNote,
    DiaryEntry,
    Flare,
    Goal,
    GoalCheckin,
    OutcomeResponse,
    PacingPlan,
    PacingSession,
    PatientSyncState,
    User,
)
from app.schemas.entities import ENTITIES
from app.services import demo
from tests.conftest import Browser, make_settings

TODAY = date(2026, 3, 1)
START = TODAY - timedelta(days=90)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def loaded(engine: sa.Engine) -> list[tuple[str, str, str]]:
    with unit_of_work(engine, write=True) as session:
        return demo.load(session, today=TODAY)


def _patient(session: Session) -> User:
    return session.exec(select(User).where(User.email == "sam@demo.pacewise.example")).one()


def _local_day(session_row: Any) -> date:
    return session_row.started_at.astimezone(LONDON).date()  # type: ignore[no-any-return]


def test_demo_creates_a_patient_and_a_physiotherapist_linked_by_an_active_care_link(
    engine, loaded
):
    roles = {role: email for role, email, _ in loaded}
    with unit_of_work(engine, write=False) as session:
        patient = _patient(session)
        clinician = session.exec(select(User).where(User.email == roles["clinician"])).one()
        link = session.exec(select(CareLink).where(CareLink.patient_id == patient.id)).one()
    assert (patient.role, patient.name, roles["patient"]) == (
        "patient", "Sam Rivers", "sam@demo.pacewise.example")
    assert (clinician.role, clinician.name) == ("clinician", "Dr Jordan Lee")
    assert (link.clinician_id, link.status, link.role) == (clinician.id, "active",
                                                           "physiotherapist")


def test_daily_check_ins_show_function_improving_over_three_months(engine, loaded):
    with unit_of_work(engine, write=False) as session:
        entries = session.exec(select(DiaryEntry).order_by(DiaryEntry.local_date)).all()
    days = [entry.local_date for entry in entries]
    assert days[0] == START and days[-1] == TODAY
    assert 80 <= len(entries) < 91, "daily, with a few missed days"
    first = [e for e in entries if e.local_date < START + timedelta(days=14)]
    last = [e for e in entries if e.local_date > TODAY - timedelta(days=14)]
    assert mean(e.function for e in last) > mean(e.function for e in first) + 2
    assert mean(e.interference for e in last) < mean(e.interference for e in first) - 2
    assert len({e.function for e in entries}) >= 4, "real days are noisy"


def test_the_walking_quota_starts_at_the_trial_baseline_steps_back_in_the_flare_and_climbs(
    engine, loaded
):
    with unit_of_work(engine, write=False) as session:
        plan = session.exec(select(PacingPlan)).one()
        sessions = session.exec(select(PacingSession).order_by(PacingSession.started_at)).all()
        flare = session.exec(select(Flare)).one()
    trials = [s for s in sessions if s.kind == "trial"]
    assert len({_local_day(s) for s in trials}) >= 3, "three trials on separate days"
    assert all(_local_day(s) < START + timedelta(days=7) for s in trials)
    baseline = math.floor(mean(s.achieved for s in trials) * 0.8)
    assert plan.baseline == baseline

    paced = [(_local_day(s), s.planned) for s in sessions if s.kind == "quota"]
    assert all(s.plan_id == plan.id for s in sessions if s.kind == "quota")
    assert len(paced) > 70, "paced sessions on most days"
    flare_start = flare.started_at.astimezone(LONDON).date()
    flare_end = flare.ended_at.astimezone(LONDON).date()
    before = [q for day, q in paced if day < flare_start]
    during = [q for day, q in paced if flare_start <= day <= flare_end]
    after = [q for day, q in paced if day > flare_end]
    assert before[0] == baseline
    assert before == sorted(before) and before[-1] > baseline, "rises week by week"
    rises = [(a, b) for a, b in zip(before, before[1:], strict=False) if b != a]
    assert all(a < b <= a * 1.15 for a, b in rises), f"about 10 % at a time: {rises}"
    assert during and max(during) < before[-1], "steps back for the flare"
    assert during[-1] in before, "back to a level already managed comfortably"
    assert after == sorted(after) and after[-1] > before[-1], "then climbs again"
    assert plan.quota == after[-1]


def test_a_flare_of_about_four_days_starts_in_week_six_and_the_diary_marks_it(engine, loaded):
    with unit_of_work(engine, write=False) as session:
        flares = session.exec(select(Flare)).all()
        flare_days = session.exec(
            select(DiaryEntry.local_date, DiaryEntry.pain).where(DiaryEntry.flare == sa.true())
        ).all()
        other_pain = session.exec(
            select(DiaryEntry.pain).where(DiaryEntry.flare == sa.false())
        ).all()
    (flare,) = flares
    started = flare.started_at.astimezone(LONDON).date()
    assert START + timedelta(days=35) <= started <= START + timedelta(days=41)
    assert timedelta(days=3) <= flare.ended_at - flare.started_at <= timedelta(days=5)
    assert {day for day, _ in flare_days} >= {started, started + timedelta(days=3)}
    assert mean(pain for _, pain in flare_days) > mean(other_pain) + 2


def test_peg_and_psfs_are_taken_monthly_with_scores_the_server_computed(engine, loaded):
    with unit_of_work(engine, write=False) as session:
        responses = session.exec(
            select(OutcomeResponse).order_by(OutcomeResponse.local_date)
        ).all()
    by_instrument: dict[str, list[OutcomeResponse]] = {}
    for response in responses:
        by_instrument.setdefault(response.instrument, []).append(response)
    for instrument in ("peg", "psfs"):
        days = [r.local_date for r in by_instrument[instrument]]
        gaps = [(later - earlier).days for earlier, later in zip(days, days[1:], strict=False)]
        assert days[0] == START and days[-1] == TODAY
        assert len(gaps) >= 3 and all(28 <= gap <= 31 for gap in gaps), f"{instrument} monthly"
    for peg in by_instrument["peg"]:
        assert peg.score == pytest.approx(mean(peg.answers.values()), abs=0.01)
    for psfs in by_instrument["psfs"]:
        items = psfs.answers["activities"]
        assert len(items) == 3
        assert psfs.score == pytest.approx(mean(i["score"] for i in items), abs=0.01)
    assert by_instrument["psfs"][-1].score > by_instrument["psfs"][0].score
    assert by_instrument["peg"][-1].score < by_instrument["peg"][0].score
    for screen in ("phq2", "gad2"):
        (only,) = by_instrument[screen]
        assert only.local_date == START and only.score == sum(only.answers.values())


def test_goals_serve_values_and_have_steps_barriers_and_weekly_check_ins(engine, loaded):
    with unit_of_work(engine, write=False) as session:
        goals = session.exec(select(Goal)).all()
        checkins = {
            goal.id: session.exec(select(GoalCheckin).where(GoalCheckin.goal_id == goal.id)).all()
            for goal in goals
        }
        notes = session.exec(select(CareNote)).all()
    assert len(goals) == 2
    for goal in goals:
        assert goal.value_ids and goal.steps and goal.barriers and goal.contingency
        assert any(step["done"] for step in goal.steps)
        assert not all(step["done"] for step in goal.steps)
        amounts = [c.amount for c in sorted(checkins[goal.id], key=lambda c: c.local_date)]
        assert len(amounts) >= 12 and amounts[-1] > amounts[0]
    assert sum(1 for goal in goals if goal.gas_levels) == 1
    assert notes and {n.author_role for n in notes} == {"physiotherapist"}


def _row_counts(engine: sa.Engine) -> dict[str, int]:
    count = sa.select(sa.func.count())
    with engine.connect() as connection:
        return {
            table.name: connection.execute(count.select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def test_loading_the_demo_again_adds_nothing_and_returns_the_same_credentials(engine, loaded):
    counts = _row_counts(engine)
    with unit_of_work(engine, write=True) as session:
        again = demo.load(session, today=TODAY + timedelta(days=5))
    assert again == loaded
    assert _row_counts(engine) == counts


def test_every_demo_record_has_its_own_version_and_the_counter_is_at_the_highest(
    engine, loaded
):
    with unit_of_work(engine, write=False) as session:
        patient_id = _patient(session).id
        versions = [
            version
            for entity in ENTITIES.values()
            for version in session.exec(
                select(entity.table.version).where(  # type: ignore[attr-defined]
                    entity.table.patient_id == patient_id)  # type: ignore[attr-defined]
            ).all()
        ]
        state = session.get(PatientSyncState, patient_id)
    assert len(versions) > 200
    assert len(set(versions)) == len(versions)
    assert state is not None and state.version == max(versions)


def test_the_demo_command_migrates_loads_and_prints_sign_ins_that_work(database_url, capsys):
    settings = make_settings(database_url)

    assert _demo(settings, argparse.Namespace()) == 0

    printed = capsys.readouterr().out
    lines = [line.split() for line in printed.splitlines() if "password:" in line]
    assert [(role, email) for role, email, *_ in lines] == [
        ("patient", "sam@demo.pacewise.example"),
        ("clinician", "jordan.lee@demo.pacewise.example"),
    ]
    application = create_app(settings)
    try:
        with Browser(application) as browser:
            _, email, _, password = lines[0]
            assert browser.sign_in(email, password).status_code == 200
            me = browser.get("/api/v1/me")
            assert me.json()["name"] == "Sam Rivers"
            diary = browser.get("/api/v1/diary-entries")
            assert diary.status_code == 200 and diary.json()["items"]
    finally:
        application.state.engine.dispose()
