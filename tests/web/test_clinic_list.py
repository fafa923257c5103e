"""`/clinic`, the clinician's patient list: who is listed, the triage signals, sorting,
filtering and search, who may see it, and the design §8 bar (a constant number of SQL
statements whatever the number of patients)."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from app.db import unit_of_work
from app.models import AuditEvent, CareLink, Goal, PacingPlan, SyncClient, User, utcnow
from app.services import accounts, clinic
from app.services.records import Actor, Mutation, apply_mutations
from tests.conftest import PASSWORD, Browser

TODAY = datetime.now(UTC).date()


# -- helpers --------------------------------------------------------------------------------


def make_user(engine: sa.Engine, name: str, role: str = "patient") -> User:
    with unit_of_work(engine, write=True) as session:
        return accounts.create_user(session, email=f"{uuid.uuid4().hex[:10]}@example.org",
                                    password=PASSWORD, name=name, role=role)


def link(engine: sa.Engine, patient: User, clinician: User, status: str = "active") -> None:
    with unit_of_work(engine, write=True) as session:
        session.add(CareLink(patient_id=patient.id, clinician_id=clinician.id,
                             role="physiotherapist", status=status,
                             revoked_at=utcnow() if status == "revoked" else None))


def signed_in(new_browser: Any, user: User) -> Browser:
    client: Browser = new_browser()
    assert client.sign_in(user.email).status_code == 200
    return client


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def moment(days_ago: int, hour: int = 9) -> str:
    at = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)
    return (at + timedelta(hours=hour)).isoformat()


def write(engine: sa.Engine, patient: User, *records: tuple[str, dict[str, Any]]) -> None:
    """Store records through the one write path, as the patient's phone would."""
    mutations = [Mutation(entity=entity, op="upsert", record_id=uuid.uuid4(), fields=fields)
                 for entity, fields in records]
    with unit_of_work(engine, write=True) as session:
        results = apply_mutations(session, patient_id=patient.id,
                                  actor=Actor(user_id=patient.id, role="patient"),
                                  mutations=mutations)
    assert all(result.status == "applied" for result in results), results


def psfs(days_ago: int, score: int) -> tuple[str, dict[str, Any]]:
    return ("outcome_response", {"instrument": "psfs", "local_date": day(days_ago),
                                 "answers": {"activities": [{"activity": "Walking",
                                                             "score": score}]}})


def peg(days_ago: int, value: int) -> tuple[str, dict[str, Any]]:
    return ("outcome_response", {"instrument": "peg", "local_date": day(days_ago),
                                 "answers": {"pain": value, "enjoyment": value,
                                             "activity": value}})


def screen(instrument: str, days_ago: int, first: int, second: int) -> tuple[str, dict[str, Any]]:
    keys = ("interest", "mood") if instrument == "phq2" else ("nervous", "worry")
    return ("outcome_response", {"instrument": instrument, "local_date": day(days_ago),
                                 "answers": {keys[0]: first, keys[1]: second}})


def diary(days_ago: int, **fields: Any) -> tuple[str, dict[str, Any]]:
    return ("diary_entry", {"local_date": day(days_ago), "pain": 4, **fields})


def rows_of(page: str) -> list[str]:
    """The patient names of the table, in order."""
    return [html.unescape(name) for name in
            re.findall(r'<th scope="row"><a href="/clinic/patients/[^"]+">([^<]*)</a>', page)]


def row_text(page: str, name: str) -> str:
    """The visible text of one patient's row."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        if f">{name}</a>" in row:
            return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
    raise AssertionError(f"no row for {name}")


@contextmanager
def counted(engine: sa.Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


# -- who is listed ----------------------------------------------------------------------------


def test_a_clinician_sees_only_patients_actively_linked_to_them(engine: sa.Engine,
                                                                 new_browser: Any) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    colleague = make_user(engine, "Dr Other", "clinician")
    shared = make_user(engine, "Ada Active")
    revoked = make_user(engine, "Rita Revoked")
    pending = make_user(engine, "Pia Pending")
    elsewhere = make_user(engine, "Eli Elsewhere")
    link(engine, shared, doctor)
    link(engine, revoked, doctor, "revoked")
    with unit_of_work(engine, write=True) as session:
        session.add(CareLink(patient_id=pending.id, role="other", status="pending"))
    link(engine, elsewhere, colleague)

    response = signed_in(new_browser, doctor).get("/clinic")

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert rows_of(response.text) == ["Ada Active"]
    assert f'href="/clinic/patients/{shared.id}"' in response.text


def test_reading_the_list_writes_no_audit_event(engine: sa.Engine, new_browser: Any) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    patient = make_user(engine, "Ada Active")
    link(engine, patient, doctor)
    write(engine, patient, diary(1))

    assert signed_in(new_browser, doctor).get("/clinic").status_code == 200

    with unit_of_work(engine, write=False) as session:
        assert session.exec(select(AuditEvent).where(
            AuditEvent.patient_id == patient.id, AuditEvent.actor_id == doctor.id)).all() == []


def test_a_patient_gets_403_and_nobody_signed_in_is_sent_to_login(
        engine: sa.Engine, new_browser: Any, browser: Browser) -> None:
    patient = make_user(engine, "Ada Active")
    as_patient = signed_in(new_browser, patient).get("/clinic",
                                                     headers={"Accept": "text/html"})
    assert as_patient.status_code == 403
    assert "for clinicians" in as_patient.text

    anonymous = browser.get("/clinic", follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login"


# -- signals ----------------------------------------------------------------------------------


def test_signals_of_a_crafted_patient(engine: sa.Engine, new_browser: Any) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    patient = make_user(engine, "Ada Active")
    link(engine, patient, doctor)
    write(engine, patient,
          diary(10), diary(3, flare=True),
          ("flare", {"started_at": moment(5, 8), "ended_at": moment(5, 12)}),
          ("flare", {"started_at": moment(30, 8), "ended_at": moment(30, 12)}),
          psfs(40, 3), psfs(2, 6),
          peg(60, 8), peg(20, 7), peg(1, 4),
          screen("phq2", 2, 2, 2), screen("gad2", 2, 1, 1))

    response = signed_in(new_browser, doctor).get("/clinic")
    with unit_of_work(engine, write=False) as session:
        [row] = clinic.patient_list(session, clinician_id=doctor.id)

    assert row.days_since_checkin == 3
    assert row.flare_days == 2  # the diary flare 3 days ago and the episode 5 days ago
    assert row.psfs_label == "improved" and row.psfs_change == 3
    assert row.peg_change_percent == -50 and row.peg_label == "better"
    assert row.screens == {"phq2": 4, "gad2": 2} and row.screen_flags == ["phq2"]
    assert row.days_since_sync is None and row.adherence is None
    text = row_text(response.text, "Ada Active")
    assert "3 days ago" in text
    assert "3.0 → 6.0: improved" in text
    assert "PHQ-2 4 (flag)" in text and "GAD-2 2" in text and "GAD-2 2 (flag)" not in text
    assert "PHQ-2 3 or more" in text  # the reason it needs attention


def test_psfs_change_below_two_points_is_no_real_change(engine: sa.Engine) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    patient = make_user(engine, "Ada Active")
    link(engine, patient, doctor)
    write(engine, patient, psfs(20, 5), psfs(2, 6), diary(0))
    with unit_of_work(engine, write=False) as session:
        [row] = clinic.patient_list(session, clinician_id=doctor.id)
    assert row.psfs_label == "no real change"
    assert row.days_since_checkin == 0 and row.reasons == []


def test_pacing_adherence_goals_due_and_last_sync(engine: sa.Engine) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    patient = make_user(engine, "Ada Active")
    link(engine, patient, doctor)
    plan_id, goal_id = uuid.uuid4(), uuid.uuid4()
    with unit_of_work(engine, write=True) as session:
        actor = Actor(user_id=patient.id, role="patient")
        apply_mutations(session, patient_id=patient.id, actor=actor, mutations=[
            Mutation(entity="pacing_plan", op="upsert", record_id=plan_id,
                     fields={"activity": "Walking", "unit": "minutes", "quota": 8}),
            Mutation(entity="goal", op="upsert", record_id=goal_id,
                     fields={"title": "Walk to the mailbox", "review_every_days": 7}),
            Mutation(entity="goal", op="upsert", record_id=uuid.uuid4(),
                     fields={"title": "Cook a meal", "review_every_days": 30}),
        ])
    # Back-date the plan (a full window) and the first goal (created long before its check-in).
    with unit_of_work(engine, write=True) as session:
        long_ago = utcnow() - timedelta(days=60)
        session.execute(sa.update(PacingPlan).values(created_at=long_ago))
        session.execute(sa.update(Goal).where(Goal.id == goal_id).values(created_at=long_ago))
    sessions = []
    for days_ago, achieved in ((0, 8), (1, 8), (1, 9), (2, 5), (3, 8), (20, 8)):
        sessions.append(("pacing_session", {
            "plan_id": str(plan_id), "kind": "quota", "started_at": moment(days_ago),
            "planned": 8, "achieved": achieved, "unit": "minutes"}))
    write(engine, patient, *sessions,
          ("goal_checkin", {"goal_id": str(goal_id), "local_date": day(9), "amount": 3}))
    with unit_of_work(engine, write=True) as session:
        session.add(SyncClient(client_id=uuid.uuid4(), patient_id=patient.id,
                               last_seen_at=utcnow() - timedelta(days=4)))

    with unit_of_work(engine, write=False) as session:
        [row] = clinic.patient_list(session, clinician_id=doctor.id)

    assert row.adherence_days == (3, 14)  # today, yesterday (twice counts once), 3 days ago
    assert "pacing adherence below 50 %" in row.reasons
    assert row.goals_due == 1  # reviewed 9 days ago every 7; the other is not due for 30
    assert row.days_since_sync == 4


# -- sort, filter, search -----------------------------------------------------------------------


def three_patients(engine: sa.Engine, new_browser: Any) -> Browser:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    quiet, flagged, fine = (make_user(engine, name)
                            for name in ("Quinn Quiet", "Fay Flagged", "Abe Fine"))
    for patient in (quiet, flagged, fine):
        link(engine, patient, doctor)
    write(engine, quiet, diary(12))
    write(engine, flagged, diary(0), screen("phq2", 0, 3, 3), psfs(30, 7), psfs(0, 2))
    write(engine, fine, diary(1))
    return signed_in(new_browser, doctor)


def test_the_list_sorts_by_an_allowed_column_either_way(engine: sa.Engine,
                                                        new_browser: Any) -> None:
    doctor = three_patients(engine, new_browser)

    default = doctor.get("/clinic").text
    assert rows_of(default) == ["Fay Flagged", "Quinn Quiet", "Abe Fine"]
    assert rows_of(doctor.get("/clinic?sort=name").text) == [
        "Abe Fine", "Fay Flagged", "Quinn Quiet"]
    by_checkin = doctor.get("/clinic?sort=-last_checkin").text
    assert rows_of(by_checkin) == ["Quinn Quiet", "Abe Fine", "Fay Flagged"]
    assert re.search(r'<th scope="col" aria-sort="descending"><a href="/clinic\?sort=last_checkin"',
                     by_checkin)
    assert by_checkin.count("aria-sort=") == 1


def test_an_unknown_sort_is_refused_naming_it(engine: sa.Engine, new_browser: Any) -> None:
    doctor = three_patients(engine, new_browser)
    response = doctor.get("/clinic?sort=password_hash")
    assert response.status_code == 422
    assert "password_hash" in response.text and "name" in response.text
    assert doctor.get("/clinic?flag=everything").status_code == 422


def test_the_list_filters_by_flag_and_searches_by_name(engine: sa.Engine,
                                                       new_browser: Any) -> None:
    doctor = three_patients(engine, new_browser)
    assert rows_of(doctor.get("/clinic?flag=needs_attention").text) == [
        "Fay Flagged", "Quinn Quiet"]
    assert rows_of(doctor.get("/clinic?flag=screen").text) == ["Fay Flagged"]
    assert rows_of(doctor.get("/clinic?flag=function_worse").text) == ["Fay Flagged"]
    assert rows_of(doctor.get("/clinic?flag=quiet").text) == ["Quinn Quiet"]
    assert rows_of(doctor.get("/clinic?q=quin").text) == ["Quinn Quiet"]
    assert rows_of(doctor.get("/clinic?q=%25").text) == []  # a wildcard is literal text
    assert "No patient matches." in doctor.get("/clinic?q=zed").text


# -- design §8: a constant number of SQL statements --------------------------------------------


def weeks_of_data(engine: sa.Engine, patient: User, index: int) -> None:
    plan_id = uuid.uuid4()
    records = [diary(days_ago, pain=index % 10, flare=days_ago % 9 == 0)
               for days_ago in range(21)]
    records += [psfs(20, 4), psfs(1, 5 + index % 4), peg(20, 6), peg(1, 3 + index % 5),
                screen("phq2", 3, index % 4, 1), screen("gad2", 3, 1, 1),
                ("flare", {"started_at": moment(6, 7), "ended_at": moment(5, 7)}),
                ("pacing_plan", {"activity": "Walking", "unit": "minutes", "quota": 8}),
                ("goal", {"title": "Walk to the shop", "review_every_days": 7})]
    records[-2][1]["__id"] = plan_id
    mutations = []
    for entity, fields in records:
        record_id = fields.pop("__id", uuid.uuid4())
        mutations.append(Mutation(entity=entity, op="upsert", record_id=record_id,
                                  fields=fields))
    mutations += [Mutation(entity="pacing_session", op="upsert", record_id=uuid.uuid4(),
                           fields={"plan_id": str(plan_id), "kind": "quota",
                                   "started_at": moment(days_ago), "planned": 8,
                                   "achieved": 8 - days_ago % 3, "unit": "minutes"})
                  for days_ago in range(14)]
    with unit_of_work(engine, write=True) as session:
        apply_mutations(session, patient_id=patient.id,
                        actor=Actor(user_id=patient.id, role="patient"), mutations=mutations)


def statements_for_list(engine: sa.Engine, doctor: Browser) -> tuple[int, str]:
    assert doctor.get("/clinic").status_code == 200  # any session upkeep happens here
    with counted(engine) as statements:
        response = doctor.get("/clinic")
    assert response.status_code == 200
    return len(statements), response.text


def test_the_list_costs_the_same_few_statements_for_5_and_60_patients(
        engine: sa.Engine, new_browser: Any) -> None:
    doctor = make_user(engine, "Dr Carla Clinician", "clinician")
    client = signed_in(new_browser, doctor)
    patients = [make_user(engine, f"Patient {index:02d}") for index in range(60)]
    for index, patient in enumerate(patients):
        link(engine, patient, doctor)
        weeks_of_data(engine, patient, index)
        if index == 4:
            few, page = statements_for_list(engine, client)
            assert len(rows_of(page)) == 5
    many, page = statements_for_list(engine, client)

    assert len(rows_of(page)) == 60
    assert few == many, (few, many)
    assert many <= 10, many
