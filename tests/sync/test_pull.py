"""GET /api/v1/sync/pull (design §4): every change after a cursor, in version order, once."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from app.config import get_settings
from app.db import unit_of_work
from app.models import utcnow
from app.schemas.entities import ENTITIES
from app.services import accounts, records
from app.services.records import Actor, Mutation
from app.syncclient import Device, HttpTransport
from tests.conftest import PASSWORD, Browser
from tests.factories import PARENTS, valid_fields
from tests.sync.helpers import (
    PULL,
    State,
    delete,
    new_entry,
    pull_everything,
    push,
    server_view,
    signed_in_copy,
    stored_rows,
    upsert,
)


def _pull(client: Browser, **params: Any) -> dict[str, Any]:
    response = client.get(PULL, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_pull_pages_through_changes_in_version_order(patient: Browser) -> None:
    client_id = str(uuid.uuid4())
    entry = new_entry(1)
    value_id, goal_id = str(uuid.uuid4()), str(uuid.uuid4())
    push(patient, client_id, [
        entry,                                                                   # v1
        upsert(2, "value", value_id, valid_fields("value")),                     # v2
        upsert(3, "goal", goal_id, valid_fields("goal")),                        # v3
        upsert(4, "diary_entry", entry["record_id"], {"pain": 9}, 1),            # v4
        new_entry(5),                                                            # v5
        upsert(6, "value", value_id, {"importance": 3}, 2),                      # v6
        delete(7, "goal", goal_id, 3),                                           # v7
    ])

    pages = []
    cursor, more = 0, True
    while more:
        page = _pull(patient, cursor=cursor, limit=2)
        pages.append(page)
        cursor, more = page["cursor"], page["more"]

    versions = [[change["version"] for change in page["changes"]] for page in pages]
    assert versions == [[4, 5], [6, 7]]  # each record once, at its current version
    assert [page["cursor"] for page in pages] == [5, 7]
    assert [page["more"] for page in pages] == [True, False]
    assert all(page["reset"] is False for page in pages)
    first = pages[0]["changes"][0]
    assert first["entity"] == "diary_entry" and first["id"] == entry["record_id"]
    assert first["fields"]["pain"] == 9 and first["fields"]["notes"] == "walked to the shop"
    assert first["created_at"].endswith("Z") and first["updated_at"] >= first["created_at"]
    assert set(first["fields"]) == set(records.public_fields(ENTITIES["diary_entry"]))
    assert pages[1]["changes"][0]["fields"]["importance"] == 3
    assert pages[1]["changes"][1] | {"created_at": "", "updated_at": ""} == {
        "entity": "goal", "id": goal_id, "version": 7, "deleted": True, "fields": {},
        "created_at": "", "updated_at": ""}

    empty = _pull(patient, cursor=7)
    assert (empty["cursor"], empty["more"], empty["changes"]) == (7, False, [])
    beyond = _pull(patient, cursor=40)
    assert (beyond["cursor"], beyond["more"], beyond["changes"]) == (40, False, [])
    middle = _pull(patient, cursor=5, limit=10)
    assert [c["version"] for c in middle["changes"]] == [6, 7] and middle["more"] is False


def test_pull_pages_hold_500_by_default_and_at_most_2000(patient: Browser) -> None:
    client_id = str(uuid.uuid4())
    number = 0
    for _ in range(5):
        batch = []
        for _ in range(420):
            number += 1
            batch.append(new_entry(number, notes=f"entry {number}"))
        assert push(patient, client_id, batch).status_code == 200

    default = _pull(patient)
    clamped = _pull(patient, limit=5000)
    rest = _pull(patient, cursor=clamped["cursor"], limit=5000)

    assert len(default["changes"]) == 500 and default["more"] is True
    assert len(clamped["changes"]) == 2000 and clamped["more"] is True
    assert clamped["cursor"] == 2000
    assert len(rest["changes"]) == 100 and rest["more"] is False and rest["cursor"] == 2100
    assert patient.get(PULL, params={"limit": 0}).status_code == 422


def test_every_entity_is_pulled_exactly_as_rest_shows_it(patient: Browser) -> None:
    client_id = str(uuid.uuid4())
    made: dict[str, str] = {}
    mutations = []
    for name in sorted(ENTITIES, key=lambda name: name in PARENTS):
        if not ENTITIES[name].writable_by_patient:
            continue
        fields = valid_fields(name)
        if name in PARENTS:
            field_name, parent = PARENTS[name]
            fields[field_name] = made[parent]
        if name == "diary_entry":
            fields.update(notes='She said "ça va" — then\n\ttab, backslash \\ and 🌧',
                          sleep_hours=7.5, flare=True, activities=["walk", "<b>swim</b>"])
        made[name] = str(uuid.uuid4())
        mutations.append(upsert(len(mutations) + 1, name, made[name], fields))
    response = push(patient, client_id, mutations)
    assert {r["status"] for r in response.json()["results"]} == {"applied"}, response.text

    changes = {change["entity"]: change for change in _pull(patient)["changes"]}

    assert set(changes) == set(made)
    for name, record_id in made.items():
        shown = patient.get(f"/api/v1/{ENTITIES[name].collection}/{record_id}").json()
        change = changes[name]
        assert change["id"] == shown["id"] and change["version"] == shown["version"], name
        assert change["created_at"] == shown["created_at"], name
        assert change["updated_at"] == shown["updated_at"], name
        assert change["fields"] == {key: value for key, value in shown.items()
                                    if key not in ("id", "version", "deleted", "created_at",
                                                   "updated_at")}, name


def test_care_notes_from_the_care_team_are_pulled(
    patient: Browser, engine: sa.Engine
) -> None:
    with unit_of_work(engine, write=True) as session:
        clinician = accounts.create_user(session, email="physio@example.org",
                                         password=PASSWORD, name="Sam Physio",
                                         role="clinician")
        note_id = uuid.uuid4()
        (result,) = records.apply_mutations(
            session, patient_id=uuid.UUID(patient.me["id"]),
            actor=Actor(user_id=clinician.id, role="clinician", name="Sam Physio",
                        care_role="physiotherapist"),
            mutations=[Mutation("care_note", "upsert", note_id,
                                {"kind": "progress", "text": "Walking tolerance is up."})],
        )
        assert result.status == "applied"

    (change,) = _pull(patient)["changes"]

    assert (change["entity"], change["id"], change["version"]) == ("care_note", str(note_id), 1)
    assert change["fields"]["text"] == "Walking tolerance is up."
    assert change["fields"]["author_name"] == "Sam Physio"
    assert change["fields"]["author_role"] == "physiotherapist"


def test_pull_reports_the_last_mutation_id_of_the_given_client_only(
    patient: Browser, other_patient: Browser
) -> None:
    mine, theirs = str(uuid.uuid4()), str(uuid.uuid4())
    push(patient, mine, [new_entry(1), new_entry(2), new_entry(3, pain=12)])
    push(other_patient, theirs, [new_entry(1), new_entry(2), new_entry(3), new_entry(4)])

    assert _pull(patient, client_id=mine)["last_mutation_id"] == 3
    assert _pull(patient, client_id=str(uuid.uuid4()))["last_mutation_id"] == 0
    assert _pull(patient, client_id=theirs)["last_mutation_id"] == 0
    assert _pull(patient)["last_mutation_id"] == 0
    assert _pull(patient, client_id=mine, cursor=99)["last_mutation_id"] == 3


def test_a_patient_pulls_only_their_own_records(patient: Browser, other_patient: Browser) -> None:
    push(other_patient, str(uuid.uuid4()), [new_entry(1, notes="Olive's")])
    push(patient, str(uuid.uuid4()), [new_entry(1, notes="mine")])

    changes = _pull(patient)["changes"]

    assert [change["fields"]["notes"] for change in changes] == ["mine"]


def test_rest_writes_show_up_in_pulls(patient: Browser) -> None:
    created = patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry", pain=3))
    record_id = created.json()["id"]
    after_create = _pull(patient)
    patient.patch(f"/api/v1/diary-entries/{record_id}", json={"pain": 5})
    after_patch = _pull(patient, cursor=after_create["cursor"])
    patient.delete(f"/api/v1/diary-entries/{record_id}")
    after_delete = _pull(patient, cursor=after_patch["cursor"])

    assert [(c["id"], c["version"], c["fields"]["pain"]) for c in after_create["changes"]] == [
        (record_id, 1, 3)]
    assert [(c["version"], c["fields"]["pain"]) for c in after_patch["changes"]] == [(2, 5)]
    assert [(c["version"], c["deleted"], c["fields"]) for c in after_delete["changes"]] == [
        (3, True, {})]


@pytest.mark.parametrize("params", [
    {"cursor": -1}, {"cursor": "latest"}, {"cursor": 2**40}, {"limit": 0}, {"limit": "all"},
    {"client_id": "phone-1"},
], ids=["negative cursor", "text cursor", "huge cursor", "zero limit", "text limit",
        "client_id no UUID"])
def test_bad_pull_parameters_are_a_clear_422(patient: Browser, params: dict[str, Any]) -> None:
    response = patient.get(PULL, params=params)

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation"
    assert next(iter(params)) in body["detail"]


# -- no change is ever skipped ------------------------------------------------------------------


ROUNDS = 12


def test_incremental_pulls_during_concurrent_pushes_add_up_to_one_full_pull(
    patient: Browser, new_browser: Any
) -> None:
    writers = [Device(HttpTransport(signed_in_copy(patient, new_browser()))) for _ in range(2)]
    reader = signed_in_copy(patient, new_browser())
    done = threading.Event()
    start = threading.Barrier(3)
    seen: State = {}
    pages: list[list[int]] = []
    failures: list[BaseException] = []

    def write(device: Device, name: str) -> None:
        try:
            start.wait()
            own: list[str] = []
            for round_ in range(ROUNDS):
                own.append(device.upsert("diary_entry", valid_fields(
                    "diary_entry", notes=f"{name} {round_}")))
                device.upsert("value", valid_fields("value", title=f"{name} value {round_}"))
                device.upsert("diary_entry", {"pain": round_ % 11}, own[round_ // 2])
                device.push()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    def read() -> None:
        try:
            start.wait()
            cursor = 0
            while True:
                finished = done.is_set()
                more = True
                while more:
                    page = _pull(reader, cursor=cursor, limit=5)
                    versions = [change["version"] for change in page["changes"]]
                    assert versions == sorted(versions) and all(v > cursor for v in versions)
                    pages.append(versions)
                    for change in page["changes"]:
                        seen[(change["entity"], change["id"])] = change
                    cursor, more = page["cursor"], page["more"]
                if finished:
                    return
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(device, name))
               for device, name in zip(writers, ("phone", "tablet"), strict=True)]
    threads.append(threading.Thread(target=read))
    for thread in threads:
        thread.start()
    for thread in threads[:2]:
        thread.join()
    done.set()
    threads[2].join()

    assert failures == []
    assert len([page for page in pages if page]) > 3  # the reader really pulled in between
    every_version = [version for page in pages for version in page]
    assert len(every_version) == len(set(every_version))
    full = pull_everything(patient)
    assert len(full) == 2 * ROUNDS * 2
    assert seen == full


def test_a_push_that_commits_while_a_page_is_read_comes_whole_in_the_next_page(
    patient: Browser, new_browser: Any, engine: sa.Engine
) -> None:
    writer = signed_in_copy(patient, new_browser())
    client_id = str(uuid.uuid4())
    push(patient, client_id, [new_entry(1)])  # v1
    late = [new_entry(2), upsert(3, "value", str(uuid.uuid4()), valid_fields("value"))]
    pushed: list[Any] = []

    def push_between_tables(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The pull has read diary_entry and is about to read value: a push of a new entry
        # (v2) and a new value (v3) commits right now.
        if "FROM value" in statement and "value.version >" in statement and not pushed:
            thread = threading.Thread(target=lambda: pushed.append(push(writer, client_id, late)))
            thread.start()
            thread.join()

    sa.event.listen(engine, "before_cursor_execute", push_between_tables)
    try:
        first = _pull(patient)
    finally:
        sa.event.remove(engine, "before_cursor_execute", push_between_tables)
    second = _pull(patient, cursor=first["cursor"])

    assert pushed and pushed[0].status_code == 200, pushed and pushed[0].text
    assert [c["version"] for c in first["changes"]] == [1]
    assert first["cursor"] == 1
    assert [c["version"] for c in second["changes"]] == [2, 3]


# -- tombstone purge and reset ----------------------------------------------------------------


def _purge(monkeypatch: pytest.MonkeyPatch, database_url: str, days: str,
           capsys: pytest.CaptureFixture[str]) -> str:
    from app import cli

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        assert cli.main(["purge-tombstones", "--older-than", days]) == 0
    finally:
        get_settings.cache_clear()
    return capsys.readouterr().out


def _age(engine: sa.Engine, entity: str, record_id: str, days: int) -> None:
    table = ENTITIES[entity].table.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        connection.execute(sa.update(table).where(table.c.id == uuid.UUID(record_id))
                           .values(updated_at=utcnow() - timedelta(days=days)))


def test_after_a_tombstone_purge_an_old_cursor_resets_and_the_device_recovers(
    patient: Browser, new_browser: Any, engine: sa.Engine, database_url: str,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    phone = Device(HttpTransport(patient))
    laptop = Device(HttpTransport(signed_in_copy(patient, new_browser())), pull_limit=2)
    old, recent, kept = (phone.upsert("diary_entry", valid_fields("diary_entry", notes=n))
                         for n in ("old", "recent", "kept"))
    phone.sync()
    laptop.sync()
    assert laptop.store.cursor == 3
    phone.delete("diary_entry", old)      # v4, purged below
    phone.delete("diary_entry", recent)   # v5, too young to purge
    phone.sync()
    _age(engine, "diary_entry", old, days=40)
    offline = laptop.upsert("diary_entry", valid_fields("diary_entry", notes="while away"))
    laptop.upsert("diary_entry", {"pain": 8}, kept)

    output = _purge(monkeypatch, database_url, "30", capsys)

    assert "purged 1 tombstone(s) older than 30 day(s) from 1 patient(s)" in output
    assert [row["id"] for row in stored_rows(engine, "diary_entry", patient.me["id"])
            if row["id"] == uuid.UUID(old)] == []
    reset = _pull(patient, cursor=3)
    assert (reset["reset"], reset["cursor"], reset["changes"]) == (True, 0, [])
    assert _pull(patient, cursor=4)["reset"] is False
    fresh = _pull(patient, cursor=0)
    assert fresh["reset"] is False
    assert {c["id"]: c["deleted"] for c in fresh["changes"]} == {recent: True, kept: False}

    laptop.pull()  # cursor 3 predates the purge: reload from 0, keeping the outbox

    assert laptop.stats.resets == 1 and laptop.pending == 2
    assert ("diary_entry", old) not in laptop.store.records
    assert laptop.get("diary_entry", offline)["notes"] == "while away"  # type: ignore[index]
    assert laptop.get("diary_entry", kept)["pain"] == 8  # type: ignore[index]
    laptop.sync()
    phone.sync()
    assert phone.stats.resets == 0
    server = server_view(pull_everything(patient))
    assert laptop.view() == phone.view() == server
    assert set(server) == {("diary_entry", kept), ("diary_entry", offline)}
    assert server[("diary_entry", kept)]["pain"] == 8


def test_purge_refuses_a_negative_number_of_days(capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli

    with pytest.raises(SystemExit) as exited:
        cli.main(["purge-tombstones", "--older-than", "-3"])

    assert exited.value.code == 2
    assert "'-3' is not a whole number of days" in capsys.readouterr().err
