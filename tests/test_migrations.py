"""Migrations: an empty database upgrades to head, and the models agree with it."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from app import migrate
from app.db import make_engine
from tests.conftest import ENGINES, make_settings, pg_schema
from tests.live import server_environment

PACEWISE = Path(__file__).resolve().parent.parent / ".venv" / "bin" / "pacewise"


def test_an_empty_database_upgrades_to_head_and_matches_the_models(database_url):
    settings = make_settings(database_url)
    migrate.upgrade(settings)

    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            differences = compare_metadata(context, SQLModel.metadata)
            assert differences == [], f"models and migrations disagree: {differences}"
            head = ScriptDirectory.from_config(migrate.alembic_config(settings)).get_current_head()
            assert context.get_current_revision() == head
            tables = set(sa.inspect(connection).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_migrations_have_one_head_and_downgrade_to_empty(database_url):
    settings = make_settings(database_url)
    config = migrate.alembic_config(settings)
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1

    migrate.upgrade(settings)
    command.downgrade(config, "base")
    engine = make_engine(settings)
    try:
        with engine.connect() as connection:
            left = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        assert left == set()
    finally:
        engine.dispose()
    migrate.upgrade(settings)  # and back up again, as a deploy after a rollback would


def test_every_constraint_and_index_has_a_name():
    unnamed = [
        f"{table.name}: {type(item).__name__}"
        for table in SQLModel.metadata.sorted_tables
        for item in (*table.constraints, *table.indexes)
        if not item.name
    ]
    assert unnamed == []


FIRST_RELEASE = "01c185646fc6"  # the initial schema: the oldest database in the field


def _example(column: sa.Column, made: dict[str, dict[str, object]], n: int) -> object:
    """A plausible value for `column` of the n-th seeded row; foreign keys point at the
    row seeded into the referenced table."""
    for key in column.foreign_keys:
        return made[key.column.table.name][key.column.name]
    kind = column.type
    if isinstance(kind, sa.Uuid):
        return uuid.uuid4()
    if isinstance(kind, sa.Boolean):
        return n % 2 == 0
    if isinstance(kind, sa.Integer):
        return n
    if isinstance(kind, sa.Float | sa.Numeric):
        return n + 0.5
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, n, 9, 30, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 1, n)
    if isinstance(kind, sa.JSON):
        return [f"item {n}"]
    length = getattr(kind, "length", None) or 40
    return f"{column.name} {n}"[:length]


def _snapshot(connection: sa.Connection, tables: list[sa.Table]) -> dict[str, list[tuple]]:
    return {table.name: sorted(tuple(str(value) for value in row) for row in
                               connection.execute(sa.select(*table.columns)))
            for table in tables}


def test_a_populated_first_release_database_upgrades_to_head_keeping_every_row(database_url):
    settings = make_settings(database_url)
    config = migrate.alembic_config(settings)
    command.upgrade(config, FIRST_RELEASE)
    engine = make_engine(settings)
    try:
        old = sa.MetaData()
        old.reflect(engine)
        tables = [t for t in old.sorted_tables if t.name != "alembic_version"]
        made: dict[str, dict[str, object]] = {}
        with engine.begin() as connection:
            for n, table in enumerate(tables, start=1):
                row = {column.name: _example(column, made, n) for column in table.columns}
                connection.execute(table.insert().values(row))
                made[table.name] = row
        with engine.connect() as connection:
            before = _snapshot(connection, tables)
        assert all(before.values()), "every table holds a row before the upgrade"

        migrate.upgrade(settings)

        with engine.connect() as connection:
            after = _snapshot(connection, tables)  # the old columns, read from the new schema
            head = MigrationContext.configure(connection).get_current_revision()
        assert head == ScriptDirectory.from_config(config).get_current_head()
        assert after == before
    finally:
        engine.dispose()


# One SQLite file is served by one process, which migrates before it forks: PostgreSQL only
# (CI always has it: conftest refuses CI=true without TEST_DATABASE_URL).
@pytest.mark.parametrize("engine_name", [name for name in ENGINES if name == "postgresql"])
def test_app_processes_starting_together_migrate_once_without_failing(engine_name):
    with pg_schema() as database_url:
        _migrate_together(database_url)


def _migrate_together(database_url: str) -> None:
    environment = server_environment(database_url, "http://127.0.0.1")
    starts = [subprocess.Popen([str(PACEWISE), "migrate"], env=environment,  # noqa: S603
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
              for _ in range(3)]
    outputs = [(process.returncode, out) for process in starts
               for out, _ in [process.communicate(timeout=120)]]

    assert [code for code, _ in outputs] == [0, 0, 0], outputs
    engine = make_engine(make_settings(database_url))
    try:
        with engine.connect() as connection:
            versions = connection.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        head = ScriptDirectory.from_config(
            migrate.alembic_config(make_settings(database_url))).get_current_head()
        assert versions == [(head,)]
    finally:
        engine.dispose()
