"""Every table, imported once so that `SQLModel.metadata` knows them all."""

from app.models.base import RecordColumns, utcnow
from app.models.care import AuditEvent, CareLink
from app.models.careplan import CareNote, Decision, Routine, Treatment
from app.models.diary import DiaryEntry
from app.models.flare import Flare, FlarePlan
from app.models.outcomes import OutcomeResponse, PerformanceTest
from app.models.pacing import PacingPlan, PacingSession
from app.models.plan import Goal, GoalCheckin, Value
from app.models.review import Reminder, WeeklyReview
from app.models.sync import PatientSyncState, RecordRevision, SyncClient
from app.models.user import AuthSession, LoginAttempt, PasswordReset, User

__all__ = [
    "AuditEvent",
    "AuthSession",
    "CareLink",
    "CareNote",
    "Decision",
    "DiaryEntry",
    "Flare",
    "FlarePlan",
    "Goal",
    "GoalCheckin",
    "LoginAttempt",
    "OutcomeResponse",
    "PacingPlan",
    "PacingSession",
    "PasswordReset",
    "PatientSyncState",
    "PerformanceTest",
    "RecordColumns",
    "RecordRevision",
    "Reminder",
    "Routine",
    "SyncClient",
    "Treatment",
    "User",
    "Value",
    "WeeklyReview",
    "utcnow",
]
