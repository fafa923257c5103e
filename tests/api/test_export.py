"""The patient's own export (design §6, §7 "Export"; security tests 19 and 22): everything
the patient has and nothing of anyone else, as JSON, a zip of CSV files and a FHIR Bundle."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from typing import Any

import pytest
import sqlalchemy as sa
from fhir.resources.R4B.bundle import Bundle

from app.db import unit_of_work
from app.models import AuditEvent, CareLink
from app.schemas.entities import ENTITIES
from app.services import accounts, records
from app.services.export import FORMULA_TRIGGERS
from app.services.records import Actor, Mutation
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields

CANARY = "canary-olive-7f3a"
# Each formula trigger first, then text a naive CSV writer would break.
TRICKY = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A3)",
    "\tstarts with a tab",
    "\rstarts with a carriage return",
    "walked, then rested, then walked",
    'she said "pace it" twice',
    "line one\nline two\r\nline three",
    '=1,"2"\n3',
]


def uid(browser: Browser) -> uuid.UUID:
    return uuid.UUID(browser.me["id"])  # type: ignore[attr-defined]


def write(engine: sa.Engine, owner: uuid.UUID, actor: Actor, entity: str,
          fields: dict[str, Any], op: str = "upsert", record_id: uuid.UUID | None = None,
          ) -> uuid.UUID:
    record_id = record_id or uuid.uuid4()
    with unit_of_work(engine, write=True) as session:
        (result,) = records.apply_mutations(
            session, patient_id=owner, actor=actor,
            mutations=[Mutation(entity, op, record_id, fields)])  # type: ignore[arg-type]
    assert result.status == "applied", (entity, result)
    return record_id


def make_clinician(engine: sa.Engine) -> tuple[Actor, str]:
    email = f"{uuid.uuid4().hex[:8]}@clinic.example"
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=email, password=PASSWORD,
                                    name="Dr Carla Clinician", role="clinician")
    return Actor(user.id, "clinician", name="Dr Carla Clinician",
                 care_role="physiotherapist"), email


def fill(engine: sa.Engine, owner: uuid.UUID, clinician: Actor, *, copies: int,
         text: str | None = None) -> None:
    """`copies` live records of every entity, plus one deleted one of each; with `text`,
    every record carries it somewhere a person would type."""
    made: dict[str, uuid.UUID] = {}
    for name in sorted(ENTITIES, key=lambda n: len(ENTITIES[n].references)):
        entity = ENTITIES[name]
        actor = Actor(owner, "patient") if entity.writable_by_patient else clinician
        for copy in range(copies + 1):
            fields = valid_fields(name, **_text_fields(name, text))
            if name == "outcome_response":
                fields.update(valid_fields("outcome_response", instrument="phq2",
                                           answers={"interest": 2, "mood": 1})
                              if copy % 2 else {})
            if name == "performance_test" and copy == 0:
                fields.update(kind="six_minute_walk", value=420, unit="m")
            for field_name, target in entity.references.items():
                fields[field_name] = str(made[target])
            record_id = write(engine, owner, actor, name, fields)
            made.setdefault(name, record_id)
            if copy == copies:
                write(engine, owner, actor, name, {}, op="delete", record_id=record_id)


def _text_fields(name: str, text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    where = {"diary_entry": {"notes": text}, "value": {"title": text},
             "goal": {"title": text}, "goal_checkin": {"note": text},
             "pacing_plan": {"activity": text}, "pacing_session": {"notes": text},
             "outcome_response": {}, "performance_test": {"notes": text},
             "flare_plan": {"warning_signs": [text]}, "flare": {"notes": text},
             "weekly_review": {"went_well": text}, "reminder": {"message": text},
             "treatment": {"title": text}, "routine": {"title": text},
             "decision": {"question": text}, "care_note": {"text": text}}
    return where[name]


def live_counts(engine: sa.Engine, owner: uuid.UUID) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            name: connection.execute(
                sa.select(sa.func.count()).select_from(entity.table)
                .where(entity.table.patient_id == owner,  # type: ignore[attr-defined]
                       entity.table.deleted == sa.false())  # type: ignore[attr-defined]
            ).scalar_one()
            for name, entity in ENTITIES.items()
        }


def csv_files(response: Any) -> dict[str, list[list[str]]]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {
            name: list(csv.reader(io.StringIO(archive.read(name).decode(), newline="")))
            for name in archive.namelist()
        }


def untriggered(cell: str) -> str:
    """The original text of a cell: one leading apostrophe before a trigger comes off."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell


@pytest.fixture
def two_filled_patients(engine: sa.Engine, patient: Browser,
                        other_patient: Browser) -> Actor:
    clinician, _ = make_clinician(engine)
    fill(engine, uid(patient), clinician, copies=2)
    fill(engine, uid(other_patient), clinician, copies=1, text=CANARY)
    return clinician


# -- who may export ----------------------------------------------------------------------------


def test_an_export_without_a_session_is_refused_with_401(new_browser: Any) -> None:
    response = new_browser().get("/api/v1/export?format=json")
    assert response.status_code == 401
    assert response.json()["error"] == "not_authenticated"


def test_a_clinician_asking_for_a_patient_export_of_their_own_gets_403(
    engine: sa.Engine, new_browser: Any,
) -> None:
    _, email = make_clinician(engine)
    clinician = new_browser()
    assert clinician.sign_in(email).status_code == 200
    for fmt in ("json", "csv", "fhir"):
        response = clinician.get(f"/api/v1/export?format={fmt}")
        assert response.status_code == 403, fmt
        assert response.json()["error"] == "patients_only"


def test_an_unknown_export_format_is_a_422_that_names_it(patient: Browser) -> None:
    response = patient.get("/api/v1/export?format=xlsx")
    assert response.status_code == 422
    assert "format 'xlsx'" in response.json()["detail"]
    assert "json, csv, fhir" in response.json()["detail"]


# -- JSON --------------------------------------------------------------------------------------


def test_the_json_export_holds_every_live_record_of_the_patient_and_no_one_elses(
    engine: sa.Engine, patient: Browser, other_patient: Browser, two_filled_patients: Actor,
) -> None:
    response = patient.get("/api/v1/export?format=json")
    assert response.status_code == 200
    body = response.json()
    assert body["patient"] == {"id": patient.me["id"], "name": "Pat Patient",  # type: ignore[attr-defined]
                               "email": patient.me["email"], "timezone": "UTC"}  # type: ignore[attr-defined]
    assert set(body["records"]) == set(ENTITIES)
    counts = {name: len(items) for name, items in body["records"].items()}
    assert counts == live_counts(engine, uid(patient))
    assert all(count == 2 for count in counts.values()), counts
    assert all(not item["deleted"] for items in body["records"].values() for item in items)
    listed = patient.get("/api/v1/diary-entries").json()["items"]
    assert body["records"]["diary_entry"] == listed  # the same shape as REST gives
    assert CANARY not in response.text
    assert other_patient.me["id"] not in response.text  # type: ignore[attr-defined]


def test_the_json_export_is_a_dated_attachment_that_is_never_cached(patient: Browser) -> None:
    response = patient.get("/api/v1/export?format=json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="pacewise-export-\d{4}-\d{2}-\d{2}\.json"',
                        disposition), disposition
    assert "no-store" in response.headers["cache-control"]


def test_each_export_writes_one_audit_event_that_stays_out_of_the_access_log(
    engine: sa.Engine, patient: Browser,
) -> None:
    for fmt in ("json", "csv", "fhir"):
        assert patient.get(f"/api/v1/export?format={fmt}").status_code == 200
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(AuditEvent.resource)  # type: ignore[call-overload]
            .where(AuditEvent.actor_id == uid(patient), AuditEvent.action == "export")
            .order_by(AuditEvent.at)
        ).scalars().all()
    assert rows == ["export:json", "export:csv", "export:fhir"]
    assert patient.get("/api/v1/export?format=json").json()["access_log"] == []


def test_the_json_export_lists_the_care_team_and_what_it_read_without_invite_codes(
    engine: sa.Engine, patient: Browser,
) -> None:
    clinician, _ = make_clinician(engine)
    with unit_of_work(engine, write=True) as session:
        link = CareLink(patient_id=uid(patient), clinician_id=clinician.user_id,
                        role="physiotherapist", status="active", code_hash="f" * 64)
        session.add(link)
        session.add(AuditEvent(actor_id=clinician.user_id, actor_role="clinician",
                               patient_id=uid(patient), action="read",
                               resource="diary_entry"))

    body = patient.get("/api/v1/export?format=json").json()

    (exported,) = body["care_links"]
    assert exported["id"] == str(link.id)
    assert exported["clinician_name"] == "Dr Carla Clinician"
    assert (exported["role"], exported["status"]) == ("physiotherapist", "active")
    assert "f" * 64 not in json.dumps(body)
    (read,) = body["access_log"]
    assert (read["actor_name"], read["action"], read["resource"]) == (
        "Dr Carla Clinician", "read", "diary_entry")


# -- CSV ---------------------------------------------------------------------------------------


def test_the_csv_zip_has_one_file_per_entity_with_every_live_record_and_no_one_elses(
    engine: sa.Engine, patient: Browser, two_filled_patients: Actor,
) -> None:
    response = patient.get("/api/v1/export?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert re.search(r'filename="pacewise-export-\d{4}-\d{2}-\d{2}\.zip"',
                     response.headers["content-disposition"])
    files = csv_files(response)
    assert set(files) == {f"{name}.csv" for name in ENTITIES}
    counts = {name.removesuffix(".csv"): len(rows) - 1 for name, rows in files.items()}
    assert counts == live_counts(engine, uid(patient))
    diary_header = files["diary_entry.csv"][0]
    assert diary_header[:2] == ["id", "version"]
    assert {"local_date", "pain", "interference", "function", "notes"} <= set(diary_header)
    assert CANARY not in response.content.decode("latin-1")
    assert all(CANARY not in cell for rows in files.values() for row in rows for cell in row)


def test_csv_cells_defuse_every_formula_and_reparse_to_the_original_text(
    engine: sa.Engine, patient: Browser,
) -> None:
    owner = uid(patient)
    actor = Actor(owner, "patient")
    for text in TRICKY:
        write(engine, owner, actor, "diary_entry",
              valid_fields("diary_entry", notes=text, medications=text, activities=TRICKY))
    titles = [text for text in TRICKY if text.strip() == text]  # goal titles are trimmed
    for title in titles:
        write(engine, owner, actor, "goal", valid_fields("goal", title=title))
    plain_goal = write(engine, owner, actor, "goal", valid_fields("goal"))
    write(engine, owner, actor, "goal_checkin",
          valid_fields("goal_checkin", goal_id=str(plain_goal), gas_level=-2))

    files = csv_files(patient.get("/api/v1/export?format=csv"))

    for name, rows in files.items():
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_TRIGGERS), (name, cell)
    diary = [dict(zip(files["diary_entry.csv"][0], row, strict=True))
             for row in files["diary_entry.csv"][1:]]
    assert sorted(untriggered(row["notes"]) for row in diary) == sorted(TRICKY)
    assert sorted(untriggered(row["medications"]) for row in diary) == sorted(TRICKY)
    assert all(json.loads(untriggered(row["activities"])) == TRICKY for row in diary)
    goals = [dict(zip(files["goal.csv"][0], row, strict=True)) for row in files["goal.csv"][1:]]
    exported_titles = [untriggered(row["title"]) for row in goals]
    assert sorted(exported_titles) == sorted([*titles, valid_fields("goal")["title"]])
    triggered = [row["title"] for row in goals if row["title"].startswith("'")]
    assert len(triggered) == sum(title.startswith(FORMULA_TRIGGERS) for title in titles)
    checkin = dict(zip(*files["goal_checkin.csv"][:2], strict=True))
    assert checkin["gas_level"] == "'-2" and untriggered(checkin["gas_level"]) == "-2"


# -- FHIR --------------------------------------------------------------------------------------


def test_the_fhir_export_is_a_valid_r4_collection_bundle_matching_the_stored_records(
    engine: sa.Engine, patient: Browser, two_filled_patients: Actor,
) -> None:
    response = patient.get("/api/v1/export?format=fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    data = response.json()
    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    resources = [entry["resource"] for entry in data["entry"]]
    full_urls = [entry["fullUrl"] for entry in data["entry"]]
    assert len(set(full_urls)) == len(full_urls)

    def of_type(kind: str) -> list[dict[str, Any]]:
        return [r for r in resources if r["resourceType"] == kind]

    def coded(code: str) -> list[dict[str, Any]]:
        return [r for r in of_type("Observation") if r["code"]["coding"][0]["code"] == code]

    counts = live_counts(engine, uid(patient))
    (person,) = of_type("Patient")
    assert person["id"] == patient.me["id"]  # type: ignore[attr-defined]
    assert len(coded("72514-3")) == counts["diary_entry"]
    assert sorted(o["valueQuantity"]["value"] for o in coded("72514-3")) == [4, 4]
    assert len(of_type("QuestionnaireResponse")) == counts["outcome_response"]
    assert len(coded("91148-7")) == 1 and len(coded("55757-9")) == 1  # one PEG, one PHQ-2
    (phq2,) = coded("55757-9")
    phq2_score = next(c for c in phq2["component"]
                      if c["code"]["coding"][0]["code"] == "55758-7")
    assert phq2_score["valueQuantity"]["value"] == 3
    (walk,) = coded("64098-7")
    assert walk["valueQuantity"] == {"value": 420, "unit": "m",
                                     "system": "http://unitsofmeasure.org", "code": "m"}
    assert len(of_type("Goal")) == counts["goal"]
    assert {goal["lifecycleStatus"] for goal in of_type("Goal")} == {"active"}
    assert len(of_type("CarePlan")) == counts["pacing_plan"] + counts["flare_plan"]
    local = [c for r in of_type("Observation") for c in r["code"]["coding"]
             if c["system"] != "http://loinc.org"]
    assert local and all(c["system"].endswith("/fhir/CodeSystem/pacewise") for c in local)
    subjects = {r["subject"]["reference"] for r in resources if "subject" in r}
    assert subjects == {f"urn:uuid:{patient.me['id']}"}  # type: ignore[attr-defined]
    assert CANARY not in response.text


def test_a_goal_achieved_or_dropped_maps_to_fhir_lifecycle_and_keeps_its_target(
    engine: sa.Engine, patient: Browser,
) -> None:
    owner = uid(patient)
    actor = Actor(owner, "patient")
    achieved = write(engine, owner, actor, "goal",
                     valid_fields("goal", status="achieved", target_date="2027-01-31"))
    dropped = write(engine, owner, actor, "goal", valid_fields("goal", status="dropped"))

    data = patient.get("/api/v1/export?format=fhir").json()
    Bundle.model_validate(data)
    goals = {entry["resource"]["id"]: entry["resource"] for entry in data["entry"]
             if entry["resource"]["resourceType"] == "Goal"}
    assert goals[str(achieved)]["lifecycleStatus"] == "completed"
    assert goals[str(achieved)]["achievementStatus"]["coding"][0]["code"] == "achieved"
    assert goals[str(achieved)]["target"] == [{
        "measure": {"text": "minutes walked"},
        "detailQuantity": {"value": 15, "unit": "minutes",
                           "system": "http://unitsofmeasure.org", "code": "min"},
        "dueDate": "2027-01-31",
    }]
    assert goals[str(dropped)]["lifecycleStatus"] == "cancelled"


def test_every_instrument_becomes_a_valid_questionnaire_response_with_its_answers(
    engine: sa.Engine, patient: Browser,
) -> None:
    owner = uid(patient)
    actor = Actor(owner, "patient")
    answers = {"peg": {"pain": 6, "enjoyment": 5, "activity": 4},
               "psfs": {"activities": [{"activity": "Gardening, weeding", "score": 3},
                                       {"activity": "Carrying shopping", "score": 6}]},
               "phq2": {"interest": 1, "mood": 0}, "gad2": {"nervous": 2, "worry": 3},
               "pgic": {"change": 5}}
    for instrument, given in answers.items():
        write(engine, owner, actor, "outcome_response",
              valid_fields("outcome_response", instrument=instrument, answers=given))

    data = patient.get("/api/v1/export?format=fhir").json()
    Bundle.model_validate(data)
    responses = {r["questionnaire"].rsplit("/", 1)[1]: r for entry in data["entry"]
                 if (r := entry["resource"])["resourceType"] == "QuestionnaireResponse"}
    assert set(responses) == set(answers)
    psfs = responses["psfs"]["item"]
    assert [group["item"][0]["answer"][0]["valueString"] for group in psfs[:2]] == [
        "Gardening, weeding", "Carrying shopping"]
    assert psfs[-1] == {"linkId": "score", "answer": [{"valueDecimal": 4.5}]}
    gad2 = {item["linkId"]: item["answer"][0] for item in responses["gad2"]["item"]}
    assert gad2 == {"nervous": {"valueInteger": 2}, "worry": {"valueInteger": 3},
                    "score": {"valueDecimal": 5.0}}
