"""The registry ties each design §3 entity to its table and schemas; they must agree."""

from __future__ import annotations

import pytest

from app.models.base import RecordColumns
from app.schemas.entities import ENTITIES

# Design §7: the wire names and their REST collections, as other programs rely on them.
CONTRACT = {
    "diary_entry": "diary-entries", "value": "values", "goal": "goals",
    "goal_checkin": "goal-checkins", "pacing_plan": "pacing-plans",
    "pacing_session": "pacing-sessions", "outcome_response": "outcome-responses",
    "performance_test": "performance-tests", "flare_plan": "flare-plans", "flare": "flares",
    "weekly_review": "weekly-reviews", "reminder": "reminders", "treatment": "treatments",
    "routine": "routines", "decision": "decisions", "care_note": "care-notes",
}  # fmt: skip


def test_every_entity_of_the_design_has_its_collection():
    assert {name: e.collection for name, e in ENTITIES.items()} == CONTRACT


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_table_columns_and_wire_fields_agree(name):
    entity = ENTITIES[name]
    columns = {c.name for c in entity.table.__table__.columns} - set(RecordColumns.model_fields)
    wire = set(entity.create.model_fields) - {"id"}
    assert wire - columns == set(), "fields with no column to keep them"
    assert columns - wire - set(entity.server_fields) == set(), "columns no client can fill"
    assert set(entity.update.model_fields) == wire
    public = set(entity.public.model_fields)
    assert {"id", "version", "deleted", "created_at", "updated_at"} <= public
    assert "patient_id" not in public and "author_id" not in public


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_the_client_can_never_send_server_fields(name):
    create = ENTITIES[name].create.model_fields
    for server_field in ("patient_id", "version", "deleted", "created_at", "updated_at",
                         *ENTITIES[name].server_fields):
        assert server_field not in create
