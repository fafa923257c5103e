"""audit_event append-only: triggers refuse UPDATE and DELETE (security test 24)

PostgreSQL: a trigger function raises on every UPDATE and DELETE of an audit row, except
within an account erasure, whose transaction runs `SET LOCAL pacewise.erasing = 'on'`:
then rows may be deleted (ON DELETE CASCADE of `patient_id`) and `actor_id` may be
emptied with every other column unchanged (ON DELETE SET NULL of `actor_id`). TRUNCATE
raises always. Deployments use one database role, the table's owner, so this stops every
path through the app; a role that may run DDL can still drop the trigger, which keeping
the app on a non-owner role would close.

SQLite: a BEFORE UPDATE trigger aborts every UPDATE but that same emptying of `actor_id`.
DELETE stays possible, because erasure deletes the person's rows and SQLite has no session
setting a trigger could read. A later batch migration that rebuilds `audit_event` on SQLite
drops this trigger and must create it again.

The statements are written out here rather than imported, so that this revision stays as
it is when the models change (they are the same as `app.models.care.APPEND_ONLY`).

Revision ID: 9c2f4e1a7d35
Revises: 7b3e2d9a41c0
Create Date: 2026-11-28 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '9c2f4e1a7d35'
down_revision: str | Sequence[str] | None = '7b3e2d9a41c0'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('pacewise.erasing', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' THEN
            IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
               AND ROW(NEW.id, NEW.at, NEW.actor_role, NEW.patient_id, NEW.action,
                       NEW.resource, NEW.outcome, NEW.address)
                   IS NOT DISTINCT FROM
                   ROW(OLD.id, OLD.at, OLD.actor_role, OLD.patient_id, OLD.action,
                       OLD.resource, OLD.outcome, OLD.address) THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION USING ERRCODE = 'insufficient_privilege',
        MESSAGE = 'audit_event is append-only: ' || TG_OP || ' is refused';
END
$$""",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
]

SQLITE = [
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
FOR EACH ROW WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
    AND NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.actor_role IS OLD.actor_role
    AND NEW.patient_id IS OLD.patient_id AND NEW.action IS OLD.action
    AND NEW.resource IS OLD.resource AND NEW.outcome IS OLD.outcome
    AND NEW.address IS OLD.address)
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only: UPDATE is refused');
END""",
]


def upgrade() -> None:
    for statement in {'postgresql': POSTGRESQL, 'sqlite': SQLITE}[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event')
        op.execute('DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event')
        op.execute('DROP FUNCTION IF EXISTS audit_event_append_only()')
    else:
        op.execute('DROP TRIGGER IF EXISTS audit_event_append_only')
