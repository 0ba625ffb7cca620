"""Keep a session's planned steps apart from its progress, so an answer rewrites only the
small progress part; the learner's schedule and the steps load only where they are used.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

sessions = sa.table(
    "lesson_sessions",
    sa.column("id", sa.String(32)),
    sa.column("state", sa.JSON()),
    sa.column("steps", sa.JSON()),
)


def upgrade() -> None:
    with op.batch_alter_table("lesson_sessions") as batch:
        batch.add_column(sa.Column("steps", sa.JSON(), nullable=True))
    connection = op.get_bind()
    for row in connection.execute(sa.select(sessions.c.id, sessions.c.state)).all():
        progress = dict(row.state)
        steps = progress.pop("steps", [])
        connection.execute(
            sessions.update().where(sessions.c.id == row.id).values(state=progress, steps=steps)
        )
    with op.batch_alter_table("lesson_sessions") as batch:
        batch.alter_column("steps", existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(sessions.c.id, sessions.c.state, sessions.c.steps))
    for row in rows.all():
        connection.execute(
            sessions.update()
            .where(sessions.c.id == row.id)
            .values(state={**row.state, "steps": row.steps})
        )
    with op.batch_alter_table("lesson_sessions") as batch:
        batch.drop_column("steps")
