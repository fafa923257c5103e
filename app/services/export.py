"""Everything a patient has, in three shapes: JSON, a zip of CSV files, a FHIR R4 Bundle
(design §6 and §7 "Export").

The patient's own export and a linked clinician's export build on the same functions;
who may ask is the caller's business.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from app.models import AuditEvent, CareLink, User, utcnow
from app.schemas.entities import ENTITIES, Entity
from app.services.records import public_fields, to_wire

FORMATS = ("json", "csv", "fhir")
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


def file_name(patient: User, extension: str, *, now: datetime | None = None) -> str:
    """A dated download name, the date being the patient's own."""
    moment = now or utcnow()
    try:
        day = moment.astimezone(ZoneInfo(patient.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        day = moment.astimezone(UTC).date()
    return f"pacewise-export-{day.isoformat()}.{extension}"


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
UCUM_UNITS = {"m": "m", "metres": "m", "meters": "m", "s": "s", "seconds": "s",
              "repetitions": "{repetitions}", "min": "min", "minutes": "min"}


def export_fhir_bundle(session: Session, patient: User, *, base_url: str) -> dict[str, Any]:
    """Return a FHIR R4 Bundle (type collection): Patient, Observations, QuestionnaireResponses,
    Goals and CarePlans; codes not in LOINC come from this instance's own code system."""
    fhir = _Fhir(base_url.rstrip("/"), patient)
    records = live_records(session, patient.id)
    fhir.add(_patient_resource(patient), patient.id)
    for entry in records["diary_entry"]:
        fhir.diary(entry)
    for response in records["outcome_response"]:
        fhir.outcome(response)
    for test in records["performance_test"]:
        fhir.performance(test)
    goal_ids = {goal["id"] for goal in records["goal"]}
    for goal in records["goal"]:
        fhir.goal(goal)
    for plan in records["pacing_plan"]:
        fhir.pacing_plan(plan, goal_ids)
    for plan in records["flare_plan"]:
        fhir.flare_plan(plan)
    return {"resourceType": "Bundle", "type": "collection", "timestamp": _moment(utcnow()),
            "entry": fhir.entries}


def _patient_resource(patient: User) -> dict[str, Any]:
    return {"resourceType": "Patient", "id": str(patient.id), "active": True,
            "name": [{"text": patient.name}],
            "telecom": [{"system": "email", "value": patient.email}]}


class _Fhir:
    """Collects Bundle entries, each under a `urn:uuid:` full URL that others refer to."""

    def __init__(self, base_url: str, patient: User) -> None:
        self.system = f"{base_url}/fhir/CodeSystem/pacewise"
        self.questionnaires = f"{base_url}/fhir/Questionnaire"
        self.subject = {"reference": f"urn:uuid:{patient.id}"}
        self.entries: list[dict[str, Any]] = []

    def add(self, resource: dict[str, Any], resource_id: uuid.UUID | str) -> None:
        resource["id"] = str(resource_id)
        self.entries.append({"fullUrl": f"urn:uuid:{resource_id}", "resource": resource})

    def coding(self, loinc: bool, code: str, display: str) -> dict[str, Any]:
        return {"coding": [{"system": LOINC if loinc else self.system, "code": code,
                            "display": display}], "text": display}

    def observation(self, *, record_id: str, key: str, code: dict[str, Any], category: str,
                    when: str, value: dict[str, Any] | None = None,
                    components: list[dict[str, Any]] | None = None,
                    derived_from: str | None = None) -> None:
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
        self.observation(record_id=test["id"], key="performance", category="exam",
                         code=self.coding(loinc, code, display), when=test["local_date"],
                         value=_quantity(test["value"], test.get("unit") or ""))

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
