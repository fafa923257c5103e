"""The reference client (app/syncclient.py): the phone's algorithm, against a real server."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from app.models import SyncClient
from app.syncclient import Device, HttpTransport, SignInNeeded, TransportError
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields
from tests.live import live_server
from tests.sync.faults import FaultyTransport, Network
from tests.sync.helpers import pull_everything, server_view, signed_in_copy, stored_rows


def test_a_pending_edit_stays_on_screen_whatever_a_pull_brings(
    patient: Browser, new_browser: Any
) -> None:
    phone = Device(HttpTransport(patient))
    laptop = Device(HttpTransport(signed_in_copy(patient, new_browser())))
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry", pain=4, mood=5))
    phone.sync()
    laptop.sync()
    laptop.upsert("diary_entry", {"pain": 9, "mood": 1}, record_id)
    laptop.sync()

    phone.upsert("diary_entry", {"pain": 2}, record_id)  # not pushed yet
    phone.pull()

    theirs = laptop.get("diary_entry", record_id)
    assert theirs is not None and theirs["mood"] == 1
    assert phone.get("diary_entry", record_id) == {**theirs, "pain": 2}
    assert phone.pending == 1
    phone.sync()
    laptop.sync()
    assert phone.get("diary_entry", record_id)["pain"] == 2  # type: ignore[index]
    assert phone.view() == laptop.view()


def test_an_acknowledged_change_stays_visible_until_the_pull_brings_it(patient: Browser) -> None:
    network = Network()
    transport = FaultyTransport(HttpTransport(patient), network)
    phone = Device(transport)
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry", notes="mine"))

    phone.push()
    transport.faults.append("drop_request")
    with pytest.raises(TransportError):
        phone.pull()

    assert phone.get("diary_entry", record_id)["notes"] == "mine"  # type: ignore[index]
    phone.push()
    assert len(network.pushes()) == 1  # acknowledged, so never sent again
    phone.pull()
    assert phone.pending == 0
    assert phone.get("diary_entry", record_id)["notes"] == "mine"  # type: ignore[index]


def test_a_refused_change_is_listed_as_could_not_sync_with_its_reason(
    patient: Browser, new_browser: Any
) -> None:
    phone = Device(HttpTransport(patient))
    laptop = Device(HttpTransport(signed_in_copy(patient, new_browser())))
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry"))
    phone.sync()
    laptop.sync()
    phone.delete("diary_entry", record_id)
    phone.sync()

    laptop.upsert("diary_entry", {"notes": "too late"}, record_id)
    laptop.upsert("diary_entry", valid_fields("diary_entry", pain=11))
    laptop.sync()

    assert [(r.error, r.mutation["record_id"]) for r in laptop.rejected] == [
        ("deleted", record_id), ("validation", laptop.rejected[1].mutation["record_id"])]
    assert laptop.rejected[1].detail == "pain 11 is outside 0–10"
    assert laptop.pending == 0
    assert laptop.view() == phone.view() == {}


def test_a_device_the_server_forgot_carries_on_as_a_new_client(
    patient: Browser, engine: sa.Engine
) -> None:
    phone = Device(HttpTransport(patient))
    phone.upsert("diary_entry", valid_fields("diary_entry", notes="before"))
    phone.sync()
    old_client_id = phone.store.client_id
    with engine.begin() as connection:  # the server was restored from an older backup
        connection.execute(sa.delete(SyncClient.__table__))  # type: ignore[arg-type]
    waiting = phone.upsert("diary_entry", valid_fields("diary_entry", notes="after"))

    phone.sync()

    assert phone.store.client_id != old_client_id and phone.stats.rekeys == 1
    assert phone.pending == 0
    assert phone.get("diary_entry", waiting)["notes"] == "after"  # type: ignore[index]
    notes = sorted(row["notes"] for row in stored_rows(engine, "diary_entry", patient.me["id"]))
    assert notes == ["after", "before"]


def test_a_wiped_device_starts_as_a_new_client_and_reloads_everything(patient: Browser) -> None:
    phone = Device(HttpTransport(patient), pull_limit=1)
    kept = phone.upsert("diary_entry", valid_fields("diary_entry", notes="synced"))
    phone.sync()
    phone.upsert("diary_entry", valid_fields("diary_entry", notes="never synced"))
    old_client_id = phone.store.client_id

    phone.wipe()
    assert phone.view() == {} and phone.pending == 0
    phone.sync()

    assert phone.store.client_id != old_client_id
    assert list(phone.view()) == [("diary_entry", kept)]
    assert phone.view() == server_view(pull_everything(patient))


def test_a_signed_out_device_keeps_its_outbox(patient: Browser, new_browser: Any) -> None:
    stranger = new_browser()
    phone = Device(HttpTransport(stranger))
    record_id = phone.upsert("diary_entry", valid_fields("diary_entry"))

    with pytest.raises(SignInNeeded):
        phone.sync()
    assert phone.pending == 1

    phone.transport = HttpTransport(signed_in_copy(patient, stranger))
    phone.sync()
    assert phone.pending == 0 and ("diary_entry", record_id) in phone.view()


def test_the_reference_client_syncs_over_real_http(database_url: str) -> None:
    engine = sa.create_engine(database_url)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    email = f"{uuid.uuid4().hex[:10]}@example.org"
    with live_server(database_url) as base_url, httpx.Client(base_url=base_url) as signup:
        response = signup.post("/api/v1/auth/register",
                               json={"email": email, "password": PASSWORD, "name": "Live"})
        assert response.status_code == 201, response.text
        with httpx.Client(base_url=base_url) as one, httpx.Client(base_url=base_url) as two:
            phone = Device(HttpTransport.signed_in(one, email, PASSWORD), push_batch=50)
            laptop = Device(HttpTransport.signed_in(two, email, PASSWORD), pull_limit=40)
            for day in range(1, 121):
                phone.upsert("diary_entry", valid_fields("diary_entry", notes=f"day {day}"))
            phone.sync()
            laptop.sync()

            assert phone.stats.pushes == 3 and laptop.stats.pulls == 3
            assert len(laptop.view()) == 120
            assert laptop.view() == phone.view()
