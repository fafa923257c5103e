"""`/clinic/patients/{id}`: one patient's summary, diary and care-team notes for a linked
clinician; who may see it, the audit trail it leaves, and the note form (design §6, §7)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from app.db import unit_of_work
from app.models import AuditEvent, CareNote, User
from app.services import accounts
from tests.conftest import PASSWORD, Browser

TODAY = datetime.now(UTC).date()
XSS = "<script>alert(1)</script>"


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def make_clinician(engine: sa.Engine, new_browser: Any, name: str = "Cleo Clinician"
                   ) -> tuple[User, Browser]:
    email = f"{uuid.uuid4().hex[:10]}@clinic.example"
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=email, password=PASSWORD, name=name,
                                    role="clinician")
    client: Browser = new_browser()
    assert client.sign_in(email).status_code == 200
    return user, client


def share(patient: Browser, clinician: Browser) -> str:
    """The patient invites, the clinician redeems; returns the link id."""
    invite = patient.post("/api/v1/care-links/invites", json={"role": "physiotherapist"})
    assert invite.status_code in (200, 201), invite.text
    redeemed = clinician.post("/api/v1/care-links/redeem", json={"code": invite.json()["code"]})
    assert redeemed.status_code in (200, 201), redeemed.text
    return str(redeemed.json()["id"])


def seed(patient: Browser) -> None:
    records = [
        ("goals", {"title": "Walk to the allotment", "review_every_days": 14}),
        ("diary-entries", {"local_date": day(1), "pain": 5, "interference": 4, "function": 6,
                           "sleep_hours": 7, "notes": "Gardened for twenty minutes"}),
        ("outcome-responses", {"instrument": "psfs", "local_date": day(20),
                               "answers": {"activities": [{"activity": "Walking", "score": 3}]}}),
        ("outcome-responses", {"instrument": "psfs", "local_date": day(2),
                               "answers": {"activities": [{"activity": "Walking", "score": 7}]}}),
    ]
    for collection, fields in records:
        response = patient.post(f"/api/v1/{collection}", json=fields)
        assert response.status_code == 201, (collection, response.text)


def test_the_summary_shows_values_pacing_screens_flares_and_sleep(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    plan = patient.post("/api/v1/pacing-plans", json={
        "activity": "Walking", "unit": "minutes", "baseline": 8, "quota": 8})
    assert plan.status_code == 201, plan.text
    started = datetime.now(UTC).replace(microsecond=0).isoformat()
    for collection, fields in [
        ("values", {"title": "Being with my grandchildren", "importance": 9}),
        ("values", {"title": "Tidy garden", "importance": 3}),
        ("pacing-sessions", {"plan_id": plan.json()["id"], "kind": "quota",
                             "started_at": started, "planned": 8, "achieved": 8}),
        ("outcome-responses", {"instrument": "phq2", "local_date": day(0),
                               "answers": {"interest": 2, "mood": 2}}),
        ("diary-entries", {"local_date": day(3), "pain": 8, "flare": True, "sleep_hours": 5}),
        ("diary-entries", {"local_date": day(4), "pain": 4, "sleep_hours": 7}),
    ]:
        response = patient.post(f"/api/v1/{collection}", json=fields)
        assert response.status_code == 201, (collection, response.text)

    text = clinician.get(page(patient)).text

    assert text.index("Being with my grandchildren") < text.index("Tidy garden")
    assert "Walking: quota 8.0 minutes; adherence over 14 days 100 % (1 of 1 days)" in text
    assert "PHQ-2 4" in text and "3 or more, worth talking about" in text
    assert "Flare days in the last 14 days: 1" in text
    assert "6.0 hours on average (2 nights logged)" in text


def audit_reads(engine: sa.Engine, patient_id: uuid.UUID) -> list[AuditEvent]:
    with unit_of_work(engine, write=False) as session:
        return list(session.exec(select(AuditEvent).where(
            AuditEvent.patient_id == patient_id, AuditEvent.action == "read")).all())


def notes_of(engine: sa.Engine, patient_id: uuid.UUID) -> list[CareNote]:
    with unit_of_work(engine, write=False) as session:
        return list(session.exec(select(CareNote).where(CareNote.patient_id == patient_id)).all())


def page(patient: Browser) -> str:
    return f"/clinic/patients/{patient.me['id']}"


def post_note(clinician: Browser, patient: Browser, text: str, *, kind: str = "plan",
              token: str | None = None) -> Any:
    form = {"kind": kind, "text": text,
            "csrf_token": clinician.cookies.get("csrf_token") if token is None else token}
    return clinician.post(page(patient) + "/notes", data=form, follow_redirects=False)


# -- who may see it -------------------------------------------------------------------------


def test_a_clinician_without_a_link_gets_404_like_a_missing_patient(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)

    unlinked = clinician.get(page(patient))
    missing = clinician.get(f"/clinic/patients/{uuid.uuid4()}")

    assert unlinked.status_code == missing.status_code == 404
    assert "Walk" not in unlinked.text
    assert audit_reads(engine, uuid.UUID(patient.me["id"])) == []


def test_a_linked_clinician_sees_the_goal_the_diary_note_and_the_psfs_change(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    seed(patient)
    share(patient, clinician)

    response = clinician.get(page(patient))

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert "Walk to the allotment" in response.text
    assert "Gardened for twenty minutes" in response.text
    assert "Latest PSFS 7.0" in response.text and "previous 3.0: improved" in response.text


def test_after_revocation_the_next_request_gets_404(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    link_id = share(patient, clinician)
    assert clinician.get(page(patient)).status_code == 200

    assert patient.delete(f"/api/v1/care-links/{link_id}").status_code in (200, 204)

    assert clinician.get(page(patient)).status_code == 404
    assert post_note(clinician, patient, "Still here?").status_code == 404
    assert notes_of(engine, uuid.UUID(patient.me["id"])) == []


def test_a_patient_opening_their_own_clinic_page_gets_403(patient: Browser) -> None:
    response = patient.get(page(patient))

    assert response.status_code == 403
    assert "for clinicians" in response.text


def test_an_anonymous_visitor_is_sent_to_sign_in(patient: Browser, new_browser: Any) -> None:
    response = new_browser().get(page(patient), follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/login"


# -- the audit trail ------------------------------------------------------------------------


def test_one_read_writes_one_audit_event_the_patient_sees_in_the_access_log(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    clinician_user, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)

    assert clinician.get(page(patient)).status_code == 200

    reads = audit_reads(engine, uuid.UUID(patient.me["id"]))
    assert [(e.actor_id, e.resource) for e in reads] == [(clinician_user.id, "patient_summary")]
    items = patient.get("/api/v1/access-log").json()["items"]
    assert [(i["actor_name"], i["action"], i["resource"]) for i in items] == [
        ("Cleo Clinician", "read", "patient_summary")]


# -- care-team notes ------------------------------------------------------------------------


def test_a_posted_note_reaches_the_patient_by_rest_and_by_sync(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    before = patient.get("/api/v1/sync/pull").json()["cursor"]

    response = post_note(clinician, patient, "Keep the 10-minute walks on bad days too")

    assert response.status_code == 303
    assert response.headers["location"].startswith(page(patient))
    notes = patient.get("/api/v1/care-notes").json()["items"]
    assert [(n["kind"], n["text"], n["author_name"], n["author_role"]) for n in notes] == [
        ("plan", "Keep the 10-minute walks on bad days too", "Cleo Clinician",
         "physiotherapist")]
    pulled = patient.get("/api/v1/sync/pull", params={"cursor": before}).json()
    assert [(c["entity"], str(c["id"])) for c in pulled["changes"]] == [
        ("care_note", notes[0]["id"])]
    assert pulled["cursor"] > before
    assert "Keep the 10-minute walks on bad days too" in clinician.get(page(patient)).text


def test_a_note_without_the_form_token_is_refused_and_nothing_is_stored(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)

    missing = post_note(clinician, patient, "No token", token="")
    wrong = post_note(clinician, patient, "Wrong token", token="0" * 64)

    assert missing.status_code == wrong.status_code == 403
    assert notes_of(engine, uuid.UUID(patient.me["id"])) == []


def test_a_note_of_an_unknown_kind_is_refused_by_name(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)

    response = post_note(clinician, patient, "Hello", kind="diagnosis")

    assert response.status_code == 422 and "diagnosis" in response.text
    assert notes_of(engine, uuid.UUID(patient.me["id"])) == []


def test_script_in_a_note_or_a_diary_entry_is_shown_as_text(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    assert patient.post("/api/v1/diary-entries", json={
        "local_date": day(0), "pain": 3, "notes": "diary " + XSS}).status_code == 201
    assert post_note(clinician, patient, "note " + XSS).status_code == 303

    text = clinician.get(page(patient)).text

    assert XSS not in text
    assert "note &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "diary &lt;script&gt;alert(1)&lt;/script&gt;" in text
