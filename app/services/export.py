"""Everything a patient has, in three shapes: JSON, a zip of CSV files, a FHIR R4 Bundle
(design §6 and §7 "Export").

The patient's own export and a linked clinician's export build on the same functions;
who may ask is the caller's business.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.errors import Invalid
from app.models import AuditEvent, CareLink, User, utcnow
from app.schemas.entities import ENTITIES, Entity
from app.services.records import public_fields, to_wire

FORMATS = ("json", "csv", "fhir")
# A clinician gets the records, not the patient's account details or access log (design §7).
CLINICIAN_FORMATS = ("csv", "fhir")
MEDIA_TYPES = {"json": "application/json", "csv": "application/zip",
               "fhir": "application/fhir+json"}
EXTENSIONS = {"json": "json", "csv": "zip", "fhir": "fhir.json"}
# A cell starting with one of these is read as a formula by spreadsheets (design §7).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
COMMON_COLUMNS = ("id", "version", "deleted", "created_at", "updated_at")


# -- what the patient has --------------------------------------------------------------------


def live_records(session: Session, patient_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every live record of the patient, per entity, in the entity's own date order."""
    return {name: _live_of(session, entity, patient_id) for name, entity in ENTITIES.items()}


def _live_of(session: Session, entity: Entity, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    table: Any = entity.table
    rows = session.exec(
        select(table)
        .where(table.patient_id == patient_id, table.deleted == sa.false())
        .order_by(getattr(table, entity.sort_field), table.id)
    ).all()
    return [to_wire(entity, row) for row in rows]


def care_links(session: Session, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """Who the patient shared with (or invited), without the invite codes."""
    clinician = aliased(User)
    rows = session.execute(
        sa.select(CareLink, clinician.name)  # type: ignore[call-overload]
        .outerjoin(clinician, clinician.id == CareLink.clinician_id)  # type: ignore[arg-type]
        .where(CareLink.patient_id == patient_id)  # type: ignore[arg-type]
        .order_by(CareLink.created_at, CareLink.id)  # type: ignore[arg-type]
    ).all()
    return [
        {"id": str(link.id), "clinician_id": _text_or_none(link.clinician_id),
         "clinician_name": name, "role": link.role, "status": link.status,
         "created_at": _moment(link.created_at), "revoked_at": _moment(link.revoked_at)}
        for link, name in rows
    ]


def access_log(session: Session, patient_id: uuid.UUID) -> list[dict[str, Any]]:
    """What the care team read of the patient's data, oldest first."""
    actor = aliased(User)
    rows = session.execute(
        sa.select(AuditEvent, actor.name)  # type: ignore[call-overload]
        .outerjoin(actor, actor.id == AuditEvent.actor_id)  # type: ignore[arg-type]
        .where(AuditEvent.patient_id == patient_id,  # type: ignore[arg-type]
               AuditEvent.actor_role != "patient")  # type: ignore[arg-type]
        .order_by(AuditEvent.at, AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    return [
        {"id": str(event.id), "at": _moment(event.at),
         "actor_id": _text_or_none(event.actor_id), "actor_name": name,
         "actor_role": event.actor_role, "action": event.action, "resource": event.resource}
        for event, name in rows
    ]


def record_export(session: Session, *, actor: User, patient: User, fmt: str,
                  address: str | None = None) -> None:
    """Write the audit event for an export (security test 24). The patient's own export
    names no patient, like their sign-ins, so it stays out of the care team's access log."""
    session.add(AuditEvent(
        actor_id=actor.id, actor_role=actor.role,
        patient_id=None if actor.id == patient.id else patient.id,
        action="export", resource=f"export:{fmt}", address=address,
    ))
    session.flush()


def file_name(patient: User, extension: str, *, now: datetime | None = None,
              named: bool = False) -> str:
    """A dated download name, the date being the patient's own; `named` adds the patient's
    name (in plain letters and digits) for a clinician who downloads several patients."""
    moment = now or utcnow()
    try:
        day = moment.astimezone(ZoneInfo(patient.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        day = moment.astimezone(UTC).date()
    who = ""
    if named:
        plain = unicodedata.normalize("NFKD", patient.name).encode("ascii", "ignore").decode()
        who = "-".join(re.findall(r"[a-z0-9]+", plain.lower()))[:40].strip("-") or "patient"
        who += "-"
    return f"pacewise-export-{who}{day.isoformat()}.{extension}"


@dataclass(frozen=True)
class Download:
    body: bytes
    media_type: str
    file_name: str


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> None:
    """Refuse a format this export does not offer, naming it."""
    if fmt not in allowed:
        raise Invalid(f"format {fmt!r} is not one of {', '.join(allowed)}")


def download(session: Session, *, patient: User, fmt: str, base_url: str,
             named: bool = False) -> Download:
    """Build the patient's export in `fmt` (json, csv or fhir) as a file to download."""
    check_format(fmt)
    if fmt == "csv":
        body = export_csv_zip(session, patient)
    elif fmt == "fhir":
        body = json.dumps(export_fhir_bundle(session, patient, base_url=base_url),
                          ensure_ascii=False).encode()
    else:
        body = json.dumps(export_json(session, patient), ensure_ascii=False).encode()
    return Download(body=body, media_type=MEDIA_TYPES[fmt],
                    file_name=file_name(patient, EXTENSIONS[fmt], named=named))


# -- JSON ------------------------------------------------------------------------------------


def export_json(session: Session, patient: User) -> dict[str, Any]:
    """Return the patient, every live record per entity, the care links and the access log."""
    return {
        "exported_at": _moment(utcnow()),
        "patient": _patient(patient),
        "records": live_records(session, patient.id),
        "care_links": care_links(session, patient.id),
        "access_log": access_log(session, patient.id),
    }


def _patient(patient: User) -> dict[str, Any]:
    return {"id": str(patient.id), "name": patient.name, "email": patient.email,
            "timezone": patient.timezone}


# -- CSV -------------------------------------------------------------------------------------


def export_csv_zip(session: Session, patient: User) -> bytes:
    """Return a zip holding one CSV file per entity (`diary_entry.csv`, …), formulas defused."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, items in live_records(session, patient.id).items():
            archive.writestr(f"{name}.csv", csv_text(ENTITIES[name], items))
    return buffer.getvalue()


def csv_text(entity: Entity, items: list[dict[str, Any]]) -> str:
    """One entity's records as CSV: a header of the public fields, one row per record."""
    columns = [*COMMON_COLUMNS, *public_fields(entity)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow([csv_cell(item.get(column)) for column in columns])
    return out.getvalue()


def csv_cell(value: Any) -> str:
    """A value as a spreadsheet-safe cell: lists and objects as JSON text, and a leading
    apostrophe before anything a spreadsheet would run as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# -- FHIR R4 ---------------------------------------------------------------------------------

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
GOAL_LIFECYCLE = {"active": "active", "achieved": "completed", "paused": "on-hold",
                  "dropped": "cancelled"}
# Diary fields as Observations: field -> (system is LOINC?, code, display, unit, category).
DIARY_OBSERVATIONS: dict[str, tuple[bool, str, str, str, str]] = {
    "pain": (True, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
             "{score}", "survey"),
    "interference": (False, "pain-interference", "Pain interference 0-10", "{score}",
                     "survey"),
    "function": (False, "function", "Function 0-10", "{score}", "survey"),
    "mood": (False, "mood", "Mood 0-10", "{score}", "survey"),
    "fatigue": (False, "fatigue", "Fatigue 0-10", "{score}", "survey"),
    "sleep_hours": (True, "93832-4", "Sleep duration", "h", "activity"),
    "sleep_quality": (False, "sleep-quality", "Sleep quality 0-10", "{score}", "survey"),
}
PERFORMANCE_CODES = {
    "six_minute_walk": (True, "64098-7", "Six minute walk test"),
    "chair_stand_30s": (False, "chair-stand-30s", "30-second chair stand test"),
    "timed_up_and_go": (False, "timed-up-and-go", "Timed up and go test"),
    "custom": (False, "performance-test", "Performance test"),
}
PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
# Records someone other than the patient may have written (server field author_id).
AUTHORED = ("decision", "care_note")
CARE_ROLE_LABELS = {"primary_clinician": "Primary clinician",
                    "physiotherapist": "Physiotherapist",
                    "occupational_therapist": "Occupational therapist",
                    "behavioural_health": "Behavioural health", "other": "Other",
                    "patient": "Patient"}
UCUM_UNITS = {"m": "m", "metres": "m", "meters": "m", "s": "s", "seconds": "s",
              "repetitions": "{repetitions}", "min": "min", "minutes": "min"}


def export_fhir_bundle(session: Session, patient: User, *, base_url: str) -> dict[str, Any]:
    """Return a FHIR R4 Bundle (type collection): the Patient, Observations,
    QuestionnaireResponses, Goals, CarePlans (pacing, flare plan, shared decisions), care-team
    notes as Communications, the CareTeam of active links with its Practitioners, and one
    Provenance per source record naming its author. Codes not in LOINC come from this
    instance's own code system."""
    fhir = _Fhir(base_url.rstrip("/"), patient)
    records = live_records(session, patient.id)
    team = _active_team(session, patient.id)
    authors = _record_authors(session, patient.id)
    fhir.add(_patient_resource(patient), patient.id)
    fhir.names = _practitioners(session, team, authors, patient.id)
    for clinician_id, name in fhir.names.items():
        fhir.add(_practitioner_resource(name), clinician_id)
    fhir.care_team(team, patient)
    goal_ids = {goal["id"] for goal in records["goal"]}
    makers: list[tuple[str, Any]] = [
        ("diary_entry", fhir.diary), ("outcome_response", fhir.outcome),
        ("performance_test", fhir.performance), ("goal", fhir.goal),
        ("pacing_plan", lambda plan: fhir.pacing_plan(plan, goal_ids)),
        ("flare_plan", fhir.flare_plan),
        ("decision", lambda decision: fhir.decision(decision, authors.get(decision["id"]))),
        ("care_note", lambda note: fhir.care_note(note, authors.get(note["id"]))),
    ]
    for name, make in makers:
        for record in records[name]:
            before = len(fhir.entries)
            make(record)
            fhir.provenance(name, record, fhir.entries[before:],
                            authors.get(record["id"]))
    return {"resourceType": "Bundle", "type": "collection", "timestamp": _moment(utcnow()),
            "entry": fhir.entries}


@dataclass(frozen=True)
class _Member:
    clinician_id: uuid.UUID
    name: str
    role: str


def _active_team(session: Session, patient_id: uuid.UUID) -> list[_Member]:
    """The clinicians the patient shares with now, with the role each link grants."""
    rows = session.execute(
        sa.select(CareLink.clinician_id, User.name, CareLink.role)  # type: ignore[call-overload]
        .join(User, User.id == CareLink.clinician_id)
        .where(CareLink.patient_id == patient_id, CareLink.status == "active")
        .order_by(CareLink.created_at, CareLink.id)
    ).all()
    return [_Member(clinician_id, name, role) for clinician_id, name, role in rows]


def _record_authors(session: Session, patient_id: uuid.UUID) -> dict[str, uuid.UUID | None]:
    """Who wrote each live record that may come from someone other than the patient
    (care-team notes, shared decisions): record id -> the author's user id."""
    authors: dict[str, uuid.UUID | None] = {}
    for name in AUTHORED:
        table: Any = ENTITIES[name].table
        for record_id, author_id in session.execute(
            sa.select(table.id, table.author_id)
            .where(table.patient_id == patient_id, table.deleted == sa.false())
        ).all():
            authors[str(record_id)] = author_id
    return authors


def _practitioners(session: Session, team: list[_Member], authors: dict[str, uuid.UUID | None],
                   patient_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Everyone other than the patient that the Bundle names: the team and note authors."""
    names = {member.clinician_id: member.name for member in team}
    wanted = {author for author in authors.values()
              if author is not None and author != patient_id and author not in names}
    if wanted:
        names.update({user_id: name for user_id, name in session.execute(
            sa.select(col(User.id), col(User.name)).where(col(User.id).in_(wanted))
        ).all()})
    return names


def _practitioner_resource(name: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "name": [{"text": name}]}


def _patient_resource(patient: User) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": str(patient.id), "active": True,
            "name": [{"text": patient.name}],
            "telecom": [{"system": "email", "value": patient.email}]}


class _Fhir:
    """Collects Bundle entries, each under a `urn:uuid:` full URL that others refer to."""

    def __init__(self, base_url: str, patient: User) -> None:
        self.system = f"{base_url}/fhir/CodeSystem/pacewise"
        self.questionnaires = f"{base_url}/fhir/Questionnaire"
        self.roles = f"{base_url}/fhir/CodeSystem/pacewise-care-role"
        self.api = f"{base_url}/api/v1"  # where each source record lives, by its id
        self.subject = {"reference": f"urn:uuid:{patient.id}"}
        self.patient_id = patient.id
        self.entries: list[dict[str, Any]] = []
        self.names: dict[uuid.UUID, str] = {}  # the Bundle's Practitioners, by user id

    def add(self, resource: dict[str, Any], resource_id: uuid.UUID | str) -> None:
        resource["id"] = str(resource_id)
        self.entries.append({"fullUrl": f"urn:uuid:{resource_id}", "resource": resource})

    def author(self, author_id: uuid.UUID | None, fallback_name: str | None = None,
               ) -> dict[str, Any]:
        """A reference to whoever wrote a record: the patient when it is theirs, a
        Practitioner of this Bundle, or (an erased account) just the name kept on it."""
        if author_id == self.patient_id:
            return self.subject
        if author_id is None or author_id not in self.names:
            return {"display": fallback_name or "a former member of the care team"}
        return {"reference": f"urn:uuid:{author_id}", "display": self.names[author_id]}

    def record_author(self, entity: str, record: dict[str, Any],
                      author_id: uuid.UUID | None) -> dict[str, Any]:
        """The author of a stored record: the patient, unless it is a care-team note or a
        decision a clinician wrote in a visit."""
        if entity not in AUTHORED or (author_id is None and record.get("author_role") == "patient"):
            return self.subject
        return self.author(author_id, record.get("author_name"))

    def role(self, role: str | None) -> dict[str, Any]:
        label = CARE_ROLE_LABELS.get(role or "other", role or "Other")
        return {"coding": [{"system": self.roles, "code": role or "other", "display": label}],
                "text": label}

    def care_team(self, team: list[_Member], patient: User) -> None:
        """The people the patient shares with now, each with the role their link grants."""
        if not team:
            return
        self.add({
            "resourceType": "CareTeam", "status": "active",
            "name": f"Care team of {patient.name}", "subject": self.subject,
            "participant": [{"role": [self.role(member.role)],
                             "member": self.author(member.clinician_id)} for member in team],
        }, uuid.uuid5(patient.id, "care-team"))

    def provenance(self, entity: str, record: dict[str, Any], made: list[dict[str, Any]],
                   author_id: uuid.UUID | None) -> None:
        """Who recorded one stored record, and when, for every resource made from it."""
        if not made:
            return
        who = self.record_author(entity, record, author_id)
        agent: dict[str, Any] = {"type": {"coding": [{
            "system": PARTICIPANT_TYPE, "code": "author", "display": "Author"}]}, "who": who}
        if who is not self.subject and record.get("author_role"):
            agent["role"] = [self.role(record["author_role"])]
        self.add({
            "resourceType": "Provenance",
            "target": [{"reference": entry["fullUrl"]} for entry in made],
            "recorded": record["updated_at"],
            "agent": [agent],
            "entity": [{"role": "source", "what": {
                "identifier": {"system": f"{self.api}/{ENTITIES[entity].collection}",
                               "value": record["id"]},
                "display": f"Pacewise {entity.replace('_', ' ')}"}}],
        }, _derived_id(record["id"], "provenance"))

    def coding(self, loinc: bool, code: str, display: str) -> dict[str, Any]:
        return {"coding": [{"system": LOINC if loinc else self.system, "code": code,
                            "display": display}], "text": display}

    def observation(self, *, record_id: str, key: str, code: dict[str, Any], category: str,
                    when: str, value: dict[str, Any] | None = None,
                    components: list[dict[str, Any]] | None = None,
                    derived_from: str | None = None, notes: list[str] | None = None) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": CATEGORY, "code": category}]}],
            "code": code, "subject": self.subject, "effectiveDateTime": when,
        }
        if value is not None:
            resource["valueQuantity"] = value
        if components:
            resource["component"] = components
        if derived_from:
            resource["derivedFrom"] = [{"reference": f"urn:uuid:{derived_from}"}]
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        self.add(resource, _derived_id(record_id, key))

    def diary(self, entry: dict[str, Any]) -> None:
        for name, (loinc, code, display, unit, category) in DIARY_OBSERVATIONS.items():
            if entry.get(name) is None:
                continue
            self.observation(record_id=entry["id"], key=name, category=category,
                             code=self.coding(loinc, code, display), when=entry["local_date"],
                             value=_quantity(entry[name], unit))

    def outcome(self, response: dict[str, Any]) -> None:
        instrument, answers = response["instrument"], response["answers"] or {}
        items = _answer_items(instrument, answers)
        if response.get("score") is not None:
            items.append({"linkId": "score", "answer": [{"valueDecimal": response["score"]}]})
        self.add({"resourceType": "QuestionnaireResponse", "status": "completed",
                  "questionnaire": f"{self.questionnaires}/{instrument}",
                  "subject": self.subject, "authored": response["local_date"],
                  "item": items}, response["id"])
        if instrument == "peg":
            self._peg(response, answers)
        elif instrument == "phq2":
            self._phq2(response, answers)

    def _peg(self, response: dict[str, Any], answers: dict[str, Any]) -> None:
        parts = [self._component(True, "91147-9", "PEG score", response["score"])]
        parts += [self._component(False, f"peg-{key}", f"PEG {key} 0-10", answers.get(key))
                  for key in ("pain", "enjoyment", "activity")]
        self.observation(record_id=response["id"], key="peg", category="survey",
                         code=self.coding(True, "91148-7", "PEG 3-item pain scale"),
                         when=response["local_date"], derived_from=response["id"],
                         components=[part for part in parts if part])

    def _phq2(self, response: dict[str, Any], answers: dict[str, Any]) -> None:
        parts = [
            self._component(True, "55758-7", "PHQ-2 total score", response["score"]),
            self._component(False, "phq2-interest",
                            "Little interest or pleasure in doing things", answers.get("interest")),
            self._component(False, "phq2-mood", "Feeling down, depressed, or hopeless",
                            answers.get("mood")),
        ]
        self.observation(record_id=response["id"], key="phq2", category="survey",
                         code=self.coding(True, "55757-9", "Patient Health Questionnaire 2 item"),
                         when=response["local_date"], derived_from=response["id"],
                         components=[part for part in parts if part])

    def _component(self, loinc: bool, code: str, display: str,
                   value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"code": self.coding(loinc, code, display),
                "valueQuantity": _quantity(value, "{score}")}

    def performance(self, test: dict[str, Any]) -> None:
        loinc, code, display = PERFORMANCE_CODES.get(test["kind"], PERFORMANCE_CODES["custom"])
        if test["kind"] == "custom" and test.get("label"):
            display = test["label"]
        notes = [text for text in (
            "Done with someone else present." if test.get("with_helper") else None,
            test.get("notes")) if text]
        self.observation(record_id=test["id"], key="performance", category="exam",
                         code=self.coding(loinc, code, display), when=test["local_date"],
                         value=_quantity(test["value"], test.get("unit") or ""), notes=notes)

    def goal(self, goal: dict[str, Any]) -> None:
        resource: dict[str, Any] = {
            "resourceType": "Goal",
            "lifecycleStatus": GOAL_LIFECYCLE.get(goal["status"] or "active", "active"),
            "description": {"text": goal["title"]}, "subject": self.subject,
        }
        if goal["status"] == "achieved":
            resource["achievementStatus"] = {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/goal-achievement",
                "code": "achieved"}]}
        target: dict[str, Any] = {}
        if goal.get("target") is not None:
            target["detailQuantity"] = _quantity(goal["target"], goal.get("unit") or "")
            target["measure"] = {"text": goal.get("measure") or goal["title"]}
        if goal.get("target_date"):
            target["dueDate"] = goal["target_date"]
        if target:
            resource["target"] = [target]
        notes = [goal[key] for key in ("why", "contingency") if goal.get(key)]
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        self.add(resource, goal["id"])

    def pacing_plan(self, plan: dict[str, Any], goal_ids: set[str]) -> None:
        status = "active" if plan["active"] else "on-hold"
        detail: dict[str, Any] = {
            "status": "in-progress" if plan["active"] else "on-hold",
            "code": {"text": plan["activity"]},
            "description": _pacing_description(plan),
        }
        if plan.get("quota") is not None:
            detail["quantity"] = _quantity(plan["quota"], plan.get("unit") or "")
        resource: dict[str, Any] = {
            "resourceType": "CarePlan", "status": status, "intent": "plan",
            "title": f"Pacing: {plan['activity']}", "subject": self.subject,
            "category": [{"text": "pacing"}], "activity": [{"detail": detail}],
        }
        if plan.get("goal_id") in goal_ids:
            resource["goal"] = [{"reference": f"urn:uuid:{plan['goal_id']}"}]
        self.add(resource, plan["id"])

    def flare_plan(self, plan: dict[str, Any]) -> None:
        activities = [
            {"detail": {"status": "not-started", "code": {"text": heading},
                        "description": text}}
            for key, heading in FLARE_PLAN_PARTS.items()
            for text in _texts(plan.get(key))
        ]
        resource: dict[str, Any] = {
            "resourceType": "CarePlan", "status": "active", "intent": "plan",
            "title": "Flare plan", "subject": self.subject, "category": [{"text": "flare plan"}],
        }
        if activities:
            resource["activity"] = activities
        self.add(resource, plan["id"])

    def decision(self, decision: dict[str, Any], author_id: uuid.UUID | None) -> None:
        """A shared decision as a CarePlan: the options weighed, what matters, the choice."""
        activities = [
            {"detail": {"status": "not-started", "code": {"text": option["option"]},
                        "description": _option_description(option)}}
            for option in decision.get("options") or [] if option.get("option")
        ]
        notes = [f"{heading}: {decision[key]}" for key, heading in (
            ("what_matters", "What matters"), ("review_on", "Review on")) if decision.get(key)]
        resource: dict[str, Any] = {
            "resourceType": "CarePlan", "status": "active", "intent": "plan",
            "title": f"Decision: {decision['question']}", "subject": self.subject,
            "category": [{"text": "shared decision"}],
            "author": self.record_author("decision", decision, author_id),
        }
        if decision.get("choice"):
            resource["description"] = f"Chosen: {decision['choice']}"
        if decision.get("decided_on"):
            resource["created"] = decision["decided_on"]
        if activities:
            resource["activity"] = activities
        if notes:
            resource["note"] = [{"text": text} for text in notes]
        self.add(resource, decision["id"])

    def care_note(self, note: dict[str, Any], author_id: uuid.UUID | None) -> None:
        """A care-team note as a Communication from its author to the patient."""
        kind = note.get("kind") or "note"
        self.add({
            "resourceType": "Communication", "status": "completed",
            "category": [{"coding": [{"system": self.system, "code": f"care-note-{kind}",
                                      "display": f"Care-team note: {kind}"}],
                          "text": f"Care-team note: {kind}"}],
            "subject": self.subject, "recipient": [self.subject],
            "sender": self.record_author("care_note", note, author_id),
            "sent": note["created_at"], "payload": [{"contentString": note.get("text") or ""}],
        }, note["id"])


def _option_description(option: dict[str, Any]) -> str:
    parts = [f"{heading}: {option[key]}" for key, heading in (
        ("benefits", "Benefits"), ("burdens", "Burdens"), ("uncertainty", "Uncertainty"))
        if option.get(key)]
    return "; ".join(parts) or str(option["option"])


FLARE_PLAN_PARTS = {"warning_signs": "Warning signs", "triggers": "Likely triggers",
                    "first_steps": "First steps", "scale_back": "Scale back",
                    "comfort": "Comfort", "contacts": "Who to tell",
                    "return_plan": "Return plan"}


def _answer_items(instrument: str, answers: dict[str, Any]) -> list[dict[str, Any]]:
    if instrument == "psfs":
        return [
            {"linkId": f"activity-{number}", "item": [
                {"linkId": f"activity-{number}.name",
                 "answer": [{"valueString": activity["activity"]}]},
                {"linkId": f"activity-{number}.score",
                 "answer": [{"valueInteger": activity["score"]}]},
            ]}
            for number, activity in enumerate(answers.get("activities") or [], start=1)
        ]
    return [{"linkId": key, "answer": [{"valueInteger": value}]}
            for key, value in answers.items() if isinstance(value, int)]


def _pacing_description(plan: dict[str, Any]) -> str:
    unit = plan.get("unit") or ""
    parts = [f"{plan['activity']}"]
    if plan.get("quota") is not None:
        parts.append(f"quota {plan['quota']} {unit}".strip())
    if plan.get("rest_minutes") is not None:
        parts.append(f"rest {plan['rest_minutes']} minutes")
    parts.append(f"{plan.get('sessions_per_day') or 1} session(s) a day")
    parts.append(f"increase {plan['increase_percent']}% every "
                 f"{plan['increase_every_days']} days")
    return "; ".join(parts)


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item) for item in value if str(item).strip()]
    return [str(value)] if str(value).strip() else []


def _quantity(value: Any, unit: str) -> dict[str, Any]:
    quantity: dict[str, Any] = {"value": value}
    if unit:
        quantity["unit"] = unit
        code = UCUM_UNITS.get(unit, unit if unit in ("h", "{score}") else None)
        if code:
            quantity.update(system=UCUM, code=code)
    return quantity


def _derived_id(record_id: str, key: str) -> uuid.UUID:
    """A stable id for the nth resource made from one record."""
    return uuid.uuid5(uuid.UUID(record_id), key)


def _moment(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
