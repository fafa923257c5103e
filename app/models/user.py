"""People and their sign-in state: accounts, server-side sessions, sign-in attempts."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field

ROLES = ("patient", "clinician", "admin")


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    # Stored normalised (trimmed, lower case), which makes uniqueness case-insensitive.
    email: str = Field(max_length=254, unique=True, nullable=False)
    name: str = Field(max_length=120, nullable=False)
    role: str = Field(max_length=16, nullable=False)
    password_hash: str = Field(max_length=255, nullable=False)
    timezone: str = Field(default="UTC", max_length=64, nullable=False)
    disabled: bool = Field(default=False, nullable=False)
    created_at: datetime = timestamp_field()


class AuthSession(SQLModel, table=True):
    """A signed-in browser; only the SHA-256 of its random token is stored."""

    __tablename__ = "auth_session"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    created_at: datetime = timestamp_field()
    last_seen_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field()


class LoginAttempt(SQLModel, table=True):
    """One sign-in or registration attempt, kept for throttling across processes."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16, nullable=False)  # login · register
    email: str = Field(max_length=254, nullable=False)
    address: str = Field(max_length=64, nullable=False)
    success: bool = Field(nullable=False)
    at: datetime = timestamp_field()


class PasswordReset(SQLModel, table=True):
    """A one-time link to set a new password, printed by an admin (no mail server assumed)."""

    __tablename__ = "password_reset"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True, nullable=False)
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(nullable=True)
