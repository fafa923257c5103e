"""performance_test.with_helper: "someone was with me" during a self-recorded test

Revision ID: 7b3e2d9a41c0
Revises: 01c185646fc6
Create Date: 2026-11-27 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7b3e2d9a41c0'
down_revision: str | Sequence[str] | None = '01c185646fc6'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('performance_test', schema=None) as batch_op:
        batch_op.add_column(sa.Column('with_helper', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('performance_test', schema=None) as batch_op:
        batch_op.drop_column('with_helper')
