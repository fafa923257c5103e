"""Migrations: an empty database upgrades to head, and the models agree with it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from app import migrate
from app.db import make_engine
from tests.conftest import make_settings


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
