"""Engine and unit-of-work sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlmodel import Session

from app import jsoncodec
from app.config import Settings
from app.errors import Busy

# Execution option naming a transaction that will write: on SQLite it begins with
# BEGIN IMMEDIATE so that the write lock is taken up front and a concurrent writer waits
# (busy_timeout) instead of failing half-way through when it upgrades a read lock.
WRITE = {"pacewise_write": True}


# How every engine writes and reads JSON columns: writing a record's small lists and
# objects with orjson instead of `json.dumps` was most of binding a 500-record push.
JSON_CODEC: dict[str, Any] = {"json_serializer": jsoncodec.dumps,
                              "json_deserializer": jsoncodec.loads}


def make_engine(settings: Settings) -> Engine:
    """Create the engine for `settings.database_url`, with SQLite tuned for concurrent use."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True,
            **JSON_CODEC,
        )

    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={
            "check_same_thread": False,
            "timeout": settings.sqlite_busy_timeout_ms / 1000,
            # Let SQLAlchemy, not the driver, emit BEGIN so that we can choose its kind.
            "isolation_level": None,
        },
        pool_size=10,
        max_overflow=20,
        # SQL parameters hold diary text: keep them out of error messages and logs.
        hide_parameters=True,
        **JSON_CODEC,
    )
    busy_timeout = settings.sqlite_busy_timeout_ms
    if url.database and url.database != ":memory:":
        _WRITERS[engine] = _WriterQueue(Path(f"{url.database}.writer"), busy_timeout / 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL with synchronous=NORMAL survives an application crash (kill -9) intact.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased health data is overwritten on disk, not merely unlinked (design §6).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get("pacewise_write"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class _WriterQueue:
    """One SQLite writer at a time, in line.

    SQLite's busy handler lets a waiting writer sleep and retry with pauses growing to
    100 ms, so under many concurrent pushes (and across worker processes) some writers lose
    again and again until busy_timeout runs out and answer 503. Here a process's writers
    queue on a semaphore (not a lock: FastAPI may end a unit of work on another thread than
    began it), and the head of each process's queue takes an exclusive `flock` of a file
    beside the database, tried every millisecond. A write nested in another waits out the
    timeout, as it would in SQLite itself."""

    def __init__(self, path: Path, timeout_s: float) -> None:
        self.path = path
        self.turns = threading.Semaphore(1)
        self.timeout_s = timeout_s
        self.fd: int | None = None

    @contextmanager
    def turn(self) -> Iterator[None]:
        deadline = time.monotonic() + self.timeout_s  # one timeout for both waits
        if not self.turns.acquire(timeout=self.timeout_s):
            raise Busy("the database is busy; try again shortly")
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_file(deadline)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.turns.release()

    def _lock_file(self, deadline: float) -> None:
        """Take the file lock, trying every millisecond: never blocked for good, so a
        holder that never lets go (another engine's write in this very thread) ends in
        503 like SQLite's own timeout, not in a hang."""
        assert self.fd is not None
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise Busy("the database is busy; try again shortly") from None
                time.sleep(0.001)


_WRITERS: weakref.WeakKeyDictionary[Engine, _WriterQueue] = weakref.WeakKeyDictionary()


@contextmanager
def unit_of_work(engine: Engine, *, write: bool) -> Iterator[Session]:
    """Open a session whose work commits together at the end or not at all."""
    queue = _WRITERS.get(engine) if write else None
    with queue.turn() if queue else nullcontext(), _session(engine, write=write) as session:
        yield session


@contextmanager
def _session(engine: Engine, *, write: bool) -> Iterator[Session]:
    bind = engine.execution_options(**WRITE) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
