"""Alembic environment: Pacewise's models, batch mode for SQLite, types compared."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import app.models  # noqa: F401 - registers every table on SQLModel.metadata
from app.config import Settings, get_settings
from app.db import make_engine
from app.models.base import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _settings() -> Settings:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    settings = get_settings()
    return settings.model_copy(update={"database_url": url}) if url else settings


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write plain SQLAlchemy types into revisions, so they never import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def _configure(**kwargs: Any) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_settings().database_url, literal_binds=True,
               dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


# Held for the migration's transaction on PostgreSQL: app processes starting together each
# run `pacewise serve`, which migrates first; one applies, the others wait and find nothing.
MIGRATION_LOCK = 7301


def _run(connection: sa.Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": MIGRATION_LOCK})
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_settings())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

__all__ = ["sa"]
