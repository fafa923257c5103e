"""Server under load (design §8): 50 simulated patients syncing and reading against two
uvicorn workers on loopback, beside a bare FastAPI JSON endpoint measured in the same run.

    .venv/bin/python bench/load.py                   # SQLite (a temporary file), 20 s
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --seconds 30 --patients 50 --workers 2

One run:
1. a scratch database (a temporary SQLite file, or a PostgreSQL schema dropped afterwards),
   migrated; Pacewise served by `uvicorn app.main:create_app --factory --workers 2`, and a
   bare FastAPI app with one JSON endpoint (`bare` below) served with the same settings;
2. 50 patients register (concurrently, through the API);
3. for `--seconds` the bare endpoint is driven by 50 concurrent loops without pause; then
   Pacewise twice, `--seconds` each: flat out (each patient loops without pause) and paced
   (each patient starts a round every `--pace` seconds, default 5 — twelve times as often
   as the app's own once-a-minute background sync, about as often as a patient logging
   at full tilt saves). A round: push a batch of 5 mutations (3 new diary
   entries, an edit of an earlier one, a pacing session) to /api/v1/sync/push, pull from
   its cursor until up to date, read its diary list (GET /api/v1/diary-entries?limit=20);
4. printed: requests/s, p50/p95/p99 latency and errors, per request kind for Pacewise, and
   the ratio of sync requests/s (push and pull; the diary reads not counted) ÷ bare
   requests/s, both flat out.

Bars (design §8): no errors; p95 < 100 ms, judged on the paced run (flat out, 50 loops
without pause queue behind each other, so latency there is concurrency ÷ throughput and
says how saturated the server is, not how fast a patient is served); sync requests/s flat
out ≥ ¼ of the bare endpoint's. The generator (one asyncio process with httpx) shares the
machine's cores with the servers, in every measurement alike.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI

REPO = Path(__file__).resolve().parent.parent

# The bare baseline: what uvicorn and FastAPI cost with no Pacewise in the way. It lives
# here so that `uvicorn bench.load:bare` serves it; keep this module's top light.
bare = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@bare.get("/bare")
def bare_endpoint() -> dict[str, Any]:
    return {"ok": True, "items": [], "next": None}


PASSWORD = "bench-pass-phrase-01"  # noqa: S105 - throwaway benchmark accounts
BATCH_NEW = 3
START_TIMEOUT = 60.0


@dataclass
class Tally:
    """Latencies (seconds) and errors of one kind of request."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, seconds: float, error: str | None) -> None:
        self.latencies.append(seconds)
        if error:
            self.errors.append(error)


@dataclass
class Run:
    tallies: dict[str, Tally] = field(default_factory=dict)
    seconds: float = 0.0

    def tally(self, kind: str) -> Tally:
        return self.tallies.setdefault(kind, Tally())

    @property
    def latencies(self) -> list[float]:
        return [value for tally in self.tallies.values() for value in tally.latencies]

    @property
    def errors(self) -> list[str]:
        return [error for tally in self.tallies.values() for error in tally.errors]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def describe(label: str, latencies: list[float], errors: int, seconds: float) -> str:
    count = len(latencies)
    rate = count / seconds if seconds else 0.0
    ms = [percentile(latencies, p) * 1000 for p in (50, 95, 99)]
    return (f"{label:<28}{count:>8} requests {rate:>8.0f} req/s   p50 {ms[0]:6.1f} ms   "
            f"p95 {ms[1]:6.1f} ms   p99 {ms[2]:6.1f} ms   errors {errors}")


# -- servers -----------------------------------------------------------------------------------


@contextmanager
def uvicorn_server(target: list[str], health: str, workers: int,
                   env: dict[str, str]) -> Iterator[str]:
    """`uvicorn <target> --workers N` on a free loopback port until the block ends."""
    import httpx

    from tests.live import VENV_PYTHON, free_port

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = open(os.devnull, "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(  # noqa: S603 - fixed command, our own interpreter
        [str(VENV_PYTHON if VENV_PYTHON.exists() else sys.executable), "-m", "uvicorn", *target,
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
         "--no-access-log", "--no-server-header", "--log-level", "warning"],
        cwd=REPO, env={**env, "PACEWISE_BASE_URL": base_url, "PYTHONUNBUFFERED": "1"},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        healthy = 0
        while healthy < 2 * workers:  # several answers: every worker is likely up
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"uvicorn {target[0]} did not start")
            try:
                healthy += httpx.get(base_url + health, timeout=2).status_code == 200
            except httpx.TransportError:
                time.sleep(0.2)
        yield base_url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the group we started: parent + workers
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


# -- load ---------------------------------------------------------------------------------------


async def timed(run: Run, kind: str, request: Awaitable[Any]) -> Any:
    import httpx

    started = time.perf_counter()
    try:
        response = await request
    except httpx.HTTPError as exc:
        run.tally(kind).add(time.perf_counter() - started, f"{type(exc).__name__}: {exc}")
        return None
    error = None if response.status_code < 400 else f"{response.status_code} {response.text[:120]}"
    run.tally(kind).add(time.perf_counter() - started, error)
    return response if error is None else None


def diary_fields(rng: random.Random) -> dict[str, Any]:
    return {"local_date": f"2026-11-{rng.randint(1, 27):02d}", "pain": rng.randint(0, 10),
            "interference": rng.randint(0, 10), "function": rng.randint(0, 10),
            "body_areas": ["lower_back"], "notes": "walked to the shop and back, rested after"}


class Patient:
    """One phone: its own cookies, client_id, outbox numbering, versions and cursor."""

    def __init__(self, client: Any, index: int) -> None:
        self.client = client
        self.rng = random.Random(index)
        self.client_id = str(uuid.uuid4())
        self.next_mutation = 1
        self.versions: dict[str, int] = {}
        self.plan_id = str(uuid.uuid4())
        self.cursor = 0

    def batch(self) -> list[dict[str, Any]]:
        mutations: list[dict[str, Any]] = []

        def add(entity: str, record_id: str, base: int, fields: dict[str, Any]) -> None:
            mutations.append({"id": self.next_mutation + len(mutations), "entity": entity,
                              "op": "upsert", "record_id": record_id, "base_version": base,
                              "fields": fields})

        if self.plan_id not in self.versions:
            add("pacing_plan", self.plan_id, 0, {"activity": "Walking", "unit": "minutes",
                                                 "baseline": 8, "quota": 8})
        for _ in range(BATCH_NEW):
            add("diary_entry", str(uuid.uuid4()), 0, diary_fields(self.rng))
        known = [key for key in self.versions if key != self.plan_id]
        if known:
            edited = self.rng.choice(known)
            add("diary_entry", edited, self.versions[edited], {"notes": "edited later"})
        add("pacing_session", str(uuid.uuid4()), 0, {
            "plan_id": self.plan_id, "kind": "quota", "started_at": "2026-11-27T09:00:00Z",
            "ended_at": "2026-11-27T09:08:00Z", "planned": 8, "achieved": 8,
            "unit": "minutes", "stopped_because": "quota_reached"})
        return mutations

    async def round(self, run: Run) -> None:
        mutations = self.batch()
        response = await timed(run, "push", self.client.post("/api/v1/sync/push", json={
            "client_id": self.client_id, "schema_version": 1, "mutations": mutations}))
        if response is not None:
            by_id = {mutation["id"]: mutation for mutation in mutations}
            for result in response.json()["results"]:
                if result["status"] != "applied":
                    run.tally("push").errors.append(f"mutation {result}")
                    continue
                mutation = by_id[result["id"]]
                if mutation["entity"] in ("diary_entry", "pacing_plan"):
                    self.versions[mutation["record_id"]] = result["version"]
            self.next_mutation += len(mutations)
        more = True
        while more:
            response = await timed(run, "pull", self.client.get(
                "/api/v1/sync/pull", params={"cursor": self.cursor}))
            if response is None:
                break
            body = response.json()
            self.cursor, more = body["cursor"], body["more"]
        await timed(run, "list", self.client.get("/api/v1/diary-entries",
                                                 params={"limit": 20}))


async def drive(loops: list[Callable[[Run], Awaitable[None]]], seconds: float,
                pace: float = 0.0) -> Run:
    """Run every loop body again and again until `seconds` have passed; with `pace`, each
    loop starts a round at most every `pace` seconds (starting at a random offset)."""
    run = Run()
    deadline = time.perf_counter() + seconds
    rng = random.Random(7)

    async def loop(body: Callable[[Run], Awaitable[None]]) -> None:
        if pace:
            await asyncio.sleep(rng.uniform(0, pace))
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            await body(run)
            if pace:
                await asyncio.sleep(max(0.0, pace - (time.perf_counter() - started)))

    started = time.perf_counter()
    await asyncio.gather(*(loop(body) for body in loops))
    run.seconds = time.perf_counter() - started
    return run


def client_for(base_url: str, concurrency: int) -> Any:
    import httpx

    return httpx.AsyncClient(base_url=base_url, timeout=30,
                             limits=httpx.Limits(max_connections=concurrency,
                                                 max_keepalive_connections=concurrency))


async def bare_load(base_url: str, concurrency: int, seconds: float) -> Run:
    async with client_for(base_url, concurrency) as client:
        async def body(run: Run) -> None:
            await timed(run, "bare", client.get("/bare"))

        await drive([body] * 2 * concurrency, 1.0)  # warm up: connections, first requests
        return await drive([body] * concurrency, seconds)


async def sign_up(base_url: str, count: int) -> list[Any]:
    clients = [client_for(base_url, 2) for _ in range(count)]
    # Registration hashes the password with Argon2 (on purpose slow); two at a time, and
    # a busy answer is retried after its Retry-After, as the app does. Not measured.
    gate = asyncio.Semaphore(2)
    tag = uuid.uuid4().hex[:8]

    async def one(index: int, client: Any) -> None:
        async with gate:
            for _attempt in range(10):
                response = await client.post("/api/v1/auth/register", json={
                    "email": f"load{index}-{tag}@bench.example", "password": PASSWORD,
                    "name": f"Load Patient {index}"})
                if response.status_code != 503:
                    break
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        if response.status_code != 201:
            raise RuntimeError(f"registration failed: {response.status_code} {response.text}")
        client.headers["X-CSRF-Token"] = client.cookies.get("csrf_token") or ""

    await asyncio.gather(*(one(index, client) for index, client in enumerate(clients)))
    return clients


async def pacewise_load(base_url: str, patients: int, seconds: float,
                        pace: float) -> tuple[Run, Run]:
    """Flat out, then paced: each patient syncing and reading once every `pace` seconds."""
    clients = await sign_up(base_url, patients)
    try:
        phones = [Patient(client, index) for index, client in enumerate(clients)]
        await drive([phone.round for phone in phones], 1.0)  # warm up
        flat_out = await drive([phone.round for phone in phones], seconds)
        paced = await drive([phone.round for phone in phones], seconds, pace)
        return flat_out, paced
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))


# -- main ---------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measurement")
    parser.add_argument("--patients", type=int, default=50, help="concurrent patients (and "
                        "concurrent loops on the bare endpoint)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per server")
    parser.add_argument("--pace", type=float, default=5.0, help="seconds between the rounds "
                        "of one patient in the paced measurement")
    args = parser.parse_args()

    sys.path.insert(0, str(REPO))
    from app import migrate
    from app.config import Settings
    from bench.scratch_db import database
    from tests.live import server_environment

    with database() as database_url:
        engine_name = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
        migrate.upgrade(Settings(database_url=database_url))
        env = server_environment(database_url, "http://127.0.0.1")
        load = os.getloadavg()[0]
        print(f"Pacewise load benchmark on {engine_name}: {args.patients} patients, "
              f"{args.workers} uvicorn workers, {args.seconds:.0f} s each "
              f"({os.cpu_count()} cores, Python {sys.version.split()[0]}, "
              f"load average {load:.1f} at start)")
        with uvicorn_server(["bench.load:bare"], "/bare", args.workers, env) as bare_url:
            baseline = asyncio.run(bare_load(bare_url, args.patients, args.seconds))
        with uvicorn_server(["app.main:create_app", "--factory"], "/healthz", args.workers,
                            env) as url:
            measured, paced = asyncio.run(pacewise_load(url, args.patients, args.seconds,
                                                        args.pace))

    print(describe("bare FastAPI JSON endpoint", baseline.latencies, len(baseline.errors),
                   baseline.seconds))
    for title, result in (("Pacewise flat out", measured),
                          (f"Pacewise, a round/{args.pace:g} s", paced)):
        print(describe(title, result.latencies, len(result.errors), result.seconds))
        for kind in ("push", "pull", "list"):
            tally = result.tally(kind)
            print(describe(f"  {kind}", tally.latencies, len(tally.errors), result.seconds))
    errors = measured.errors + paced.errors + baseline.errors
    for error in sorted(set(errors))[:10]:
        print(f"  error: {error}")

    bare_rate = len(baseline.latencies) / baseline.seconds
    pushes = len(measured.tally("push").latencies)
    rate = (pushes + len(measured.tally("pull").latencies)) / measured.seconds
    p95 = percentile(paced.latencies, 95) * 1000
    print(f"mutations applied ≈ {pushes * (BATCH_NEW + 2) / measured.seconds:.0f}/s; "
          f"ratio sync req/s ÷ bare req/s = {rate / bare_rate:.2f} (bar ≥ 0.25)")
    checks = {"no errors": not errors, f"p95 < 100 ms (paced: {p95:.0f} ms)": p95 < 100,
              "sync req/s ≥ ¼ of bare (flat out)": rate >= bare_rate / 4}
    print("bars: " + "; ".join(f"{name} {'met' if ok else 'NOT MET'}"
                                for name, ok in checks.items()))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
