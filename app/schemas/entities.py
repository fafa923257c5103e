"""The registry of patient-owned entities: one line each ties together the wire name,
the REST collection, the table and the three schemas (design §3 and §7)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel
from sqlmodel import SQLModel

from app import models
from app.schemas import careplan, diary, flare, outcomes, pacing, plan, review


@dataclass(frozen=True)
class Entity:
    name: str  # wire name, as in sync mutations and pulls
    collection: str  # REST path segment
    table: type[SQLModel]
    create: type[BaseModel]
    update: type[BaseModel]
    public: type[BaseModel]
    # The record's own date that REST lists are ordered and filtered by (else created_at).
    sort_field: str = "created_at"
    writable_by_patient: bool = True
    writable_by_clinician: bool = False
    # Fields the server sets itself; a client may not send them.
    server_fields: tuple[str, ...] = ()
    # Other records this one points at: field name -> entity name (must be the patient's own).
    references: dict[str, str] = field(default_factory=dict)


def _entity(name: str, collection: str, table: type[SQLModel], module: object, stem: str,
            **options: object) -> Entity:
    return Entity(
        name=name,
        collection=collection,
        table=table,
        create=getattr(module, f"{stem}Create"),
        update=getattr(module, f"{stem}Update"),
        public=getattr(module, f"{stem}Public"),
        **options,  # type: ignore[arg-type]
    )


ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        _entity("diary_entry", "diary-entries", models.DiaryEntry, diary, "DiaryEntry",
                sort_field="local_date"),
        _entity("value", "values", models.Value, plan, "Value"),
        _entity("goal", "goals", models.Goal, plan, "Goal"),
        _entity("goal_checkin", "goal-checkins", models.GoalCheckin, plan, "GoalCheckin",
                sort_field="local_date", references={"goal_id": "goal"}),
        _entity("pacing_plan", "pacing-plans", models.PacingPlan, pacing, "PacingPlan",
                references={"goal_id": "goal"}),
        _entity("pacing_session", "pacing-sessions", models.PacingSession, pacing,
                "PacingSession", sort_field="started_at",
                references={"plan_id": "pacing_plan"}),
        _entity("outcome_response", "outcome-responses", models.OutcomeResponse, outcomes,
                "OutcomeResponse", sort_field="local_date"),
        _entity("performance_test", "performance-tests", models.PerformanceTest, outcomes,
                "PerformanceTest", sort_field="local_date"),
        _entity("flare_plan", "flare-plans", models.FlarePlan, flare, "FlarePlan"),
        _entity("flare", "flares", models.Flare, flare, "Flare", sort_field="started_at"),
        _entity("weekly_review", "weekly-reviews", models.WeeklyReview, review,
                "WeeklyReview", sort_field="week_start"),
        _entity("reminder", "reminders", models.Reminder, review, "Reminder"),
        _entity("treatment", "treatments", models.Treatment, careplan, "Treatment"),
        _entity("routine", "routines", models.Routine, careplan, "Routine"),
        _entity("decision", "decisions", models.Decision, careplan, "Decision",
                writable_by_clinician=True, server_fields=("author_role", "author_id")),
        _entity("care_note", "care-notes", models.CareNote, careplan, "CareNote",
                writable_by_patient=False, writable_by_clinician=True,
                server_fields=("author_id", "author_name", "author_role")),
    )
}
BY_COLLECTION: dict[str, Entity] = {e.collection: e for e in ENTITIES.values()}
