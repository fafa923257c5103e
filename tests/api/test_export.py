"""Exports (design §6, §7 "Export"; security tests 19, 22 and 24): the patient's own,
everything they have and nothing of anyone else, as JSON, a zip of CSV files and a FHIR
Bundle with its CareTeam and Provenance; and a linked clinician's, only over an active
care link, each one audited once where the patient sees it."""

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
from sqlmodel import col

from app.db import unit_of_work
from app.models import AuditEvent, CareLink
from app.schemas.entities import ENTITIES
from app.services import accounts, records
from app.services.export import FORMULA_TRIGGERS
from app.services.records import Actor, Mutation
from tests.api.test_sharing import ACCESS_LOG, LINKS, linked
from tests.api.test_sharing import clinician as signed_in_clinician
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
    where: dict[str, dict[str, Any]] = {
        "diary_entry": {"notes": text}, "value": {"title": text},
        "goal": {"title": text}, "goal_checkin": {"note": text},
        "pacing_plan": {"activity": text}, "pacing_session": {"notes": text},
        "outcome_response": {}, "performance_test": {"notes": text},
        "flare_plan": {"warning_signs": [text]}, "flare": {"notes": text},
        "weekly_review": {"went_well": text}, "reminder": {"message": text},
        "treatment": {"title": text}, "routine": {"title": text},
        "decision": {"question": text}, "care_note": {"text": text},
    }
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
    plans = [plan["category"][0]["text"] for plan in of_type("CarePlan")]
    assert sorted(plans) == sorted(["pacing"] * counts["pacing_plan"]
                                   + ["flare plan"] * counts["flare_plan"]
                                   + ["shared decision"] * counts["decision"])
    assert len(of_type("Communication")) == counts["care_note"]
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


def test_a_performance_test_done_with_a_helper_says_so_in_csv_and_fhir(
    engine: sa.Engine, patient: Browser,
) -> None:
    owner = uid(patient)
    helped = write(engine, owner, Actor(owner, "patient"), "performance_test",
                   valid_fields("performance_test", with_helper=True))

    files = csv_files(patient.get("/api/v1/export?format=csv"))
    header, row = files["performance_test.csv"]
    assert dict(zip(header, row, strict=True))["with_helper"] == "true"
    data = patient.get("/api/v1/export?format=fhir").json()
    Bundle.model_validate(data)
    (test,) = [r for entry in data["entry"] if (r := entry["resource"])["resourceType"]
               == "Observation" and r["id"] == str(uuid.uuid5(helped, "performance"))]
    assert test["note"] == [{"text": "Done with someone else present."}]


# -- FHIR: who is on the team, and where each record came from ---------------------------------


def references(value: Any) -> list[str]:
    """Every `reference` anywhere in a resource."""
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [ref for item in value.values() for ref in references(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in references(item)]
    return []


def test_the_fhir_bundle_names_the_care_team_and_the_author_of_every_record(
    engine: sa.Engine, patient: Browser, new_browser: Any,
) -> None:
    physio = signed_in_clinician(engine, new_browser, name="Dr Priya Physio")
    linked(engine, patient, physio, "physiotherapist")
    former = signed_in_clinician(engine, new_browser, name="Dr Gone Away")
    former_link = linked(engine, patient, former, "behavioural_health")
    assert patient.delete(f"{LINKS}/{former_link}").status_code == 204
    owner = uid(patient)
    me = Actor(owner, "patient")
    as_physio = Actor(uid(physio), "clinician", name="Dr Priya Physio",
                      care_role="physiotherapist")
    diary = write(engine, owner, me, "diary_entry", valid_fields("diary_entry"))
    peg = write(engine, owner, me, "outcome_response", valid_fields("outcome_response"))
    note = write(engine, owner, as_physio, "care_note", valid_fields("care_note"))
    visit = write(engine, owner, as_physio, "decision",
                  valid_fields("decision", choice="Join", what_matters="Company"))
    own_decision = write(engine, owner, me, "decision", valid_fields("decision"))

    data = patient.get("/api/v1/export?format=fhir").json()

    bundle = Bundle.model_validate(data)
    assert bundle.type == "collection"
    by_url = {entry["fullUrl"]: entry["resource"] for entry in data["entry"]}
    assert len(by_url) == len(data["entry"])
    dangling = {ref for resource in by_url.values() for ref in references(resource)
                if ref not in by_url}
    assert dangling == set(), "every reference resolves inside the Bundle"
    resources = list(by_url.values())
    physio_url = f"urn:uuid:{physio.me['id']}"  # type: ignore[attr-defined]
    patient_url = f"urn:uuid:{owner}"

    (team,) = [r for r in resources if r["resourceType"] == "CareTeam"]
    assert team["subject"] == {"reference": patient_url}
    assert [(p["member"]["reference"], p["role"][0]["coding"][0]["code"],
             p["role"][0]["text"]) for p in team["participant"]] == [
        (physio_url, "physiotherapist", "Physiotherapist")]
    assert by_url[physio_url]["resourceType"] == "Practitioner"
    assert by_url[physio_url]["name"] == [{"text": "Dr Priya Physio"}]
    assert "Dr Gone Away" not in json.dumps(data), "a revoked link is not on the team"

    provenances = [r for r in resources if r["resourceType"] == "Provenance"]
    authored = [url for url, r in by_url.items() if r["resourceType"] not in (
        "Patient", "Practitioner", "CareTeam", "Provenance")]
    targets = [t["reference"] for prov in provenances for t in prov["target"]]
    assert sorted(targets) == sorted(authored), "each record has exactly one Provenance"

    def provenance_of(record_id: uuid.UUID) -> dict[str, Any]:
        (found,) = [p for p in provenances
                    if p["entity"][0]["what"]["identifier"]["value"] == str(record_id)]
        return found

    with unit_of_work(engine, write=False) as session:
        stored = {record_id: session.get(ENTITIES[name].table, record_id)
                  for name, record_id in (("diary_entry", diary), ("care_note", note))}
    diary_prov = provenance_of(diary)
    assert diary_prov["agent"][0]["who"] == {"reference": patient_url}
    assert diary_prov["agent"][0]["type"]["coding"][0]["code"] == "author"
    assert {t["reference"] for t in diary_prov["target"]} == {
        f"urn:uuid:{uuid.uuid5(diary, key)}" for key in ("pain", "interference", "function")}
    assert diary_prov["recorded"] == stored[diary].updated_at.isoformat().replace(  # type: ignore[union-attr]
        "+00:00", "Z")
    assert {t["reference"] for t in provenance_of(peg)["target"]} == {
        f"urn:uuid:{peg}", f"urn:uuid:{uuid.uuid5(peg, 'peg')}"}
    note_prov = provenance_of(note)
    assert note_prov["target"] == [{"reference": f"urn:uuid:{note}"}]
    assert note_prov["agent"][0]["who"] == {"reference": physio_url, "display": "Dr Priya Physio"}
    assert note_prov["agent"][0]["role"][0]["coding"][0]["code"] == "physiotherapist"
    assert provenance_of(visit)["agent"][0]["who"]["reference"] == physio_url
    assert provenance_of(own_decision)["agent"][0]["who"] == {"reference": patient_url}

    message = by_url[f"urn:uuid:{note}"]
    assert message["resourceType"] == "Communication"
    assert message["sender"]["reference"] == physio_url
    assert message["payload"] == [{"contentString": "Walking tolerance is up."}]
    decision = by_url[f"urn:uuid:{visit}"]
    assert (decision["resourceType"], decision["author"]["reference"]) == ("CarePlan", physio_url)
    assert decision["description"] == "Chosen: Join"
    assert decision["activity"][0]["detail"]["description"] == "Benefits: Company"


def test_a_care_note_whose_author_was_erased_keeps_the_name_it_was_signed_with(
    engine: sa.Engine, patient: Browser,
) -> None:
    owner = uid(patient)
    author, _ = make_clinician(engine)
    note = write(engine, owner, author, "care_note", valid_fields("care_note"))
    with unit_of_work(engine, write=True) as session:
        session.execute(sa.update(ENTITIES["care_note"].table)  # type: ignore[arg-type]
                        .values(author_id=None))

    data = patient.get("/api/v1/export?format=fhir").json()

    Bundle.model_validate(data)
    by_id = {entry["resource"]["id"]: entry["resource"] for entry in data["entry"]}
    assert by_id[str(note)]["sender"] == {"display": "Dr Carla Clinician"}
    assert not [r for r in by_id.values() if r["resourceType"] in ("Practitioner", "CareTeam")]


# -- a linked clinician's export ---------------------------------------------------------------


def clinic_export(patient: Browser, fmt: str) -> str:
    return f"/clinic/patients/{patient.me['id']}/export?format={fmt}"  # type: ignore[attr-defined]


def exports_by(engine: sa.Engine, actor_id: uuid.UUID) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(AuditEvent.patient_id, AuditEvent.action,  # type: ignore[call-overload]
                      AuditEvent.resource)
            .where(AuditEvent.actor_id == actor_id).order_by(AuditEvent.at))]


def test_a_linked_clinician_downloads_the_csv_zip_and_the_fhir_bundle_each_audited_once(
    engine: sa.Engine, patient: Browser, new_browser: Any, two_filled_patients: Actor,
) -> None:
    doctor = signed_in_clinician(engine, new_browser, name="Dr Priya Physio")
    linked(engine, patient, doctor, "physiotherapist")
    before = exports_by(engine, uid(doctor))

    zipped = doctor.get(clinic_export(patient, "csv"))
    assert zipped.status_code == 200, zipped.text
    assert zipped.headers["content-type"] == "application/zip"
    assert "no-store" in zipped.headers["cache-control"]
    assert re.fullmatch(r'attachment; filename="pacewise-export-pat-patient-\d{4}-\d{2}-\d{2}'
                        r'\.zip"', zipped.headers["content-disposition"])
    files = csv_files(zipped)
    assert set(files) == {f"{name}.csv" for name in ENTITIES}
    counts = {name.removesuffix(".csv"): len(rows) - 1 for name, rows in files.items()}
    assert counts == live_counts(engine, uid(patient))
    assert all(CANARY not in cell for rows in files.values() for row in rows for cell in row)
    assert exports_by(engine, uid(doctor)) == [*before, (uid(patient), "export", "export:csv")]

    bundle = doctor.get(clinic_export(patient, "fhir"))
    assert bundle.status_code == 200, bundle.text
    assert bundle.headers["content-type"].startswith("application/fhir+json")
    assert "no-store" in bundle.headers["cache-control"]
    assert re.search(r'filename="pacewise-export-pat-patient-[\d-]+\.fhir\.json"',
                     bundle.headers["content-disposition"])
    data = bundle.json()
    Bundle.model_validate(data)
    (person,) = [e["resource"] for e in data["entry"]
                 if e["resource"]["resourceType"] == "Patient"]
    assert person["id"] == patient.me["id"]  # type: ignore[attr-defined]
    assert CANARY not in bundle.text
    assert exports_by(engine, uid(doctor)) == [*before, (uid(patient), "export", "export:csv"),
                                               (uid(patient), "export", "export:fhir")]

    seen = [(item["actor_name"], item["action"], item["resource"])
            for item in patient.get(ACCESS_LOG).json()["items"]]
    assert seen[:2] == [("Dr Priya Physio", "export", "export:fhir"),
                        ("Dr Priya Physio", "export", "export:csv")]


def test_a_clinician_gets_404_for_the_export_without_a_link_and_after_revocation(
    engine: sa.Engine, patient: Browser, other_patient: Browser, new_browser: Any,
) -> None:
    doctor = signed_in_clinician(engine, new_browser)
    for fmt in ("csv", "fhir"):
        never = doctor.get(clinic_export(patient, fmt))
        assert never.status_code == 404, fmt
        assert "no-store" in never.headers["cache-control"]
        assert doctor.get(f"/clinic/patients/{uuid.uuid4()}/export?format={fmt}"
                          ).status_code == 404
    link = linked(engine, patient, doctor)
    linked(engine, other_patient, doctor)  # a link to someone else opens nothing here
    assert doctor.get(clinic_export(patient, "csv")).status_code == 200
    assert patient.delete(f"{LINKS}/{link}").status_code == 204
    audited = exports_by(engine, uid(doctor))

    for fmt in ("csv", "fhir"):
        revoked = doctor.get(clinic_export(patient, fmt))
        assert revoked.status_code == 404, fmt
        assert revoked.headers["content-type"].startswith("text/html")
        assert "filename" not in revoked.headers.get("content-disposition", "")
    assert exports_by(engine, uid(doctor)) == audited, "a refused export is not a read"
    assert doctor.get(clinic_export(other_patient, "fhir")).status_code == 200


def test_the_clinician_export_offers_csv_and_fhir_only(
    engine: sa.Engine, patient: Browser, new_browser: Any,
) -> None:
    doctor = signed_in_clinician(engine, new_browser)
    linked(engine, patient, doctor)
    for fmt in ("json", "xlsx"):
        response = doctor.get(clinic_export(patient, fmt))
        assert response.status_code == 422, fmt
        assert f"format &#39;{fmt}&#39; is not one of csv, fhir" in response.text
    assert exports_by(engine, uid(doctor))[-1][1] != "export"


def test_patients_get_403_and_strangers_the_sign_in_page_for_a_clinician_export(
    engine: sa.Engine, patient: Browser, other_patient: Browser, new_browser: Any,
) -> None:
    for fmt in ("csv", "fhir"):
        own = patient.get(clinic_export(patient, fmt))
        assert own.status_code == 403, fmt
        assert "content-disposition" not in own.headers
        assert other_patient.get(clinic_export(patient, fmt)).status_code == 403
        anonymous = new_browser().get(clinic_export(patient, fmt), follow_redirects=False)
        assert anonymous.status_code == 303
        assert anonymous.headers["location"] == "/login"
    with engine.connect() as connection:
        exported = connection.execute(
            sa.select(sa.func.count()).select_from(AuditEvent)  # type: ignore[arg-type]
            .where(col(AuditEvent.action) == "export")).scalar_one()
    assert exported == 0
