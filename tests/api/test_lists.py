"""REST lists (design §7): order, inclusive since/until, limits, cursor pages, tombstones,
read-only care notes, and the `{"items": [...], "next": ...}` shape."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from app.db import unit_of_work
from app.models import PatientSyncState
from app.schemas.entities import BY_COLLECTION, ENTITIES
from app.services import accounts, records
from app.services.records import Actor, Mutation
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields

DIARY = "/api/v1/diary-entries"
SESSIONS = "/api/v1/pacing-sessions"


def patient_id(client: Browser) -> uuid.UUID:
    return uuid.UUID(client.me["id"])


def write(engine: sa.Engine, owner: uuid.UUID, entity: str, many: list[dict[str, Any]],
          actor: Actor | None = None) -> list[str]:
    """Store records through the one write path in one batch (as one sync push would) and
    return their ids."""
    mutations = [Mutation(entity, "upsert", uuid.uuid4(), fields) for fields in many]
    with unit_of_work(engine, write=True) as session:
        results = records.apply_mutations(
            session, patient_id=owner, actor=actor or Actor(owner, "patient"),
            mutations=mutations)
    assert [r.status for r in results] == ["applied"] * len(many), results
    return [str(m.record_id) for m in mutations]


def listed(client: Browser, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    page = response.json()
    assert set(page) == {"items", "next"}, page
    return page  # type: ignore[no-any-return]


def ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def walk(client: Browser, path: str, **params: Any) -> tuple[list[str], list[int]]:
    """Follow `next` to the end: every id seen, in order, and the size of each page."""
    seen: list[str] = []
    sizes: list[int] = []
    cursor = None
    for _ in range(100):
        page = listed(client, path, **params, **({"cursor": cursor} if cursor else {}))
        seen += ids(page)
        sizes.append(len(page["items"]))
        cursor = page["next"]
        if cursor is None:
            return seen, sizes
    raise AssertionError("the cursor never ran out")


def assert_refused(response: Any, *named: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation", body
    for text in named:
        assert text in body["detail"], (text, body)


# -- shape ----------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", sorted(BY_COLLECTION))
def test_every_collection_lists_as_items_and_next(patient: Browser, collection: str) -> None:
    page = listed(patient, f"/api/v1/{collection}")
    assert page == {"items": [], "next": None}


@pytest.mark.parametrize("name", sorted(n for n, e in ENTITIES.items() if e.writable_by_patient))
def test_a_listed_record_is_the_same_as_the_record_read_alone(
    patient: Browser, engine: sa.Engine, name: str
) -> None:
    entity = ENTITIES[name]
    fields = valid_fields(name)
    if name == "goal_checkin":
        fields["goal_id"] = write(engine, patient_id(patient), "goal", [valid_fields("goal")])[0]
    created = patient.post(f"/api/v1/{entity.collection}", json=fields)
    assert created.status_code == 201, created.text

    page = listed(patient, f"/api/v1/{entity.collection}")

    assert page["items"] == [created.json()]
    assert set(page["items"][0]) == set(entity.public.model_fields)
    assert page["next"] is None


# -- order and filters ----------------------------------------------------------------------


def test_the_diary_is_listed_by_local_date_then_id_oldest_first(patient: Browser) -> None:
    days = ["2026-11-25", "2026-11-23", "2026-11-25", "2026-11-24", "2026-11-23", "2026-11-25"]
    made = []
    for day in days:
        record_id = str(uuid.uuid4())
        response = patient.post(DIARY, json=valid_fields("diary_entry", id=record_id,
                                                         local_date=day))
        assert response.status_code == 201, response.text
        made.append((day, record_id))

    page = listed(patient, DIARY)

    assert [(item["local_date"], item["id"]) for item in page["items"]] == sorted(made)


def test_since_and_until_dates_include_both_ends_of_the_diary(
    patient: Browser, engine: sa.Engine
) -> None:
    days = [f"2026-11-{day}" for day in range(20, 28)]
    write(engine, patient_id(patient), "diary_entry",
          [valid_fields("diary_entry", local_date=day) for day in days])

    def dates(**params: Any) -> list[str]:
        return [item["local_date"] for item in listed(patient, DIARY, **params)["items"]]

    assert dates(since="2026-11-22", until="2026-11-24") == days[2:5]
    assert dates(since="2026-11-26") == days[6:]
    assert dates(until="2026-11-20") == days[:1]
    # A date-time bound on a date-ordered list means its calendar day, still inclusive.
    assert dates(since="2026-11-22T23:00:00Z", until="2026-11-24T01:00:00Z") == days[2:5]
    assert dates(since="2026-11-25", until="2026-11-24") == []


def test_since_and_until_on_a_time_ordered_list_are_inclusive_to_the_moment(
    patient: Browser, engine: sa.Engine
) -> None:
    starts = [f"2026-11-{day}T09:00:00Z" for day in range(20, 28)]
    write(engine, patient_id(patient), "pacing_session",
          [valid_fields("pacing_session", started_at=start, ended_at=None) for start in starts])

    def started(**params: Any) -> list[str]:
        return [item["started_at"] for item in listed(patient, SESSIONS, **params)["items"]]

    assert started() == starts
    # a date is the whole day (UTC), both ends included
    assert started(since="2026-11-22", until="2026-11-24") == starts[2:5]
    # a date-time is that moment, included
    assert started(since="2026-11-22T09:00:00Z", until="2026-11-24T09:00:00Z") == starts[2:5]
    assert started(since="2026-11-22T09:00:00.000001Z") == starts[3:]
    assert started(until="2026-11-24T08:59:59Z") == starts[:4]
    # an offset is honoured: 10:00 at +01:00 is 09:00 UTC
    assert started(since="2026-11-22T10:00:00+01:00", until="2026-11-22T10:00:00+01:00") == [
        starts[2]]
    # a date-time without a zone is read as UTC
    assert started(since="2026-11-26T09:00:00") == starts[6:]


@pytest.mark.parametrize(("name", "value"), [("since", "yesterday"), ("until", "2026-13-01"),
                                              ("since", "2026-11-27T25:00:00Z")])
def test_a_bound_that_is_not_a_date_is_refused_naming_it(
    patient: Browser, name: str, value: str
) -> None:
    assert_refused(patient.get(DIARY, params={name: value}), name, repr(value))
    assert_refused(patient.get(SESSIONS, params={name: value}), name, repr(value))


# -- limits ---------------------------------------------------------------------------------


def test_a_list_gives_100_items_by_default_and_up_to_500_when_asked(
    patient: Browser, engine: sa.Engine
) -> None:
    write(engine, patient_id(patient), "diary_entry",
          [valid_fields("diary_entry", local_date=f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}")
           for i in range(101)])

    default = listed(patient, DIARY)
    assert len(default["items"]) == 100 and default["next"] is not None

    everything = listed(patient, DIARY, limit=500)
    assert len(everything["items"]) == 101 and everything["next"] is None
    assert ids(everything)[:100] == ids(default)

    rest = listed(patient, DIARY, cursor=default["next"])
    assert ids(rest) == ids(everything)[100:] and rest["next"] is None


@pytest.mark.parametrize("limit", ["501", "0", "-1", "100000", "ten", "1.5", ""])
def test_a_limit_outside_1_to_500_is_refused_naming_it(patient: Browser, limit: str) -> None:
    assert_refused(patient.get(DIARY, params={"limit": limit}), "limit")


def test_limits_1_and_500_are_accepted(patient: Browser) -> None:
    assert listed(patient, DIARY, limit=1) == {"items": [], "next": None}
    assert listed(patient, DIARY, limit=500) == {"items": [], "next": None}


# -- pages ----------------------------------------------------------------------------------


def test_pages_of_3_walk_7_check_ins_each_exactly_once_in_order(
    patient: Browser, engine: sa.Engine
) -> None:
    days = ["2026-11-21", "2026-11-22", "2026-11-22", "2026-11-22", "2026-11-23",
            "2026-11-24", "2026-11-24"]
    made = write(engine, patient_id(patient), "diary_entry",
                 [valid_fields("diary_entry", local_date=day) for day in days])

    seen, sizes = walk(patient, DIARY, limit=3)

    assert sizes == [3, 3, 1]
    assert sorted(seen) == sorted(made) and len(set(seen)) == 7
    assert seen == ids(listed(patient, DIARY))


@pytest.mark.parametrize(("name", "overrides"), [
    ("diary_entry", {}),  # all on one local_date
    ("pacing_session", {"ended_at": None}),  # all at one started_at
    ("value", {}),  # one batch: all with one created_at
])
def test_pages_walk_records_that_share_their_sort_value_by_id(
    patient: Browser, engine: sa.Engine, name: str, overrides: dict[str, Any]
) -> None:
    entity = ENTITIES[name]
    made = write(engine, patient_id(patient), name,
                 [valid_fields(name, **overrides) for _ in range(7)])
    path = f"/api/v1/{entity.collection}"

    seen, sizes = walk(patient, path, limit=3)

    assert sizes == [3, 3, 1]
    assert seen == sorted(made)


def test_pages_keep_to_the_filter_they_were_asked_with(patient: Browser, engine: sa.Engine) -> None:
    write(engine, patient_id(patient), "diary_entry",
          [valid_fields("diary_entry", local_date=f"2026-11-{day}") for day in range(20, 28)])

    seen, sizes = walk(patient, DIARY, limit=2, since="2026-11-21", until="2026-11-25")

    assert sizes == [2, 2, 1]
    days = [patient.get(f"{DIARY}/{record_id}").json()["local_date"] for record_id in seen]
    assert days == [f"2026-11-{day}" for day in range(21, 26)]


def _cursor(*parts: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(parts)).encode()).decode().rstrip("=")


TAMPERED = [
    "not a cursor",
    "!!!!",
    _cursor("2026-11-22"),
    _cursor("2026-11-22", "not-a-uuid"),
    _cursor("2026-11-22", [1, 2]),
    _cursor(5, str(uuid.uuid4())),
    _cursor(None, str(uuid.uuid4())),
    _cursor({"a": 1}, str(uuid.uuid4())),
    _cursor("2026-11-22", 12345),
    base64.urlsafe_b64encode(b"\xff\xfe\x00garbage").decode(),
    base64.urlsafe_b64encode(b'{"value": 1, "id": 2}').decode(),
]


@pytest.mark.parametrize("path", [DIARY, SESSIONS, "/api/v1/values"])
def test_a_tampered_cursor_is_refused_naming_it(
    patient: Browser, engine: sa.Engine, path: str
) -> None:
    collection = path.rsplit("/", 1)[-1]
    name = BY_COLLECTION[collection].name
    write(engine, patient_id(patient), name, [valid_fields(name) for _ in range(3)])
    real = listed(patient, path, limit=1)["next"]
    assert real
    flipped = real[:-2] + ("A" if real[-2] != "A" else "B") + real[-1]
    for cursor in (*TAMPERED, flipped, real + "x" * 30, real[: len(real) // 2]):
        response = patient.get(path, params={"cursor": cursor})
        if response.status_code == 200 and cursor == flipped:
            continue  # a flip can land on another valid position; a 200 is then right
        assert_refused(response, "cursor")


@pytest.mark.parametrize("path", [SESSIONS, "/api/v1/values", "/api/v1/flares"])
def test_a_cursor_with_a_time_and_no_zone_or_out_of_range_is_refused(
    patient: Browser, path: str
) -> None:
    for moment in ("2026-11-27T09:00:00", "2026-11-27", "9999-12-31T23:59:59-12:00",
                   "0001-01-01T00:00:00+01:00"):
        assert_refused(patient.get(path, params={"cursor": _cursor(moment, str(uuid.uuid4()))}),
                       "cursor")


def test_a_date_cursor_at_the_ends_of_the_calendar_is_answered(patient: Browser) -> None:
    for day in ("0001-01-01", "9999-12-31"):
        response = patient.get(DIARY, params={"cursor": _cursor(day, str(uuid.uuid4()))})
        assert response.status_code == 200, response.text


# -- tombstones and care notes --------------------------------------------------------------


def test_deleted_records_are_not_listed(patient: Browser, engine: sa.Engine) -> None:
    made = write(engine, patient_id(patient), "diary_entry",
                 [valid_fields("diary_entry", local_date=f"2026-11-2{day}") for day in range(5)])
    for record_id in made[1:4:2]:
        assert patient.delete(f"{DIARY}/{record_id}").status_code == 204

    assert ids(listed(patient, DIARY)) == [made[0], made[2], made[4]]
    seen, _ = walk(patient, DIARY, limit=1)
    assert seen == [made[0], made[2], made[4]]


def test_a_patient_lists_the_care_teams_notes_but_cannot_write_them(
    patient: Browser, engine: sa.Engine
) -> None:
    with unit_of_work(engine, write=True) as session:
        clinician = accounts.create_user(session, email="carla@clinic.example",
                                         password=PASSWORD, name="Dr Carla Clinician",
                                         role="clinician")
    actor = Actor(clinician.id, "clinician", name="Dr Carla Clinician",
                  care_role="physiotherapist")
    made = write(engine, patient_id(patient), "care_note",
                 [valid_fields("care_note"), valid_fields("care_note", kind="plan",
                                                          text="Add a second walk.")],
                 actor=actor)

    page = listed(patient, "/api/v1/care-notes")

    assert sorted(ids(page)) == sorted(made)
    assert {(n["kind"], n["text"], n["author_name"], n["author_role"]) for n in page["items"]} \
        == {("progress", "Walking tolerance is up.", "Dr Carla Clinician", "physiotherapist"),
            ("plan", "Add a second walk.", "Dr Carla Clinician", "physiotherapist")}
    assert patient.get(f"/api/v1/care-notes/{made[0]}").status_code == 200

    version = _version(engine, patient_id(patient))
    for method, path in [("POST", "/api/v1/care-notes"),
                         ("PATCH", f"/api/v1/care-notes/{made[0]}"),
                         ("DELETE", f"/api/v1/care-notes/{made[0]}"),
                         ("PUT", f"/api/v1/care-notes/{made[0]}")]:
        body = {"kind": "plan", "text": "mine now"} if method != "DELETE" else None
        response = patient.request(method, path, json=body)
        assert response.status_code == 405, (method, response.text)
        assert response.json()["error"] == "method_not_allowed"
    assert listed(patient, "/api/v1/care-notes") == page
    assert _version(engine, patient_id(patient)) == version


def _version(engine: sa.Engine, owner: uuid.UUID) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.select(PatientSyncState.version).where(  # type: ignore[call-overload]
                PatientSyncState.patient_id == owner)
        ).scalar_one()
