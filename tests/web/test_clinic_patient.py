"""`/clinic/patients/{id}` and its sub-pages: one patient's summary, charts, diary, goal and
pacing detail, plan, printable summary, care-team notes and shared decisions for a linked
clinician; who may see them, the audit trail they leave, and the forms (design §6, §7)."""

from __future__ import annotations

import html
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
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


# -- the diary's range and filters ------------------------------------------------------------


def diary_section(text: str) -> str:
    return text.split('id="diary-heading"')[1].split('id="goals-detail-heading"')[0]


def diary_dates(text: str) -> list[str]:
    """The dates of the diary table's rows, as shown."""
    return re.findall(r'<th scope="row">(\d{4}-\d\d-\d\d)</th>', diary_section(text))


def test_the_diary_shows_the_chosen_dates_and_narrows_to_flares_notes_or_pain(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    for fields in [{"local_date": day(1), "pain": 3, "notes": "A calm day"},
                   {"local_date": day(3), "pain": 8, "flare": True},
                   {"local_date": day(40), "pain": 6, "flare": True, "notes": "Long drive"}]:
        assert patient.post("/api/v1/diary-entries", json=fields).status_code == 201

    def dates(**params: str) -> list[str]:
        response = clinician.get(page(patient), params=params)
        assert response.status_code == 200, response.text
        return diary_dates(response.text)

    assert dates() == [day(1), day(3)]
    assert dates(**{"from": day(45), "to": day(2)}) == [day(3), day(40)]
    assert dates(**{"from": day(45)}, flare="1") == [day(3), day(40)]
    assert dates(**{"from": day(45)}, notes="1") == [day(1), day(40)]
    assert dates(**{"from": day(45)}, pain_min="6") == [day(3), day(40)]
    assert dates(**{"from": day(45)}, notes="1", pain_min="6") == [day(40)]


def test_a_bad_diary_date_or_filter_gets_400_naming_the_value_next_to_its_field(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    assert patient.post("/api/v1/diary-entries", json={
        "local_date": day(1), "pain": 3, "notes": "A calm day"}).status_code == 201

    cases = [
        ({"from": "2026-13-01"}, "diary-from", "From date &#39;2026-13-01&#39; is not a date"),
        ({"to": "yesterday"}, "diary-to", "To date &#39;yesterday&#39; is not a date"),
        ({"from": day(0), "to": day(5)}, "diary-from", f"From {day(0)} is after To {day(5)}"),
        ({"from": day(400)}, "diary-from", "is 401 days; show at most 366"),
        ({"pain_min": "11"}, "diary-pain", "Pain &#39;11&#39; is not a whole number"),
    ]
    for params, field_id, message in cases:
        response = clinician.get(page(patient), params=params)

        assert response.status_code == 400, params
        assert f'<p class="error" id="{field_id}-error">' in response.text, params
        assert message in response.text, params
        assert f'aria-describedby="{field_id}-error"' in response.text, params
        assert "A calm day" not in diary_section(response.text), params
    assert len(audit_reads(engine, uuid.UUID(patient.me["id"]))) == len(cases)


# -- charts, goal and pacing detail -----------------------------------------------------------


def test_the_charts_carry_their_data_as_json_and_as_tables(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    seed(patient)
    share(patient, clinician)

    text = clinician.get(page(patient)).text

    data = json.loads(re.search(
        r'<script type="application/json" id="clinic-chart-data">(.*?)</script>', text,
        re.S).group(1))  # type: ignore[union-attr]
    assert data["psfs"]["dates"] == [day(20), day(2)]
    assert data["psfs"]["series"][0]["values"] == [3.0, 7.0]
    assert [s["values"] for s in data["psfs"]["series"][1:]] == [[5.0, 5.0], [1.0, 1.0]]
    assert [s["label"] for s in data["diary"]["series"]] == ["Function", "Interference", "Pain"]
    assert data["diary"]["series"][0]["values"] == [6.0]
    assert text.count("<summary>Data table</summary>") == 2
    assert '<caption id="table-psfs">PSFS mean (0–10, higher is better)' in text
    assert "+4, a real change" in text
    assert '<script type="module" src="/static/js/clinic/charts.js">' in text


def test_goal_and_pacing_detail_show_steps_barriers_attainment_quota_history_and_sessions(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    goal = patient.post("/api/v1/goals", json={
        "title": "Carry the shopping home", "contingency": "Two light bags, not one heavy",
        "steps": [{"title": "Carry 2 kg", "done": True, "due_date": day(-7)},
                  {"title": "Carry 5 kg", "due_date": day(-21)}],
        "barriers": [{"barrier": "Stairs at the flat", "plan": "Rest on the landing"}],
        "gas_levels": ["none", "1 kg", "2 kg", "5 kg", "8 kg"]}).json()
    plan = patient.post("/api/v1/pacing-plans", json={
        "activity": "Carrying", "unit": "minutes", "baseline": 4, "quota": 6}).json()
    for collection, fields in [
        ("goal-checkins", {"goal_id": goal["id"], "local_date": day(1), "gas_level": 1,
                           "note": "Managed it"}),
        ("pacing-sessions", {"plan_id": plan["id"], "kind": "quota", "planned": 4,
                             "achieved": 4, "started_at": moment(20)}),
        ("pacing-sessions", {"plan_id": plan["id"], "kind": "quota", "planned": 5,
                             "achieved": 5, "started_at": moment(10)}),
        ("pacing-sessions", {"plan_id": plan["id"], "kind": "quota", "planned": 5,
                             "achieved": 3, "started_at": moment(2),
                             "stopped_because": "pain", "notes": "Knee"}),
    ]:
        assert patient.post(f"/api/v1/{collection}", json=fields).status_code == 201, fields

    text = flat(clinician.get(page(patient)).text)

    assert "Goal Attainment Scaling T-score over 1 rated goal: 60.0" in text
    assert "Attainment: GAS level +1, “5 kg”" in text
    assert "Steps: 1 of 2 done" in text
    assert "Stairs at the flat — plan: Rest on the landing" in text
    assert "Two light bags, not one heavy" in text
    assert f"{day(1)} — — +1 Managed it" in text
    history = f"4 {day(20)} {day(20)} 1 5 {day(10)} {day(2)} 2 6 the quota now, no session yet 0"
    assert history in text
    assert f"{day(2)} quota 5 3 — → — — pain Knee {day(10)} quota 5 5" in text
    assert day(20) + " quota" not in text  # older than 14 days
    assert "rises by 10 % every 7 days when met on 5 of 7 days without a flare" in text


def test_a_step_ticked_in_a_checkin_is_done_in_the_table_as_in_the_count(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    # A check-in names the step it did as typed; case and spacing do not matter, both in
    # the "Steps: n of m done" count (goal progress) and in each step's row.
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    goal = patient.post("/api/v1/goals", json={
        "title": "Walk to the shop", "steps": [{"title": "Walk  to the corner"}]}).json()
    checkin = patient.post("/api/v1/goal-checkins", json={
        "goal_id": goal["id"], "local_date": day(1), "step_done": "walk to the Corner"})
    assert checkin.status_code == 201, checkin.text

    text = flat(clinician.get(page(patient)).text)

    assert "Steps: 1 of 1 done Step Target Due Done Walk to the corner — — Yes" in text


def flat(html_text: str) -> str:
    """The page's text as a person reads it: tags dropped, entities decoded, spaces squeezed."""
    inline = re.sub(r"</?(?:strong|em|span|a)\b[^>]*>", "", html_text)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", inline)).split())


def moment(days_ago: int) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


# -- the plan and the printable summary --------------------------------------------------------


PLAN_SECTIONS = ["What matters", "Goals", "Pacing", "Treatments and routines", "Decisions",
                 "Flare plan", "Latest scores", "Care-team notes"]


def test_the_plan_page_shows_the_patients_my_plan_in_its_order(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    seed(patient)
    share(patient, clinician)
    for collection, fields in [
        ("values", {"title": "Gardening", "importance": 8}),
        ("treatments", {"kind": "exercise", "title": "Hydrotherapy", "status": "active"}),
        ("routines", {"title": "Lights out by eleven", "area": "sleep"}),
        ("flare-plans", {"warning_signs": ["Morning stiffness over an hour"]}),
        ("decisions", {"question": "Try a TENS machine?", "options": [
            {"option": "Try it for a month"}, {"option": "Not now"}], "choice": "Not now"}),
    ]:
        assert patient.post(f"/api/v1/{collection}", json=fields).status_code == 201, fields
    assert post_note(clinician, patient, "Hydrotherapy twice a week").status_code == 303

    response = clinician.get(page(patient) + "/plan")

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    headings = re.findall(r"<h2 id=\"plan-[a-z]+\">([^<]+)</h2>", response.text)
    assert headings == PLAN_SECTIONS
    text = flat(response.text)
    for shown in ["Gardening (importance 8 of 10)", "Walk to the allotment",
                  "Hydrotherapy (exercise)", "Routine: Lights out by eleven (sleep)",
                  "Try a TENS machine?", "Choice: Not now",
                  "Warning signs: Morning stiffness over an hour", "PSFS 7 on " + day(2),
                  "Hydrotherapy twice a week"]:
        assert shown in text, shown


def test_the_printable_summary_leads_with_function(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    seed(patient)
    share(patient, clinician)

    response = clinician.get(page(patient) + "/summary")

    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    text = flat(response.text)
    assert text.index("PSFS: 7 on") < text.index("Function, last 30 days: 6.0 of 10")
    assert text.index("Function, last 30 days") < text.index("Pain, last 30 days: 5.0 of 10")
    assert "Walk to the allotment: 0 of 0 steps" in text
    assert '<script type="module" src="/static/js/clinic/print.js">' in response.text


def test_each_page_view_writes_exactly_one_audit_event(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    clinician_user, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)

    for path in ("", "/plan", "/summary", "?from=nonsense"):
        assert clinician.get(page(patient) + path).status_code in (200, 400), path

    reads = audit_reads(engine, uuid.UUID(patient.me["id"]))
    assert sorted(e.resource for e in reads) == sorted(
        ["patient_summary", "patient_plan", "patient_print_summary", "patient_summary"])
    assert {e.actor_id for e in reads} == {clinician_user.id}


def test_without_a_link_the_sub_pages_and_the_decision_form_answer_404_and_leave_no_trace(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)

    for path in ("/plan", "/summary"):
        assert clinician.get(page(patient) + path).status_code == 404, path
    assert post_decision(clinician, patient, DECISION).status_code == 404
    assert clinician.get(f"/clinic/patients/{uuid.uuid4()}/plan").status_code == 404

    assert audit_reads(engine, uuid.UUID(patient.me["id"])) == []
    assert patient.get("/api/v1/decisions").json()["items"] == []


# -- shared decisions in a visit ---------------------------------------------------------------


DECISION = {
    "question": "Add hydrotherapy to the plan?",
    "option_1": "Hydrotherapy once a week", "benefits_1": "Warm water eases stiffness",
    "burdens_1": "A bus ride each way", "uncertainty_1": "How long the benefit lasts",
    "option_2": "Carry on with land walking only", "benefits_2": "No travel",
    "what_matters": "Being able to walk to the park with Maya",
    "choice": "Try hydrotherapy for six weeks",
}


def post_decision(clinician: Browser, patient: Browser, form: dict[str, str], *,
                  token: str | None = None) -> Any:
    data = {**form, "csrf_token": clinician.cookies.get("csrf_token") if token is None else token}
    return clinician.post(page(patient) + "/decisions", data=data, follow_redirects=False)


def test_a_decision_made_in_a_visit_is_stored_bumps_the_version_and_reaches_the_phone(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    before = patient.get("/api/v1/sync/pull").json()["cursor"]
    review = (TODAY + timedelta(days=42)).isoformat()

    response = post_decision(clinician, patient, {**DECISION, "review_on": review})

    assert response.status_code == 303
    assert response.headers["location"] == page(patient) + "#decisions"
    [stored] = patient.get("/api/v1/decisions").json()["items"]
    assert stored["question"] == "Add hydrotherapy to the plan?"
    assert stored["options"] == [
        {"option": "Hydrotherapy once a week", "benefits": "Warm water eases stiffness",
         "burdens": "A bus ride each way", "uncertainty": "How long the benefit lasts"},
        {"option": "Carry on with land walking only", "benefits": "No travel",
         "burdens": None, "uncertainty": None}]
    assert (stored["choice"], stored["review_on"], stored["author_role"]) == (
        "Try hydrotherapy for six weeks", review, "physiotherapist")
    assert abs(date.fromisoformat(stored["decided_on"]) - TODAY) <= timedelta(days=1)
    pulled = patient.get("/api/v1/sync/pull", params={"cursor": before}).json()
    assert [(c["entity"], c["id"], c["version"]) for c in pulled["changes"]] == [
        ("decision", stored["id"], before + 1)]
    assert pulled["cursor"] == before + 1
    text = flat(clinician.get(page(patient)).text)
    assert "Add hydrotherapy to the plan?" in text and "in a visit with the physiotherapist" in text


def test_a_decision_with_bad_input_is_shown_again_with_each_reason_and_nothing_is_stored(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)
    before = patient.get("/api/v1/sync/pull").json()["cursor"]
    form = {**DECISION, "option_2": "", "benefits_2": "", "question": "",
            "burdens_3": "Costs money", "review_on": day(3)}

    response = post_decision(clinician, patient, form)

    assert response.status_code == 422
    for field_id, message in [
        ("decision-question", "Write the question you are deciding together."),
        ("decision-option-2", "Describe at least two options"),
        ("decision-option-3", "Name option 3, or clear its benefits, burdens and uncertainty."),
        ("decision-review", f"Review date {day(3)} is before today"),
    ]:
        assert f'<p class="error" id="{field_id}-error">{html.escape(message, quote=True)}' \
            in response.text, field_id
        assert f'aria-describedby="{field_id}-error"' in response.text, field_id
    assert 'value="Hydrotherapy once a week"' in response.text  # the form keeps what was typed
    assert ">Costs money</textarea>" in response.text
    assert patient.get("/api/v1/decisions").json()["items"] == []
    assert patient.get("/api/v1/sync/pull").json()["cursor"] == before
    assert len(audit_reads(engine, uuid.UUID(patient.me["id"]))) == 1


def test_a_decision_without_the_form_token_is_refused_and_nothing_is_stored(
    engine: sa.Engine, patient: Browser, new_browser: Any
) -> None:
    _, clinician = make_clinician(engine, new_browser)
    share(patient, clinician)

    assert post_decision(clinician, patient, DECISION, token="").status_code == 403
    assert patient.get("/api/v1/decisions").json()["items"] == []
