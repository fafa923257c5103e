"""The Care team screen in Chromium at 390 px (design §6, §7 "Sharing"): the patient
invites a physiotherapist, sees them listed with their role, sees what they looked at,
reads their note, stops sharing with a confirmation (the clinician's next request gets
404), and offline still sees the last list, told plainly that sharing needs a connection."""

from __future__ import annotations

import re
import uuid

import httpx
from sqlmodel import select

from app.db import unit_of_work
from app.models import User
from app.services import accounts
from app.services.records import Actor, Mutation, apply_mutations
from tests.browser.conftest import (
    Page,
    Person,
    Server,
    axe_violations,
    expect,
    register_patient,
)

NOTE = "Walk <b>daily</b>, 10 minutes & rest"


def open_care_team(page: Page) -> None:
    page.goto("/#care-team")
    expect(page.get_by_role("heading", level=1, name="Care team")).to_be_focused()


def test_a_patient_invites_a_physio_sees_their_reads_and_stops_sharing(
    page: Page, server: Server,
) -> None:
    person = register_patient(page)
    with unit_of_work(server.engine, write=False) as session:
        patient = session.exec(select(User).where(User.email == person.email)).one()
    doctor = Person(name="Dr Priya Physio", email=f"{uuid.uuid4().hex[:8]}@clinic.example")
    with unit_of_work(server.engine, write=True) as session:
        clinician = accounts.create_user(session, email=doctor.email, password=doctor.password,
                                         name=doctor.name, role="clinician")
    open_care_team(page)
    access = page.get_by_role("region", name="Who has access")
    expect(access).to_contain_text("You are not sharing with anyone.")

    # A code needs a role: asking without one is explained next to the field.
    create = page.get_by_role("button", name="Create invite code")
    create.click()
    role = page.get_by_label("Their role in your care")
    expect(role).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Choose the role this person has in your care.")).to_be_visible()
    role.select_option(label="Physiotherapist")
    create.click()
    code_text = page.locator(".ct-code-text")
    expect(code_text).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    expect(page.get_by_text(re.compile(r"Works once, until .+ \(72 hours\)\."))).to_be_visible()
    expect(access).to_contain_text("Invite for a physiotherapist · Invite code not used yet")
    assert axe_violations(page) == [], "with a fresh invite code"

    with httpx.Client(base_url=server.url, timeout=10) as desk:
        assert desk.post("/api/v1/auth/login", json={
            "email": doctor.email, "password": doctor.password}).status_code == 200
        desk.headers["X-CSRF-Token"] = desk.cookies["csrf_token"]
        redeemed = desk.post("/api/v1/care-links/redeem", json={"code": code_text.inner_text()})
        assert redeemed.status_code == 200, redeemed.text
        assert desk.get(f"/clinic/patients/{patient.id}").status_code == 200
        with unit_of_work(server.engine, write=True) as session:
            (written,) = apply_mutations(
                session, patient_id=patient.id,
                actor=Actor(clinician.id, "clinician", name=doctor.name,
                            care_role="physiotherapist"),
                mutations=[Mutation("care_note", "upsert", uuid.uuid4(),
                                    {"kind": "plan", "text": NOTE})])
        assert written.status == "applied", written

        page.reload()  # the app syncs on start: the note arrives
        expect(page.get_by_role("heading", level=1, name="Care team")).to_be_visible()
        person_line = access.get_by_role("listitem").filter(has_text="Dr Priya Physio")
        expect(person_line).to_contain_text("Dr Priya Physio · Physiotherapist · Has access")
        looked = page.get_by_role("region", name="Who looked at my data").get_by_role("listitem")
        expect(looked).to_have_count(1)
        expect(looked).to_contain_text("Dr Priya Physio · Physiotherapist")
        expect(looked).to_contain_text("Your summary and diary")
        notes = page.get_by_role("region", name="Notes from your care team")
        expect(notes.get_by_text(NOTE, exact=True)).to_be_visible()
        expect(notes).to_contain_text("Plan · Dr Priya Physio (Physiotherapist)")
        assert page.locator(".ct-note b").count() == 0, "a note's markup stays text"

        person_line.get_by_role("button", name="Stop sharing").click()
        keep = person_line.get_by_role("button", name="Keep sharing")
        expect(keep).to_be_focused()
        expect(person_line.get_by_role("group")).to_contain_text(
            "Stop sharing with Dr Priya Physio? They lose access at once.")
        assert axe_violations(page) == [], "with the confirmation open"
        keep.click()
        assert desk.get(f"/clinic/patients/{patient.id}").status_code == 200, "kept"
        person_line.get_by_role("button", name="Stop sharing").click()
        person_line.get_by_role("button", name="Yes, stop sharing").click()

        expect(page.get_by_text(
            "You stopped sharing with Dr Priya Physio. They can no longer see your data."
        )).to_be_visible()
        expect(access).to_contain_text("You are not sharing with anyone.")
        expect(access).to_contain_text("Dr Priya Physio · Physiotherapist · Stopped")
        assert desk.get(f"/clinic/patients/{patient.id}").status_code == 404

    # Offline the screen says so and shows the list this device last fetched.
    page.context.set_offline(True)
    page.evaluate("location.hash = '#today'")
    expect(page.get_by_role("heading", level=1, name="Care team")).to_have_count(0)
    page.evaluate("location.hash = '#care-team'")
    expect(page.get_by_role("heading", level=1, name="Care team")).to_be_focused()
    offline = page.get_by_role("paragraph").filter(has_text="You are offline.")
    expect(offline).to_have_text(re.compile(
        r"^You are offline\. Inviting someone, stopping sharing and seeing who looked at your "
        r"data need a connection\. Below is what this device last saw, on .+\.$"))
    expect(access).to_contain_text("Dr Priya Physio · Physiotherapist · Stopped")
    expect(page.get_by_role("region", name="Who looked at my data")).to_contain_text(
        "Your summary and diary")
    expect(page.get_by_role("region", name="Notes from your care team")).to_contain_text(NOTE)
    assert axe_violations(page) == [], "offline"
    page.context.set_offline(False)
