"""Several devices of one patient on a network that loses, repeats, delays and reorders
requests, and devices that lose their storage: after the faults heal and everyone syncs,
nothing acknowledged is lost, nothing is applied twice, no deleted record comes back, and
every device shows what the server has (design §4).

The network keeps every reply the server gave, delivered or not (see `faults.Network`):
replaying the applied mutations in version order is the oracle the server must match.
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from app.db import unit_of_work
from app.services import accounts
from app.syncclient import Device, HttpTransport, SyncError, TransportError
from tests.conftest import PASSWORD, Browser
from tests.factories import valid_fields
from tests.sync.faults import FAULTS, FaultyTransport, Network
from tests.sync.helpers import pull_everything, server_version, sign_in

DEVICES = 3
Key = tuple[str, str]
# Fields each entity's edits change: every value written is unique, so it names its write.
FAULT_PLANS = st.lists(st.sampled_from((None, *FAULTS)), max_size=3)
EDITABLE = {"diary_entry": ("notes", "medications"), "value": ("title", "description")}


class Replay:
    """The server's state rebuilt from the mutations it said it applied, in version order."""

    def __init__(self, applied: list[tuple[int, str, dict[str, Any]]]) -> None:
        self.records: dict[Key, dict[str, Any]] = {}
        for version, _client, mutation in applied:
            key = (mutation["entity"], mutation["record_id"])
            record = self.records.get(key)
            assert record is None or not record["deleted"], \
                f"{key} was changed at version {version} after it was deleted"
            if mutation["op"] == "delete":
                self.records[key] = {"version": version, "deleted": True, "fields": {}}
            else:
                fields = {**(record["fields"] if record else {}), **mutation["fields"]}
                self.records[key] = {"version": version, "deleted": False, "fields": fields}


class FaultySync(RuleBasedStateMachine):
    app: FastAPI  # set by the test that runs the machine

    def __init__(self) -> None:
        super().__init__()
        self.network = Network()
        self.unique = itertools.count()
        email = f"{uuid.uuid4().hex[:12]}@example.org"
        with unit_of_work(self.app.state.engine, write=True) as session:
            self.patient_id = str(accounts.create_user(
                session, email=email, password=PASSWORD, name="Dee Device").id)
        self.browsers = [Browser(self.app).__enter__() for _ in range(DEVICES)]
        self.transports = [FaultyTransport(HttpTransport(sign_in(browser, email)), self.network)
                           for browser in self.browsers]
        self.devices = [Device(transport, push_batch=4, pull_limit=3)
                        for transport in self.transports]
        # Mutations a wipe took away before the server confirmed them: they may never land.
        self.lost: set[tuple[str, int]] = set()
        self.made: list[tuple[str, int]] = []

    def _value(self, name: str) -> str:
        return f"{name} #{next(self.unique)}"

    def _made(self, device: Device) -> None:
        self.made.append((device.store.client_id, device.store.outbox[-1]["id"]))

    # -- what people do offline ---------------------------------------------------------

    @rule(index=st.integers(0, DEVICES - 1), entity=st.sampled_from(sorted(EDITABLE)),
          pain=st.integers(0, 10))
    def create(self, index: int, entity: str, pain: int) -> None:
        device = self.devices[index]
        if entity == "diary_entry":
            fields = valid_fields(entity, pain=pain, notes=self._value("note"))
        else:
            fields = valid_fields(entity, title=self._value("value"))
        device.upsert(entity, fields)
        self._made(device)

    @rule(index=st.integers(0, DEVICES - 1), pick=st.integers(0, 1000), data=st.data())
    def edit(self, index: int, pick: int, data: st.DataObject) -> None:
        device = self.devices[index]
        live = sorted(device.view())
        if not live:
            return
        entity, record_id = live[pick % len(live)]
        names = data.draw(st.lists(st.sampled_from(EDITABLE[entity]), min_size=1, unique=True))
        device.upsert(entity, {name: self._value(name) for name in names}, record_id)
        self._made(device)

    @rule(index=st.integers(0, DEVICES - 1), pick=st.integers(0, 1000))
    def delete(self, index: int, pick: int) -> None:
        device = self.devices[index]
        live = sorted(device.view())
        if not live:
            return
        entity, record_id = live[pick % len(live)]
        device.delete(entity, record_id)
        self._made(device)

    # -- the network and the devices misbehave --------------------------------------------

    @rule(index=st.integers(0, DEVICES - 1), faults=FAULT_PLANS)
    def sync(self, index: int, faults: list[Any]) -> None:
        self._sync(index, faults)

    @rule(faults=st.lists(FAULT_PLANS, min_size=DEVICES, max_size=DEVICES))
    def everyone_syncs(self, faults: list[list[Any]]) -> None:
        for index, plan in enumerate(faults):
            self._sync(index, plan)

    def _sync(self, index: int, faults: list[Any]) -> None:
        self.transports[index].faults.extend(faults)
        try:
            self.devices[index].sync()
        except TransportError:
            pass  # the device will try again later
        finally:
            self.transports[index].faults.clear()

    @precondition(lambda self: self.network.held)
    @rule(newest_first=st.booleans())
    def late_arrival(self, newest_first: bool) -> None:
        self.network.release(newest_first=newest_first)

    @rule(index=st.integers(0, DEVICES - 1), chance=st.integers(0, 5))
    def wipe(self, index: int, chance: int) -> None:
        if chance:
            return  # a rare event: most draws do nothing
        store = self.devices[index].store
        self.lost |= {(store.client_id, m["id"]) for m in store.outbox}
        self.devices[index].wipe()

    # -- what must hold at every step -------------------------------------------------------

    @invariant()
    def devices_agree_with_the_server_up_to_their_cursor(self) -> None:
        """A device that pulled up to version c has every record whose latest change is ≤ c
        exactly as the server has it: no change skipped, no tombstone undone."""
        truth = Replay(self.network.applied()).records
        for number, device in enumerate(self.devices):
            cursor = device.store.cursor
            for key, record in truth.items():
                if record["version"] <= cursor:
                    mine = device.store.records.get(key)
                    assert mine is not None, f"device {number} skipped {key} (cursor {cursor})"
                    assert (mine.version, mine.deleted) == (record["version"], record["deleted"])
            for key, mine in device.store.records.items():
                assert key in truth and mine.version <= truth[key]["version"], key

    # -- after the faults heal ------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            self._heal_and_check()
        finally:
            for browser in self.browsers:
                browser.__exit__(None, None, None)

    def _heal_and_check(self) -> None:
        self.network.release()
        for _ in range(2):  # the second round brings everyone the first round's changes
            for device in self.devices:
                device.sync()

        applied = self.network.applied()
        outcomes = self.network.outcomes()
        server = pull_everything(self.browsers[0])

        # Nothing applied twice: one version per applied mutation, each mutation at most once.
        assert [version for version, _, _ in applied] == list(range(1, len(applied) + 1))
        assert server_version(self.app.state.engine, self.patient_id) == len(applied)
        landed = [(client, m["id"]) for client, m, r in outcomes if r["status"] != "duplicate"]
        assert len(landed) == len(set(landed))

        # Nothing acknowledged or still queued is lost: every mutation a wipe did not take
        # away was applied or refused, exactly once.
        unresolved = set(self.made) - set(landed) - self.lost
        assert unresolved == set(), f"never reached the server: {sorted(unresolved)}"

        # The server holds exactly what the applied mutations say, tombstones included.
        truth = Replay(applied).records
        assert set(server) == set(truth)
        for key, record in truth.items():
            change = server[key]
            assert (change["version"], change["deleted"]) == (record["version"], record["deleted"])
            assert record["fields"].items() <= change["fields"].items(), key

        # Refusals only ever say "deleted", and then the record really is a tombstone.
        for _, mutation, result in outcomes:
            if result["status"] == "rejected":
                assert result["error"] == "deleted", result
                assert truth[(mutation["entity"], mutation["record_id"])]["deleted"]

        # Every device shows what the server has, with nothing left to send.
        expected = {key: change["fields"] for key, change in server.items()
                    if not change["deleted"]}
        for number, device in enumerate(self.devices):
            assert device.pending == 0, number
            assert device.view() == expected, f"device {number} differs from the server"
            for rejection in device.rejected:
                assert rejection.error == "deleted"


def test_devices_converge_without_loss_duplication_or_resurrection(app: FastAPI) -> None:
    machine = type("FaultySyncOn", (FaultySync,), {"app": app})
    try:
        run_state_machine_as_test(machine, settings=settings(
            max_examples=20, stateful_step_count=50, deadline=None, derandomize=False,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ))
    except SyncError as exc:  # pragma: no cover - shows the refusal, not a bare traceback
        pytest.fail(f"the server refused a healthy sync: {exc}")

