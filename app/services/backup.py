"""A consistent online copy of the SQLite store (design §7 `pacewise backup PATH`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine.url import make_url

from app.config import Settings


def sqlite_backup(settings: Settings, target: str | Path) -> int:
    """Copy the live database with SQLite's online backup API; return the pages copied.

    Writers keep working meanwhile. The copy is a standalone file in rollback-journal mode,
    so it needs no `-wal` beside it; an existing file at `target` is refused, never replaced.
    """
    source_path = make_url(settings.database_url).database
    if not source_path:
        raise ValueError("the database URL names no SQLite file")
    target = Path(target)
    if target.exists():
        raise FileExistsError(f"{target} exists; choose a new path")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True,
                             timeout=settings.sqlite_busy_timeout_ms / 1000)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=1024)
        copy.execute("PRAGMA journal_mode=DELETE")
        pages = int(copy.execute("PRAGMA page_count").fetchone()[0])
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"the copy at {target} failed its integrity check")
    finally:
        copy.close()
        source.close()
    return pages
