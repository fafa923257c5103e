"""Engine and unit-of-work sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine.url import make_url
from sqlmodel import Session

from app.config import Settings
from app.errors import Busy

# Execution option naming a transaction that will write: on SQLite it begins with
# BEGIN IMMEDIATE so that the write lock is taken up front and a concurrent writer waits
# (busy_timeout) instead of failing half-way through when it upgrades a read lock.
WRITE = {"pacewise_write": True}


def make_engine(settings: Settings) -> Engine:
    """Create the engine for `settings.database_url`, with SQLite tuned for concurrent use."""
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite":
        return create_engine(
            url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
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
    )
    busy_timeout = settings.sqlite_busy_timeout_ms
    _WRITERS[engine] = _WriterQueue(busy_timeout / 1000)

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
    """One SQLite writer at a time per process, waiting in line on a lock.

    SQLite's own busy handler lets waiting writers sleep and poll with growing pauses, so
    under many concurrent pushes some lose again and again until busy_timeout runs out and
    answer 503. Queued here first, a process's writers take turns as soon as the lock is
    free, and only the processes themselves contend through SQLite. Reentrant, so a nested
    write in one thread behaves as it did before (SQLite's own timeout)."""

    def __init__(self, timeout_s: float) -> None:
        self.lock = threading.RLock()
        self.timeout_s = timeout_s

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self.lock.acquire(timeout=self.timeout_s):
            raise Busy("the database is busy; try again shortly")
        try:
            yield
        finally:
            self.lock.release()


_WRITERS: weakref.WeakKeyDictionary[Engine, _WriterQueue] = weakref.WeakKeyDictionary()


@contextmanager
def unit_of_work(engine: Engine, *, write: bool) -> Iterator[Session]:
    """Open a session whose work commits together at the end or not at all."""
    queue = _WRITERS.get(engine) if write else None
    if queue is None:
        with _session(engine, write=write) as session:
            yield session
        return
    with queue.turn(), _session(engine, write=True) as session:
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
