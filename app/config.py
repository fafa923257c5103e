"""Settings: read from the environment once, through `get_settings()` only."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-secret-change-me"  # noqa: S105 - the value production refuses
KNOWN_INSTRUMENTS = ("peg", "psfs", "phq2", "gad2", "pgic")


class Settings(BaseSettings):
    """Every knob of a Pacewise installation; see README "Configuration"."""

    model_config = SettingsConfigDict(env_prefix="PACEWISE_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/pacewise.db",
        validation_alias="DATABASE_URL",
    )
    env: Literal["development", "production"] = "development"
    secret_key: str = DEV_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    allow_registration: bool = True
    instruments: str = ",".join(KNOWN_INSTRUMENTS)

    # Session lifetimes (design §6); tunable so that tests and stricter sites can shorten them.
    patient_session_days: int = Field(default=30, ge=1)
    clinician_idle_minutes: int = Field(default=30, ge=1)
    clinician_session_hours: int = Field(default=12, ge=1)
    # How long a SQLite writer waits for the write lock before the request gets a 503.
    sqlite_busy_timeout_ms: int = Field(default=5000, ge=0)

    @field_validator("instruments")
    @classmethod
    def _known_instruments(cls, value: str) -> str:
        names = [name.strip() for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in KNOWN_INSTRUMENTS]
        if unknown:
            raise ValueError(
                f"unknown instrument(s) {', '.join(unknown)}; "
                f"choose from {', '.join(KNOWN_INSTRUMENTS)}"
            )
        return ",".join(names)

    @model_validator(mode="after")
    def _production_needs_a_secret(self) -> Settings:
        if self.is_production and self.secret_key.strip() in ("", DEV_SECRET_KEY):
            raise ValueError(
                "PACEWISE_SECRET_KEY must be set to a long random value when "
                "PACEWISE_ENV=production (it is unset, empty or the development default)"
            )
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def enabled_instruments(self) -> tuple[str, ...]:
        return tuple(name for name in self.instruments.split(",") if name)

    @property
    def secure_cookies(self) -> bool:
        """Secure, `__Host-` cookies in production (TLS ends at the proxy) or behind https."""
        return self.is_production or self.base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
