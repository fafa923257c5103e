"""`pacewise backup PATH`: a standalone, consistent SQLite copy taken while the app writes."""

from __future__ import annotations

import argparse
import sqlite3
import threading

import pytest
from sqlmodel import SQLModel

from app.cli import _backup
from app.db import make_engine
from tests.conftest import Browser, make_settings
from tests.factories import valid_fields


def test_a_backup_taken_while_patients_write_holds_every_row_committed_before_it(
    tmp_path, _shared_app, capsys
):
    settings = make_settings(f"sqlite:///{tmp_path / 'live.db'}")
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    _shared_app.state.settings, _shared_app.state.engine = settings, engine
    with Browser(_shared_app) as patient:
        patient.sign_up()
        for _ in range(20):
            assert patient.post("/api/v1/diary-entries",
                                json=valid_fields("diary_entry")).status_code == 201
        stop = threading.Event()

        def keep_writing() -> None:
            while not stop.is_set():
                patient.post("/api/v1/diary-entries", json=valid_fields("diary_entry"))

        writer = threading.Thread(target=keep_writing)
        writer.start()
        try:
            target = tmp_path / "copy" / "backup.db"
            assert _backup(settings, argparse.Namespace(path=str(target))) == 0
        finally:
            stop.set()
            writer.join()
    engine.dispose()

    assert "backed up" in capsys.readouterr().out
    assert not (tmp_path / "copy" / "backup.db-wal").exists()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        entries = copy.execute("SELECT count(*) FROM diary_entry").fetchone()[0]
        versions = copy.execute("SELECT version FROM patient_sync_state").fetchone()[0]
    finally:
        copy.close()
    assert entries >= 20
    assert versions == entries, "the copy is one consistent moment: counter and rows agree"


def test_a_backup_never_overwrites_an_existing_file(tmp_path):
    settings = make_settings(f"sqlite:///{tmp_path / 'live.db'}")
    engine = make_engine(settings)
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    existing = tmp_path / "there.db"
    existing.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        _backup(settings, argparse.Namespace(path=str(existing)))
    assert existing.read_bytes() == b"keep me"
