"""Run Alembic from Python: `pacewise serve` and `pacewise migrate` both call this."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.config import Settings


def _root() -> Path:
    for candidate in (Path(__file__).resolve().parent.parent, Path.cwd()):
        if (candidate / "migrations" / "env.py").exists():
            return candidate
    raise RuntimeError("cannot find the migrations/ folder next to the app package")


def alembic_config(settings: Settings) -> Config:
    root = _root()
    config = Config(str(root / "alembic.ini"))
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["database_url"] = settings.database_url
    return config


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(settings), revision)
