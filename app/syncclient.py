"""The reference sync client: the phone's algorithm of design §4 in plain Python.

It is what the tests use to play devices, what a benchmark drives over real HTTP, and the
shortest executable description of the protocol for anyone writing another client:

    device = Device(HttpTransport.signed_in(httpx.Client(base_url=url), email, password))
    record_id = device.upsert("diary_entry", {"local_date": "2026-11-27", "pain": 4})
    device.sync()                      # push the outbox, then pull until up to date
    device.get("diary_entry", record_id)

State, as the phone keeps it in one IndexedDB database (so losing one loses all):
`client_id`, the next mutation id, the outbox (mutations not yet acknowledged, oldest
first), the server-confirmed records with their versions (tombstones too), the pull cursor,
and the "could not sync" list. Reads show the confirmed records with the outbox laid on top,
so a pull never hides an unsynced edit.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import orjson

PUSH_PATH = "/api/v1/sync/push"
PULL_PATH = "/api/v1/sync/pull"
SCHEMA_VERSION = 1
PUSH_BATCH = 500
PULL_LIMIT = 2000

Key = tuple[str, str]  # (entity, record id)


# -- transport -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any  # the parsed JSON, or None when the body was not JSON
    headers: Mapping[str, str] = field(default_factory=dict)


class TransportError(Exception):
    """The request or its reply was lost: whether the server acted is unknown."""


class Transport(Protocol):
    def send(self, request: Request) -> Reply: ...


class HttpTransport:
    """Requests over HTTP with an httpx client (a FastAPI TestClient is one too) that
    carries the session cookie and the X-CSRF-Token header."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    @classmethod
    def signed_in(cls, client: httpx.Client, email: str, password: str) -> HttpTransport:
        """Sign `client` in and make it send the CSRF header as the app does."""
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        if response.status_code != 200:
            raise SyncError(response.status_code, _json(response))
        client.headers["X-CSRF-Token"] = client.cookies.get("csrf_token") or ""
        return cls(client)

    def send(self, request: Request) -> Reply:
        body = None if request.json is None else orjson.dumps(request.json)
        try:
            response = self.client.request(request.method, request.path,
                                           params=request.params, content=body,
                                           headers=JSON_BODY if body is not None else None)
        except httpx.TransportError as exc:
            raise TransportError(str(exc)) from exc
        return Reply(response.status_code, _json(response), dict(response.headers))


JSON_BODY = {"Content-Type": "application/json"}


def _json(response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return None


# -- errors the caller acts on ---------------------------------------------------------------


class SyncError(Exception):
    """The server refused; the outbox is kept for a later try."""

    def __init__(self, status: int, body: Any) -> None:
        body = body if isinstance(body, dict) else {}
        self.status, self.error, self.detail = status, body.get("error"), body.get("detail")
        super().__init__(f"{status} {self.error}: {self.detail}")


class SignInNeeded(SyncError):
    """401: the outbox is kept; sign in again, then sync."""


class UpdateNeeded(SyncError):
    """409 schema_version: this client speaks a protocol version the server does not."""


class ServerBusy(SyncError):
    """503: try again after `retry_after` seconds."""

    def __init__(self, status: int, body: Any, retry_after: float) -> None:
        super().__init__(status, body)
        self.retry_after = retry_after


def _refusal(reply: Reply) -> SyncError:
    if reply.status == 401:
        return SignInNeeded(reply.status, reply.body)
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    if reply.status == 409 and error == "schema_version":
        return UpdateNeeded(reply.status, reply.body)
    if reply.status == 503:
        retry_after = reply.headers.get("retry-after") or reply.headers.get("Retry-After") or "1"
        return ServerBusy(reply.status, reply.body, float(retry_after))
    return SyncError(reply.status, reply.body)


# -- local state ---------------------------------------------------------------------------


@dataclass
class Confirmed:
    """A record as the server last reported it."""

    version: int
    deleted: bool
    fields: dict[str, Any]


@dataclass
class Rejection:
    """A local change the server refused, kept to be shown — never dropped silently."""

    mutation: dict[str, Any]
    error: str
    detail: str


@dataclass
class LocalStore:
    """Everything the device keeps; one unit, so losing it loses the client_id and the outbox
    together and the server never sees a client's ids start over."""

    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    next_mutation_id: int = 1
    outbox: list[dict[str, Any]] = field(default_factory=list)
    # Outbox entries up to here were applied; they stay in the view until a pull brings
    # their effect, and are never pushed again.
    acked_through: int = 0
    records: dict[Key, Confirmed] = field(default_factory=dict)
    cursor: int = 0
    could_not_sync: list[Rejection] = field(default_factory=list)


@dataclass
class SyncStats:
    pushes: int = 0
    pulls: int = 0
    resets: int = 0
    rekeys: int = 0


# -- the device ----------------------------------------------------------------------------


class Device:
    """One installation of the app, with its own local store."""

    def __init__(self, transport: Transport, *, push_batch: int = PUSH_BATCH,
                 pull_limit: int = PULL_LIMIT, store: LocalStore | None = None) -> None:
        self.transport = transport
        self.push_batch = push_batch
        self.pull_limit = pull_limit
        self.store = store or LocalStore()
        self.stats = SyncStats()

    # local writes: the record and its mutation go together, as in one IndexedDB transaction

    def upsert(self, entity: str, fields: Mapping[str, Any], record_id: str | None = None) -> str:
        """Create a record (no `record_id`) or change the given fields of one."""
        record_id = record_id or str(uuid.uuid4())
        self._enqueue(entity, "upsert", record_id, dict(fields))
        return record_id

    def delete(self, entity: str, record_id: str) -> None:
        self._enqueue(entity, "delete", record_id, None)

    def _enqueue(self, entity: str, op: str, record_id: str, fields: dict[str, Any] | None) -> None:
        confirmed = self.store.records.get((entity, record_id))
        mutation: dict[str, Any] = {
            "id": self.store.next_mutation_id, "entity": entity, "op": op,
            "record_id": record_id, "base_version": confirmed.version if confirmed else 0,
        }
        if fields is not None:
            mutation["fields"] = fields
        self.store.next_mutation_id += 1
        self.store.outbox.append(mutation)

    # reads: confirmed records with the pending outbox laid on top

    def view(self) -> dict[Key, dict[str, Any]]:
        """Every live record as the person sees it, pending changes included."""
        live = {key: dict(record.fields) for key, record in self.store.records.items()
                if not record.deleted}
        gone = {key for key, record in self.store.records.items() if record.deleted}
        for mutation in self.store.outbox:
            key = (mutation["entity"], mutation["record_id"])
            if key in gone:
                continue  # the server will refuse it: a delete wins
            if mutation["op"] == "delete":
                live.pop(key, None)
                gone.add(key)
            else:
                live.setdefault(key, {}).update(mutation.get("fields") or {})
        return live

    def get(self, entity: str, record_id: str) -> dict[str, Any] | None:
        return self.view().get((entity, record_id))

    @property
    def pending(self) -> int:
        return len(self.store.outbox)

    @property
    def rejected(self) -> list[Rejection]:
        return self.store.could_not_sync

    def wipe(self) -> None:
        """Lose everything on this device (site data cleared): client_id and outbox too."""
        self.store = LocalStore()

    # the sync loop

    def sync(self) -> None:
        """Push the outbox in batches, then pull until up to date."""
        self.push()
        self.pull()

    def push(self) -> None:
        """Send the unacknowledged outbox oldest first, in batches."""
        rekeyed = False
        while unsent := [m for m in self.store.outbox if m["id"] > self.store.acked_through]:
            batch = unsent[: self.push_batch]
            reply = self.transport.send(Request("POST", PUSH_PATH, json={
                "client_id": self.store.client_id, "schema_version": SCHEMA_VERSION,
                "mutations": [dict(mutation) for mutation in batch],  # as sent, frozen
            }))
            self.stats.pushes += 1
            if reply.status == 200:
                self._acknowledge(batch, reply.body)
                continue
            error = reply.body.get("error") if isinstance(reply.body, dict) else None
            if error in ("mutation_gap", "client_id_taken") and not rekeyed:
                # The server forgot this client (a restored backup) or the id is someone
                # else's: carry on as a new client, so nothing still waiting is lost.
                self._rekey()
                rekeyed = True
                continue
            raise _refusal(reply)

    def _acknowledge(self, batch: list[dict[str, Any]], body: dict[str, Any]) -> None:
        sent = {mutation["id"]: mutation for mutation in batch}
        refused: set[int] = set()
        for result in body["results"]:
            if result["status"] == "rejected":
                refused.add(result["id"])
                self.store.could_not_sync.append(
                    Rejection(sent[result["id"]], result["error"], result["detail"]))
        last = int(body["last_mutation_id"])
        if last < batch[0]["id"]:
            raise SyncError(200, {"error": "no_progress", "detail":
                                  f"the server acknowledged {last}, not {batch[0]['id']}"})
        self.store.outbox = [m for m in self.store.outbox if m["id"] not in refused]
        self.store.acked_through = max(self.store.acked_through, last)

    def _drop_acknowledged(self, last_mutation_id: int) -> None:
        self.store.outbox = [m for m in self.store.outbox if m["id"] > last_mutation_id]
        self.store.acked_through = max(self.store.acked_through, last_mutation_id)

    def _rekey(self) -> None:
        self.stats.rekeys += 1
        waiting = [m for m in self.store.outbox if m["id"] > self.store.acked_through]
        self.store.client_id = str(uuid.uuid4())
        self.store.outbox = [{**m, "id": number} for number, m in enumerate(waiting, start=1)]
        self.store.next_mutation_id = len(self.store.outbox) + 1
        self.store.acked_through = 0

    def pull(self) -> None:
        """Pull pages until `more` is false; on `reset`, reload from zero keeping the outbox."""
        resets = 0
        last_mutation_id = 0
        more = True
        while more:
            page = self._pull_page()
            if page["reset"]:
                resets += 1
                if resets > 2:
                    raise SyncError(200, {"error": "reset_loop",
                                          "detail": "the server keeps asking for a reset"})
                self.stats.resets += 1
                self.store.records.clear()
                self.store.cursor = 0
                continue
            for change in page["changes"]:
                self.store.records[(change["entity"], change["id"])] = Confirmed(
                    change["version"], change["deleted"], change["fields"])
            self.store.cursor = page["cursor"]
            last_mutation_id = page["last_mutation_id"]
            more = page["more"]
        # Dropped only now: every change of an acknowledged mutation has arrived by the
        # end of the pull, so the view never loses an edit in between.
        self._drop_acknowledged(last_mutation_id)

    def _pull_page(self) -> dict[str, Any]:
        reply = self.transport.send(Request("GET", PULL_PATH, params={
            "cursor": self.store.cursor, "limit": self.pull_limit,
            "client_id": self.store.client_id,
        }))
        self.stats.pulls += 1
        if reply.status != 200:
            raise _refusal(reply)
        return reply.body  # type: ignore[no-any-return]

    def confirmed_live(self) -> Iterator[tuple[Key, Confirmed]]:
        """The server-confirmed live records."""
        return ((key, record) for key, record in self.store.records.items() if not record.deleted)
