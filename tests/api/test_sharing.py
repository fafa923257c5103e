"""Sharing with the care team: invite codes, links, revocation and the access log
(design §6, §7 "Sharing"; security tests 11, 12 and 24)."""

from __future__ import annotations

import re
import typing
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.db import unit_of_work
from app.errors import NotFound
from app.models import AuditEvent, CareLink, LoginAttempt, User, utcnow
from app.models.care import CARE_ROLES
from app.schemas.sharing import CareRole
from app.services import accounts, sharing
from tests.conftest import PASSWORD, Browser

INVITES = "/api/v1/care-links/invites"
REDEEM = "/api/v1/care-links/redeem"
LINKS = "/api/v1/care-links"
ACCESS_LOG = "/api/v1/access-log"
CODE = re.compile(r"[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}")


# -- helpers --------------------------------------------------------------------------------


def clinician(engine: sa.Engine, new_browser: Any, *, name: str = "Dr Carla Clinician",
              email: str | None = None) -> Browser:
    """A signed-in clinician, created the way `pacewise user create` does."""
    email = email or f"{uuid.uuid4().hex[:8]}@clinic.example"
    with unit_of_work(engine, write=True) as session:
        user = accounts.create_user(session, email=email, password=PASSWORD, name=name,
                                    role="clinician")
    client: Browser = new_browser()
    assert client.sign_in(email).status_code == 200
    client.me = {"id": str(user.id), "email": email, "name": name}  # type: ignore[attr-defined]
    return client


def invite(patient: Browser, role: str = "physiotherapist") -> str:
    response = patient.post(INVITES, json={"role": role})
    assert response.status_code == 201, response.text
    return response.json()["code"]  # type: ignore[no-any-return]


def linked(engine: sa.Engine, patient: Browser, doctor: Browser,
           role: str = "physiotherapist") -> str:
    """Share the patient with the clinician; return the link's id."""
    response = doctor.post(REDEEM, json={"code": invite(patient, role)})
    assert response.status_code == 200, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


def uid(client: Browser) -> uuid.UUID:
    return uuid.UUID(client.me["id"])  # type: ignore[attr-defined]


def links_table(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(
            sa.select(CareLink.__table__).order_by(CareLink.__table__.c.id))]  # type: ignore[attr-defined]


def audit_rows(engine: sa.Engine, action: str) -> list[AuditEvent]:
    with unit_of_work(engine, write=False) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def require(engine: sa.Engine, doctor: Browser, patient: Browser) -> CareLink:
    with unit_of_work(engine, write=False) as session:
        return sharing.require_link(session, clinician_id=uid(doctor), patient_id=uid(patient))


def refused_code(response: Any) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    return response.json()  # type: ignore[no-any-return]


# -- invites and redemption -----------------------------------------------------------------


def test_an_invite_redeemed_by_a_clinician_shows_on_both_lists_with_role_and_names(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser, name="Dr Priya Physio")
    code = invite(patient, "physiotherapist")
    pending = patient.get(LINKS).json()["items"]
    assert [(i["status"], i["role"], i["clinician_id"]) for i in pending] == [
        ("pending", "physiotherapist", None)]

    redeemed = doctor.post(REDEEM, json={"code": code})
    assert redeemed.status_code == 200, redeemed.text

    expected = {"id": pending[0]["id"], "patient_id": patient.me["id"],  # type: ignore[attr-defined]
                "patient_name": "Pat Patient", "clinician_id": doctor.me["id"],  # type: ignore[attr-defined]
                "clinician_name": "Dr Priya Physio", "role": "physiotherapist",
                "status": "active", "created_at": pending[0]["created_at"]}
    assert redeemed.json() == expected
    assert patient.get(LINKS).json() == {"items": [expected]}
    assert doctor.get(LINKS).json() == {"items": [expected]}
    assert require(engine, doctor, patient).role == "physiotherapist"


def test_an_invite_is_a_short_typable_code_for_72_hours_of_which_only_a_hash_is_stored(
    engine: sa.Engine, patient: Browser
) -> None:
    before = utcnow()
    response = patient.post(INVITES, json={"role": "behavioural_health"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"code", "expires_at"}
    assert CODE.fullmatch(body["code"]), body
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() == timedelta(0)
    assert before + timedelta(hours=72) <= expires <= utcnow() + timedelta(hours=72)

    rows = links_table(engine)
    assert len(rows) == 1
    flat = body["code"].replace("-", "")
    assert not any(flat in str(value) or body["code"] in str(value) for value in rows[0])
    with unit_of_work(engine, write=False) as session:
        link = session.exec(select(CareLink)).one()
    assert (link.status, link.role, link.clinician_id) == ("pending", "behavioural_health", None)
    assert link.code_hash and len(link.code_hash) == 64


def test_two_invites_get_different_codes(patient: Browser) -> None:
    codes = {invite(patient) for _ in range(5)}
    assert len(codes) == 5


def test_an_invite_without_a_role_grants_other(patient: Browser) -> None:
    assert patient.post(INVITES).status_code == 201
    assert patient.post(INVITES, json={}).status_code == 201
    assert [i["role"] for i in patient.get(LINKS).json()["items"]] == ["other", "other"]


def test_a_code_typed_in_lower_case_with_spaces_and_no_dashes_is_redeemed(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    code = invite(patient)
    typed = " " + " ".join(code.replace("-", "").lower()[i:i + 3] for i in range(0, 12, 3))
    response = doctor.post(REDEEM, json={"code": typed})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "active"


def test_a_code_works_only_once(engine: sa.Engine, new_browser: Any, patient: Browser) -> None:
    first = clinician(engine, new_browser)
    second = clinician(engine, new_browser, name="Dr Second")
    code = invite(patient)
    assert first.post(REDEEM, json={"code": code}).status_code == 200
    unknown = refused_code(second.post(REDEEM, json={"code": "ABCD-EFGH-JKMN"}))
    again = refused_code(second.post(REDEEM, json={"code": code}))
    assert again == unknown == {"error": "invalid_code", "detail": sharing.BAD_CODE}
    assert second.get(LINKS).json() == {"items": []}
    assert [i["clinician_id"] for i in patient.get(LINKS).json()["items"]] == [first.me["id"]]  # type: ignore[attr-defined]


def test_an_expired_code_is_refused_with_the_same_answer_as_an_unknown_one(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    code = invite(patient)
    with unit_of_work(engine, write=True) as session:
        session.execute(sa.update(CareLink).values(
            expires_at=utcnow() - timedelta(seconds=1)))
    expired = refused_code(doctor.post(REDEEM, json={"code": code}))
    unknown = refused_code(doctor.post(REDEEM, json={"code": "ZZZZ-ZZZZ-ZZZZ"}))
    malformed = refused_code(doctor.post(REDEEM, json={"code": "not a code at all"}))
    assert expired == unknown == malformed
    assert doctor.get(LINKS).json() == {"items": []}
    assert patient.get(LINKS).json() == {"items": []}  # an expired invite is not offered
    with pytest.raises(NotFound):
        require(engine, doctor, patient)


def test_a_withdrawn_invite_code_is_refused_like_an_unknown_one(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    code = invite(patient)
    link_id = patient.get(LINKS).json()["items"][0]["id"]
    assert patient.delete(f"{LINKS}/{link_id}").status_code == 204
    assert refused_code(doctor.post(REDEEM, json={"code": code}))["detail"] == sharing.BAD_CODE
    assert [i["status"] for i in patient.get(LINKS).json()["items"]] == ["revoked"]


# -- who may do what ------------------------------------------------------------------------


def test_a_patient_cannot_redeem_and_a_clinician_cannot_create_invites(
    engine: sa.Engine, new_browser: Any, patient: Browser, other_patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    code = invite(other_patient)
    before = links_table(engine)

    by_patient = patient.post(REDEEM, json={"code": code})
    assert by_patient.status_code == 403, by_patient.text
    assert by_patient.json()["error"] == "clinicians_only"
    by_clinician = doctor.post(INVITES, json={"role": "other"})
    assert by_clinician.status_code == 403, by_clinician.text
    assert by_clinician.json()["error"] == "patients_only"
    assert doctor.get(ACCESS_LOG).status_code == 403

    assert links_table(engine) == before
    assert patient.get(LINKS).json() == {"items": []}


def test_revoking_another_patients_link_answers_like_a_missing_one_and_changes_nothing(
    engine: sa.Engine, new_browser: Any, patient: Browser, other_patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    theirs = linked(engine, other_patient, doctor)
    before = links_table(engine)
    missing = str(uuid.uuid4())

    to_theirs = patient.delete(f"{LINKS}/{theirs}")
    to_nothing = patient.delete(f"{LINKS}/{missing}")
    assert to_theirs.status_code == to_nothing.status_code == 404
    assert to_theirs.json()["error"] == "not_found"
    assert to_theirs.text.replace(theirs, "<id>") == to_nothing.text.replace(missing, "<id>")
    by_doctor = doctor.delete(f"{LINKS}/{theirs}")
    assert by_doctor.status_code == 403, by_doctor.text

    assert links_table(engine) == before
    assert require(engine, doctor, other_patient).id == uuid.UUID(theirs)
    assert audit_rows(engine, sharing.SHARE_REVOKE) == []


def test_after_revocation_the_clinicians_next_request_finds_no_link(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    link_id = linked(engine, patient, doctor)
    assert require(engine, doctor, patient).id == uuid.UUID(link_id)

    assert patient.delete(f"{LINKS}/{link_id}").status_code == 204

    with pytest.raises(NotFound):
        require(engine, doctor, patient)
    assert doctor.get(LINKS).json() == {"items": []}
    items = patient.get(LINKS).json()["items"]
    assert [(i["id"], i["status"]) for i in items] == [(link_id, "revoked")]
    assert patient.delete(f"{LINKS}/{link_id}").status_code == 204  # already over: no change
    assert len(audit_rows(engine, sharing.SHARE_REVOKE)) == 1


def test_require_link_finds_nothing_for_a_pending_invite_or_another_clinicians_patient(
    engine: sa.Engine, new_browser: Any, patient: Browser, other_patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    colleague = clinician(engine, new_browser, name="Dr Colleague")
    invite(patient)
    linked(engine, other_patient, colleague)
    for who, whom in ((doctor, patient), (doctor, other_patient), (colleague, patient)):
        with pytest.raises(NotFound) as refused:
            require(engine, who, whom)
        assert refused.value.detail == f"no patient {whom.me['id']}"  # type: ignore[attr-defined]
    with pytest.raises(NotFound), unit_of_work(engine, write=False) as session:
        sharing.require_link(session, clinician_id=uid(doctor), patient_id=uuid.uuid4())


def test_a_second_code_for_the_same_clinician_replaces_the_earlier_link(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    first = linked(engine, patient, doctor, "other")
    second = linked(engine, patient, doctor, "primary_clinician")
    assert [(i["id"], i["role"]) for i in doctor.get(LINKS).json()["items"]] == [
        (second, "primary_clinician")]
    statuses = {i["id"]: i["status"] for i in patient.get(LINKS).json()["items"]}
    assert statuses == {first: "revoked", second: "active"}


# -- bad input and throttling ---------------------------------------------------------------


@pytest.mark.parametrize("role", ["surgeon", "", "Physiotherapist", 3])
def test_an_unknown_role_is_refused_naming_it(
    engine: sa.Engine, patient: Browser, role: Any
) -> None:
    response = patient.post(INVITES, json={"role": role})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert "role" in detail and repr(role) in detail, detail
    assert "physiotherapist" in detail
    assert links_table(engine) == []


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 65}, {"code": 123456},
                                  {"code": "ABCD-EFGH-JKMN", "patient_id": "x"}])
def test_a_malformed_redemption_is_refused_naming_the_field(
    engine: sa.Engine, new_browser: Any, body: dict[str, Any]
) -> None:
    doctor = clinician(engine, new_browser)
    response = doctor.post(REDEEM, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation"
    assert "code" in response.json()["detail"] or "patient_id" in response.json()["detail"]


def test_the_wire_roles_are_the_stored_roles() -> None:
    assert typing.get_args(CareRole) == CARE_ROLES


def test_failed_redemptions_are_throttled_per_clinician_even_for_a_good_code(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    guesser = clinician(engine, new_browser)
    honest = clinician(engine, new_browser, name="Dr Honest")
    code = invite(patient)
    for _ in range(sharing.MAX_FAILED_REDEMPTIONS_PER_ACCOUNT):
        refused_code(guesser.post(REDEEM, json={"code": "ABCD-EFGH-JKMN"}))

    throttled = guesser.post(REDEEM, json={"code": code})
    assert throttled.status_code == 429, throttled.text
    assert 1 <= int(throttled.headers["Retry-After"]) <= 15 * 60
    assert guesser.get(LINKS).json() == {"items": []}
    with unit_of_work(engine, write=False) as session:
        failures = session.exec(select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.kind == "redeem", LoginAttempt.success == sa.false())).one()
    assert failures == sharing.MAX_FAILED_REDEMPTIONS_PER_ACCOUNT

    # Another clinician (the address limit is higher) is not held up by the guesser.
    assert honest.post(REDEEM, json={"code": code}).status_code == 200


def test_failed_redemptions_older_than_the_window_no_longer_count(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    for _ in range(sharing.MAX_FAILED_REDEMPTIONS_PER_ACCOUNT):
        refused_code(doctor.post(REDEEM, json={"code": "ABCD-EFGH-JKMN"}))
    assert doctor.post(REDEEM, json={"code": invite(patient)}).status_code == 429
    with unit_of_work(engine, write=True) as session:
        session.execute(sa.update(LoginAttempt).values(
            at=utcnow() - sharing.REDEEM_WINDOW - timedelta(seconds=1)))
    assert doctor.post(REDEEM, json={"code": invite(patient)}).status_code == 200


# -- audit and the access log ---------------------------------------------------------------


def test_a_share_grant_and_a_revoke_each_write_one_audit_row(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    link_id = linked(engine, patient, doctor)
    grants = audit_rows(engine, sharing.SHARE_GRANT)
    assert [(g.actor_id, g.actor_role, g.patient_id, g.resource, g.outcome) for g in grants] == [
        (uid(doctor), "clinician", uid(patient), f"care_link:{link_id}", "success")]
    assert grants[0].address and grants[0].at.tzinfo is not None

    assert patient.delete(f"{LINKS}/{link_id}").status_code == 204
    revokes = audit_rows(engine, sharing.SHARE_REVOKE)
    assert [(r.actor_id, r.actor_role, r.patient_id, r.resource) for r in revokes] == [
        (uid(patient), "patient", uid(patient), f"care_link:{link_id}")]
    assert len(audit_rows(engine, sharing.SHARE_GRANT)) == 1


def test_the_access_log_shows_only_clinician_reads_of_this_patient(
    engine: sa.Engine, new_browser: Any, patient: Browser, other_patient: Browser
) -> None:
    doctor = clinician(engine, new_browser, name="Dr Carla Clinician")
    linked(engine, patient, doctor)
    linked(engine, other_patient, doctor)
    assert patient.get("/api/v1/export").status_code == 200  # the patient's own action
    with unit_of_work(engine, write=True) as session:
        reader = session.get(User, uid(doctor))
        assert reader is not None
        mine = sharing.record_access(session, clinician=reader, patient=uid(patient),
                                     action="view_diary", resource="diary_entry",
                                     address="203.0.113.7")
        sharing.record_access(session, clinician=reader, patient=uid(other_patient),
                              action="view_summary", resource="summary", address=None)

    response = patient.get(ACCESS_LOG)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    items = response.json()["items"]
    assert len(items) == 1
    at = items[0].pop("at")
    assert datetime.fromisoformat(at) == mine.at
    assert items[0] == {"id": str(mine.id), "actor_id": doctor.me["id"],  # type: ignore[attr-defined]
                        "actor_name": "Dr Carla Clinician", "actor_role": "clinician",
                        "action": "view_diary", "resource": "diary_entry"}
    assert [i["action"] for i in other_patient.get(ACCESS_LOG).json()["items"]] == [
        "view_summary"]


def test_the_access_log_lists_the_newest_read_first(
    engine: sa.Engine, new_browser: Any, patient: Browser
) -> None:
    doctor = clinician(engine, new_browser)
    with unit_of_work(engine, write=True) as session:
        # The trail is append-only (security test 24), so the older read is written old.
        for action, minutes_ago in (("first", 5), ("second", 0)):
            session.add(AuditEvent(actor_id=uid(doctor), actor_role="clinician",
                                   patient_id=uid(patient), action=action, resource="summary",
                                   at=utcnow() - timedelta(minutes=minutes_ago)))
    assert [i["action"] for i in patient.get(ACCESS_LOG).json()["items"]] == [
        "second", "first"]
