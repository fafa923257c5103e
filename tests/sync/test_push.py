"""POST /api/v1/sync/push (design §4): at most once, in order, whole or not at all."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlmodel import SQLModel

from app.config import Settings
from app.db import unit_of_work
from app.main import create_app
from app.services import accounts
from app.syncclient import Device, HttpTransport, TransportError
from tests.conftest import PASSWORD, Browser, make_settings
from tests.factories import valid_fields
from tests.sync.faults import FaultyTransport, Network
from tests.sync.helpers import (
    PUSH,
    all_patient_rows,
    delete,
    last_mutation_id,
    new_entry,
    pull_everything,
    push,
    revisions,
    server_version,
    signed_in_copy,
    stored_rows,
    upsert,
)


def _statuses(response: Any) -> list[str]:
    return [result["status"] for result in response.json()["results"]]


# -- at most once ----------------------------------------------------------------------------


def test_the_same_push_sent_twice_is_applied_once(patient: Browser, engine: sa.Engine) -> None:
    client_id = str(uuid.uuid4())
    entry = new_entry(1, pain=5)
    mutations = [entry, upsert(2, "diary_entry", entry["record_id"], {"mood": 6}, 1)]

    first = push(patient, client_id, mutations)
    again = push(patient, client_id, mutations)

    assert first.status_code == 200, first.text
    assert first.json() == {"last_mutation_id": 2, "results": [
        {"id": 1, "status": "applied", "version": 1},
        {"id": 2, "status": "applied", "version": 2}]}
    assert again.status_code == 200, again.text
    assert again.json() == {"last_mutation_id": 2, "results": [
        {"id": 1, "status": "duplicate"}, {"id": 2, "status": "duplicate"}]}
    rows = stored_rows(engine, "diary_entry", patient.me["id"])
    assert [(row["pain"], row["mood"], row["version"]) for row in rows] == [(5, 6, 2)]
    assert server_version(engine, patient.me["id"]) == 2


def test_the_same_push_sent_20_times_in_parallel_is_applied_once(
    patient: Browser, new_browser: Any, engine: sa.Engine
) -> None:
    client_id = str(uuid.uuid4())
    mutations = [new_entry(number, notes=f"entry {number}") for number in range(1, 11)]
    tabs = [signed_in_copy(patient, new_browser()) for _ in range(20)]
    start = threading.Barrier(len(tabs))
    responses: list[Any] = [None] * len(tabs)

    def send(index: int) -> None:
        start.wait()
        responses[index] = push(tabs[index], client_id, mutations)

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(tabs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status_code for response in responses] == [200] * 20, \
        [response.text for response in responses if response.status_code != 200]
    applied = [response for response in responses if "applied" in _statuses(response)]
    assert len(applied) == 1
    assert _statuses(applied[0]) == ["applied"] * 10
    for response in responses:
        if response is not applied[0]:
            assert _statuses(response) == ["duplicate"] * 10
        assert response.json()["last_mutation_id"] == 10
    rows = stored_rows(engine, "diary_entry", patient.me["id"])
    assert sorted(row["notes"] for row in rows) == sorted(f"entry {n}" for n in range(1, 11))
    assert server_version(engine, patient.me["id"]) == 10
    assert last_mutation_id(engine, client_id) == 10


def test_a_push_whose_response_is_lost_after_commit_leaves_no_duplicate_when_retried(
    patient: Browser, engine: sa.Engine
) -> None:
    network = Network()
    transport = FaultyTransport(HttpTransport(patient), network)
    device = Device(transport)
    record_id = device.upsert("diary_entry", valid_fields("diary_entry", notes="once only"))
    device.upsert("diary_entry", {"pain": 7}, record_id)

    transport.faults.append("drop_response")
    with pytest.raises(TransportError):
        device.push()
    assert device.pending == 2  # the device cannot know the server kept them
    device.sync()

    first, retry = (delivery.reply.body for delivery in network.pushes())
    assert [r["status"] for r in first["results"]] == ["applied", "applied"]
    assert [r["status"] for r in retry["results"]] == ["duplicate", "duplicate"]
    rows = stored_rows(engine, "diary_entry", patient.me["id"])
    assert [(row["notes"], row["pain"]) for row in rows] == [("once only", 7)]
    assert server_version(engine, patient.me["id"]) == 2
    assert device.pending == 0 and device.rejected == []
    assert device.get("diary_entry", record_id)["pain"] == 7  # type: ignore[index]


# -- per-item authorisation (security-tests.md #15) ---------------------------------------------


def test_a_batch_touching_another_patients_records_lands_only_the_own_record(
    patient: Browser, other_patient: Browser, engine: sa.Engine
) -> None:
    theirs = other_patient.post("/api/v1/diary-entries",
                                json=valid_fields("diary_entry", notes="Olive's private note"))
    assert theirs.status_code == 201, theirs.text
    their_id = theirs.json()["id"]
    their_rows_before = all_patient_rows(engine, other_patient.me["id"])
    their_version_before = server_version(engine, other_patient.me["id"])
    mine = new_entry(1, notes="my own")
    nowhere = str(uuid.uuid4())
    mutations = [
        mine,
        upsert(2, "diary_entry", their_id, {"pain": 0, "notes": "overwritten"}, 1),
        upsert(3, "diary_entry", their_id, valid_fields("diary_entry", notes="taken over")),
        delete(4, "diary_entry", their_id, 1),
        delete(5, "diary_entry", nowhere),
        upsert(6, "diary_entry", nowhere, {"pain": 1}),
        {**new_entry(7), "record_id": "not-a-uuid"},
        upsert(8, "diary_entry", mine["record_id"], {"patient_id": other_patient.me["id"]}, 1),
        new_entry(9, patient_id=other_patient.me["id"]),
        {**new_entry(10), "patient_id": other_patient.me["id"]},
    ]

    response = push(patient, str(uuid.uuid4()), mutations)

    assert response.status_code == 200, response.text
    results = {result["id"]: result for result in response.json()["results"]}
    assert [results[n]["status"] for n in range(1, 11)] == ["applied"] + ["rejected"] * 9
    assert response.json()["last_mutation_id"] == 10

    def anonymous(result: dict[str, Any], record_id: str) -> tuple[str, str]:
        return result["error"], result["detail"].replace(record_id, "<id>")

    # Another patient's id answers exactly like an id that exists nowhere.
    assert anonymous(results[4], their_id) == anonymous(results[5], nowhere) == (
        "not_found", "diary_entry <id> was not found")
    assert anonymous(results[2], their_id) == anonymous(results[6], nowhere) == (
        "not_found", "diary_entry <id> was not found (a new one needs local_date)")
    assert anonymous(results[3], their_id) == anonymous(results[5], nowhere)
    assert results[7]["error"] == "validation" and "not-a-uuid" in results[7]["detail"]
    assert results[8]["error"] == results[9]["error"] == results[10]["error"] == "validation"
    assert "patient_id" in results[8]["detail"] and "patient_id" in results[10]["detail"]
    assert "Olive" not in response.text and other_patient.me["id"] not in response.text

    mine_rows = stored_rows(engine, "diary_entry", patient.me["id"])
    assert [(row["id"], row["notes"], row["version"]) for row in mine_rows] == [
        (uuid.UUID(mine["record_id"]), "my own", 1)]
    assert all_patient_rows(engine, other_patient.me["id"]) == their_rows_before
    assert server_version(engine, other_patient.me["id"]) == their_version_before
    assert server_version(engine, patient.me["id"]) == 1


@pytest.mark.parametrize("whole_records", [True, False])
def test_a_batch_of_creates_with_a_taken_id_answers_as_if_every_id_were_looked_up(
    patient: Browser, other_patient: Browser, engine: sa.Engine, whole_records: bool
) -> None:
    # Every mutation claims to create (base version 0), so the server first tries the batch
    # without looking its ids up; ids that turn out to exist must still get the same answers.
    # Whole records fail only when inserted; a partial one is refused before that.
    theirs = other_patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"))
    their_id = theirs.json()["id"]
    their_rows_before = all_patient_rows(engine, other_patient.me["id"])
    kept, gone = new_entry(1, pain=7, notes="kept"), new_entry(2)
    setup = push(patient, str(uuid.uuid4()), [kept, gone, delete(3, "diary_entry",
                                                                  gone["record_id"], 2)])
    assert _statuses(setup) == ["applied"] * 3, setup.text
    fresh_before, fresh_after = new_entry(1), new_entry(5)
    edit = valid_fields("diary_entry", pain=2, notes="kept") if whole_records else {"pain": 2}

    response = push(patient, str(uuid.uuid4()), [
        fresh_before,
        upsert(2, "diary_entry", their_id, valid_fields("diary_entry", notes="taken over")),
        upsert(3, "diary_entry", kept["record_id"], edit),
        upsert(4, "diary_entry", gone["record_id"], valid_fields("diary_entry")),
        fresh_after,
    ])

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == [
        "applied", "rejected", "applied", "rejected", "applied"]
    assert results[1]["error"] == "not_found" and results[3]["error"] == "deleted"
    rows = {str(row["id"]): row for row in stored_rows(engine, "diary_entry",
                                                          patient.me["id"])}
    assert (rows[kept["record_id"]]["pain"], rows[kept["record_id"]]["notes"]) == (2, "kept")
    assert {fresh_before["record_id"], fresh_after["record_id"]} <= set(rows)
    assert [r["fields"]["pain"] for r in revisions(engine, kept["record_id"])] == [7]
    assert all_patient_rows(engine, other_patient.me["id"]) == their_rows_before
    assert server_version(engine, patient.me["id"]) == 3 + 3


# -- the walk through a push --------------------------------------------------------------------


def test_rejected_mutations_still_advance_last_mutation_id(
    patient: Browser, engine: sa.Engine
) -> None:
    client_id = str(uuid.uuid4())
    response = push(patient, client_id, [new_entry(1, pain=11), new_entry(2, pain=3)])

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == 2
    assert body["results"][0] == {"id": 1, "status": "rejected", "error": "validation",
                                  "detail": "pain 11 is outside 0–10"}
    assert body["results"][1] == {"id": 2, "status": "applied", "version": 1}
    assert last_mutation_id(engine, client_id) == 2
    follow_up = push(patient, client_id, [new_entry(3)])
    assert _statuses(follow_up) == ["applied"]
    assert follow_up.json()["results"][0]["version"] == 2  # rejections take no version


def test_a_gap_in_mutation_ids_refuses_the_whole_push(patient: Browser, engine: sa.Engine) -> None:
    client_id = str(uuid.uuid4())
    assert push(patient, client_id, [new_entry(1), new_entry(2)]).status_code == 200

    response = push(patient, client_id, [new_entry(2), new_entry(3), new_entry(5)])

    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "mutation_gap" and body["last_mutation_id"] == 2
    assert body["detail"].startswith("mutation 5 skips ahead") and " is 4;" in body["detail"]
    assert len(stored_rows(engine, "diary_entry", patient.me["id"])) == 2
    assert last_mutation_id(engine, client_id) == 2
    assert push(patient, str(uuid.uuid4()), [new_entry(2)]).json()["error"] == "mutation_gap"


def test_a_deleted_record_stays_deleted_whatever_arrives_later(
    patient: Browser, engine: sa.Engine
) -> None:
    client_id = str(uuid.uuid4())
    entry = new_entry(1, notes="to be deleted")
    record_id = entry["record_id"]
    response = push(patient, client_id, [
        entry,
        delete(2, "diary_entry", record_id, 1),
        upsert(3, "diary_entry", record_id, {"pain": 2}, 1),
        upsert(4, "diary_entry", record_id, valid_fields("diary_entry", notes="back again")),
        delete(5, "diary_entry", record_id, 2),
    ])

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied", "rejected", "rejected",
                                             "rejected"]
    assert {r.get("error") for r in results[2:]} == {"deleted"}
    (row,) = stored_rows(engine, "diary_entry", patient.me["id"])
    assert row["deleted"] is True and row["version"] == 2
    assert row["notes"] is None and row["pain"] is None and row["local_date"] is None
    change = pull_everything(patient)[("diary_entry", record_id)]
    assert change["deleted"] is True and change["fields"] == {}
    assert patient.get(f"/api/v1/diary-entries/{record_id}").status_code == 404


def test_concurrent_edits_of_different_fields_of_one_record_both_survive(
    patient: Browser, new_browser: Any, engine: sa.Engine
) -> None:
    phone = Device(HttpTransport(patient))
    laptop = Device(HttpTransport(signed_in_copy(patient, new_browser())))
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry", pain=4, mood=5))
    phone.sync()
    laptop.sync()

    phone.upsert("diary_entry", {"pain": 7}, record_id)  # both edit version 1, offline
    laptop.upsert("diary_entry", {"mood": 2}, record_id)
    start = threading.Barrier(2)

    def sync(device: Device) -> None:
        start.wait()
        device.push()

    threads = [threading.Thread(target=sync, args=(d,)) for d in (phone, laptop)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    phone.sync()
    laptop.sync()

    (row,) = stored_rows(engine, "diary_entry", patient.me["id"])
    assert (row["pain"], row["mood"], row["version"]) == (7, 2, 3)
    assert phone.get("diary_entry", record_id) == laptop.get("diary_entry", record_id)
    assert phone.get("diary_entry", record_id)["pain"] == 7  # type: ignore[index]
    assert phone.get("diary_entry", record_id)["mood"] == 2  # type: ignore[index]
    # The second to arrive was made on version 1: the one field it changed is kept as it was.
    (revision,) = revisions(engine, record_id)
    assert revision["fields"] in ({"mood": 5}, {"pain": 4})


def test_the_value_a_stale_edit_overwrites_is_kept_in_record_revision(
    patient: Browser, new_browser: Any, engine: sa.Engine
) -> None:
    phone = Device(HttpTransport(patient))
    laptop = Device(HttpTransport(signed_in_copy(patient, new_browser())))
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry", notes="first words"))
    phone.sync()
    laptop.sync()

    phone.upsert("diary_entry", {"notes": "written on the phone", "pain": 6}, record_id)
    laptop.upsert("diary_entry", {"notes": "written on the laptop"}, record_id)
    phone.sync()
    laptop.sync()  # arrives second, made on version 1: it wins, and the phone's words are kept
    phone.sync()

    (row,) = stored_rows(engine, "diary_entry", patient.me["id"])
    assert (row["notes"], row["pain"], row["version"]) == ("written on the laptop", 6, 3)
    (revision,) = revisions(engine, record_id)
    assert revision["fields"] == {"notes": "written on the phone"}
    assert (revision["replaced_version"], revision["by_version"], revision["base_version"]) == (
        2, 3, 1)
    assert revision["entity"] == "diary_entry"
    assert phone.get("diary_entry", record_id) == laptop.get("diary_entry", record_id)


def test_deleting_a_record_erases_the_values_its_stale_edits_kept(
    patient: Browser, engine: sa.Engine
) -> None:
    client_id = str(uuid.uuid4())
    entry = new_entry(1, notes="first")
    record_id = entry["record_id"]
    push(patient, client_id, [entry, upsert(2, "diary_entry", record_id, {"notes": "second"}, 1),
                              upsert(3, "diary_entry", record_id, {"notes": "third"}, 1)])
    assert [r["fields"] for r in revisions(engine, record_id)] == [{"notes": "second"}]

    push(patient, client_id, [delete(4, "diary_entry", record_id, 3)])

    assert revisions(engine, record_id) == []


# -- refusals of the whole push -----------------------------------------------------------------


def _body(**overrides: Any) -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "schema_version": 1,
            "mutations": [new_entry(1), new_entry(2)], **overrides}


BAD_PUSHES: list[tuple[str, Any, int, str, str]] = [
    ("ids out of order", _body(mutations=[new_entry(2), new_entry(1)]), 400,
     "mutation_order", "mutation id 1 follows 2"),
    ("a repeated id", _body(mutations=[new_entry(1), new_entry(1)]), 400,
     "mutation_order", "mutation id 1 follows 1"),
    ("too many mutations", _body(mutations=[new_entry(n) for n in range(1, 502)]), 413,
     "too_large", "501 mutations"),
    ("an unsupported schema_version", _body(schema_version=2), 409, "schema_version",
     "schema_version 2"),
    ("no client_id", {"schema_version": 1, "mutations": []}, 422, "validation", "client_id"),
    ("a client_id that is no UUID", _body(client_id="phone-1"), 422, "validation", "phone-1"),
    ("a text schema_version", _body(schema_version="1"), 422, "validation", "schema_version"),
    ("mutations that are no list", _body(mutations={"id": 1}), 422, "validation", "mutations"),
    ("a mutation that is no object", _body(mutations=[new_entry(1), 7]), 422, "validation",
     "mutations[1]"),
    ("a mutation without an id", _body(mutations=[{"entity": "diary_entry"}]), 422,
     "validation", "mutations[0].id"),
    ("a mutation id of zero", _body(mutations=[{**new_entry(1), "id": 0}]), 422, "validation",
     "mutations[0].id"),
    ("a fractional mutation id", _body(mutations=[{**new_entry(1), "id": 1.5}]), 422,
     "validation", "mutations[0].id"),
    ("a text mutation id", _body(mutations=[{**new_entry(1), "id": "1"}]), 422, "validation",
     "mutations[0].id"),
    ("a huge mutation id", _body(mutations=[{**new_entry(1), "id": 2**40}]), 422, "validation",
     "mutations[0].id"),
    ("an unknown top-level key", _body(patient_id=str(uuid.uuid4())), 422, "validation",
     "patient_id"),
    ("a body that is no object", [1, 2, 3], 422, "validation", ""),
]


def test_a_bad_push_is_a_clear_4xx_that_changes_nothing(
    patient: Browser, engine: sa.Engine
) -> None:
    for case, body, status, error, detail in BAD_PUSHES:
        response = patient.post(PUSH, json=body)

        assert response.status_code == status, (case, response.text)
        assert response.json()["error"] == error, case
        assert detail in response.json()["detail"], (case, response.text)
        assert server_version(engine, patient.me["id"]) == 0, case
        assert stored_rows(engine, "diary_entry", patient.me["id"]) == [], case
        client_id = body.get("client_id") if isinstance(body, dict) else None
        if client_id and client_id != "phone-1":
            assert last_mutation_id(engine, client_id) is None, case  # not even registered


UNREADABLE: list[tuple[str, bytes, str, int]] = [
    ("over 1 MiB", b'{"client_id": "' + b"x" * (1024 * 1024) + b'"}', "application/json", 413),
    ("broken JSON", b"{not json", "application/json", 422),
    ("a form", b"client_id=1", "application/x-www-form-urlencoded", 422),
    ("deeply nested JSON", b"[" * 5000 + b"]" * 5000, "application/json", 400),
    ("an empty body", b"", "application/json", 422),
]


def test_an_unreadable_push_body_is_a_clear_4xx(patient: Browser, engine: sa.Engine) -> None:
    for case, content, content_type, status in UNREADABLE:
        response = patient.post(PUSH, content=content, headers={"content-type": content_type})

        assert response.status_code == status, (case, response.text)
        assert response.json()["error"] in ("too_large", "validation", "bad_request"), case
        assert response.json()["detail"], case
        assert server_version(engine, patient.me["id"]) == 0


def test_an_oversized_push_is_413_even_without_a_declared_length(patient: Browser) -> None:
    mutations = [new_entry(n, notes="n" * 1900) for n in range(1, 500)]

    def chunks() -> Iterator[bytes]:
        import json
        yield json.dumps({"client_id": str(uuid.uuid4()), "schema_version": 1,
                          "mutations": mutations}).encode()

    response = patient.post(PUSH, content=chunks(), headers={"content-type": "application/json"})

    assert response.status_code == 413, response.text
    assert response.json()["error"] == "too_large"


MALFORMED_MUTATIONS: list[tuple[str, dict[str, Any], str, str]] = [
    ("an unknown entity", {"entity": "mood_ring"}, "unknown_entity", "mood_ring"),
    ("an entity that is a number", {"entity": 5}, "validation", "entity 5"),
    ("an unknown op", {"op": "merge"}, "validation", "op 'merge'"),
    ("no op", {"op": None}, "validation", "op None"),
    ("a record_id that is no UUID", {"record_id": "12"}, "validation", "record_id '12'"),
    ("a record_id that is a number", {"record_id": 12}, "validation", "record_id 12"),
    ("no record_id", {"record_id": None}, "validation", "record_id None"),
    ("a negative base_version", {"base_version": -1}, "validation", "base_version -1"),
    ("a text base_version", {"base_version": "3"}, "validation", "base_version '3'"),
    ("fields that are a list", {"fields": [1, 2]}, "validation", "fields [1, 2]"),
    ("a pain given as text", {"fields": valid_fields("diary_entry", pain="4")}, "validation",
     "pain"),
    ("a pain out of range", {"fields": valid_fields("diary_entry", pain=11)}, "validation",
     "pain 11 is outside 0–10"),
    ("a date that is no date", {"fields": valid_fields("diary_entry", local_date="yesterday")},
     "validation", "local_date"),
    ("a partial update of a record that does not exist", {"fields": {"pain": 3}},
     "not_found", "was not found (a new one needs local_date)"),
    ("a step of a new goal without its title",
     {"entity": "goal", "fields": valid_fields("goal", steps=[{"target": 3}])}, "validation",
     "steps[0].title"),
    ("an unknown field", {"fields": valid_fields("diary_entry", colour="red")}, "validation",
     "colour"),
    ("a server-set field", {"fields": valid_fields("diary_entry", version=99)}, "validation",
     "version"),
    ("an unknown mutation key", {"owner": "someone"}, "validation", "owner"),
    ("a care note written by the patient",
     {"entity": "care_note", "fields": valid_fields("care_note")}, "validation", "read-only"),
    ("a check-in pointing at a goal that does not exist",
     {"entity": "goal_checkin", "fields": valid_fields("goal_checkin", goal_id=str(uuid.uuid4()))},
     "validation", "goal_id"),
    ("a note holding NUL", {"fields": valid_fields("diary_entry", notes="rest\x00ed")},
     "validation", "contains a NUL character"),
    ("a goal step holding NUL",
     {"entity": "goal", "fields": valid_fields("goal", steps=[{"title": "walk\x00"}])},
     "validation", "steps[0].title"),
]


def test_text_that_spells_a_nul_escape_is_kept_as_written(
    patient: Browser, engine: sa.Engine
) -> None:
    # The raw body holds "\\u0000" (an escaped backslash, then u0000): text, not a NUL.
    entry = new_entry(1)
    entry["fields"]["notes"] = "typed \\u0000 by hand"

    response = push(patient, str(uuid.uuid4()), [entry])

    assert _statuses(response) == ["applied"], response.text
    (row,) = stored_rows(engine, "diary_entry", patient.me["id"])
    assert row["notes"] == "typed \\u0000 by hand"


def test_a_malformed_mutation_is_rejected_alone_with_a_reason(
    patient: Browser, engine: sa.Engine
) -> None:
    mutations = []
    for number, (_, change, _, _) in enumerate(MALFORMED_MUTATIONS):
        mutations += [new_entry(2 * number + 1), {**new_entry(2 * number + 2), **change}]
    mutations.append(new_entry(len(mutations) + 1))

    response = push(patient, str(uuid.uuid4()), mutations)

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results[::2]] == ["applied"] * (len(MALFORMED_MUTATIONS) + 1)
    for (case, _, error, detail), result in zip(MALFORMED_MUTATIONS, results[1::2], strict=True):
        assert result["status"] == "rejected" and result["error"] == error, (case, result)
        assert detail in result["detail"], (case, result)
    assert response.json()["last_mutation_id"] == len(mutations)
    live = len(MALFORMED_MUTATIONS) + 1
    assert len(stored_rows(engine, "diary_entry", patient.me["id"])) == live
    assert server_version(engine, patient.me["id"]) == live


def test_a_record_that_only_lenient_json_reads_is_rejected_alone(
    patient: Browser, engine: sa.Engine
) -> None:
    # A lone surrogate escape and a NaN literal: orjson refuses such a body, json.loads reads
    # it; either way only the mutation holding them may fail, never the whole push.
    lone, nan = new_entry(2), new_entry(3)
    lone["fields"]["notes"] = "rest\ud800ed"
    nan["fields"]["sleep_hours"] = float("nan")
    body = json.dumps({"client_id": str(uuid.uuid4()), "schema_version": 1,
                       "mutations": [new_entry(1), lone, nan, new_entry(4)]})
    assert "\\ud800" in body and "NaN" in body

    response = patient.post(PUSH, content=body, headers={"content-type": "application/json"})

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["applied", "rejected", "rejected", "applied"]
    assert "notes" in results[1]["detail"] and "sleep_hours" in results[2]["detail"]
    assert len(stored_rows(engine, "diary_entry", patient.me["id"])) == 2


def test_a_client_id_of_another_account_is_refused(
    patient: Browser, other_patient: Browser, engine: sa.Engine
) -> None:
    client_id = str(uuid.uuid4())
    assert push(other_patient, client_id, [new_entry(1)]).status_code == 200

    response = push(patient, client_id, [new_entry(2), new_entry(3)])

    assert response.status_code == 403, response.text
    assert response.json()["error"] == "client_id_taken"
    assert client_id in response.json()["detail"]
    assert stored_rows(engine, "diary_entry", patient.me["id"]) == []
    assert last_mutation_id(engine, client_id) == 1
    assert len(stored_rows(engine, "diary_entry", other_patient.me["id"])) == 1


def test_clinicians_do_not_sync(app: FastAPI, engine: sa.Engine, new_browser: Any) -> None:
    with unit_of_work(engine, write=True) as session:
        accounts.create_user(session, email="dr@example.org", password=PASSWORD,
                             name="Dr Example", role="clinician")
    clinician = new_browser()
    assert clinician.sign_in("dr@example.org").status_code == 200

    pushed = push(clinician, str(uuid.uuid4()), [new_entry(1)])
    pulled = clinician.get("/api/v1/sync/pull")

    assert (pushed.status_code, pushed.json()["error"]) == (403, "patients_only")
    assert (pulled.status_code, pulled.json()["error"]) == (403, "patients_only")


def test_sync_needs_a_session_and_a_push_needs_the_csrf_header(
    patient: Browser, new_browser: Any, engine: sa.Engine
) -> None:
    stranger = new_browser()
    assert push(stranger, str(uuid.uuid4()), [new_entry(1)]).status_code == 401
    assert stranger.get("/api/v1/sync/pull").status_code == 401

    forgetful = signed_in_copy(patient, new_browser())
    del forgetful.headers["X-CSRF-Token"]
    response = push(forgetful, str(uuid.uuid4()), [new_entry(1)])

    assert (response.status_code, response.json()["error"]) == (403, "csrf")
    assert server_version(engine, patient.me["id"]) == 0


# -- a busy database ------------------------------------------------------------------------


@pytest.fixture
def impatient_app(database_url: str) -> Iterator[FastAPI]:
    """The app with a 200 ms wait for a lock, so that a held lock soon means 503."""
    settings: Settings = make_settings(database_url, sqlite_busy_timeout_ms=200)
    application = create_app(settings)
    SQLModel.metadata.create_all(application.state.engine)
    yield application
    application.state.engine.dispose()


def test_a_busy_database_answers_503_with_retry_after_and_applies_nothing(
    impatient_app: FastAPI, database_url: str
) -> None:
    engine: sa.Engine = impatient_app.state.engine
    with Browser(impatient_app) as browser:
        me = browser.sign_up()
        client_id = str(uuid.uuid4())
        mutations = [new_entry(1), new_entry(2)]
        with _patient_lock_held(engine, database_url, me["id"]):
            response = push(browser, client_id, mutations)
        retried = push(browser, client_id, mutations)

    assert response.status_code == 503, response.text
    assert response.json()["error"] == "busy"
    assert int(response.headers["Retry-After"]) >= 1
    assert _statuses(retried) == ["applied", "applied"]
    assert server_version(engine, me["id"]) == 2


class _patient_lock_held:  # noqa: N801 - used like a function
    """Another writer holding the patient's lock: SQLite's write lock, or the row lock."""

    def __init__(self, engine: sa.Engine, database_url: str, patient_id: str) -> None:
        self.engine, self.url, self.patient_id = engine, database_url, patient_id

    def __enter__(self) -> None:
        if self.engine.dialect.name == "sqlite":
            self.raw = sqlite3.connect(sa.make_url(self.url).database, isolation_level=None)
            self.raw.execute("BEGIN IMMEDIATE")
            return
        self.connection = self.engine.connect()
        self.connection.begin()
        self.connection.execute(sa.text(
            "SELECT version FROM patient_sync_state WHERE patient_id = :id FOR UPDATE"
        ), {"id": uuid.UUID(self.patient_id)})

    def __exit__(self, *exc: object) -> None:
        if self.engine.dialect.name == "sqlite":
            self.raw.execute("ROLLBACK")
            self.raw.close()
            return
        self.connection.rollback()
        self.connection.close()
