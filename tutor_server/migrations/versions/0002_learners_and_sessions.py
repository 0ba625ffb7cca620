"""Learners, lesson sessions, accepted answers and consented recordings.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "learners",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("public_id", sa.String(32), nullable=False, unique=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("display_name", sa.String(60), nullable=False),
        sa.Column("support_language", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("recovery_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("recording_consent", sa.Boolean(), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("streak_days", sa.Integer(), nullable=False),
        sa.Column("last_active_day", sa.String(10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_learners_group_id", "learners", ["group_id"])
    op.create_table(
        "lesson_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("pack_id", sa.String(100), nullable=True),
        sa.Column("lesson_id", sa.String(100), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_lesson_sessions_learner_id", "lesson_sessions", ["learner_id"])
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("lesson_sessions.id"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("session_id", "client_id"),
    )
    op.create_index("ix_attempts_session_id", "attempts", ["session_id"])
    op.create_table(
        "recordings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.Integer(), sa.ForeignKey("learners.id"), nullable=False),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("lesson_sessions.id"), nullable=False),
        sa.Column("step_index", sa.Integer(), nullable=False),
        sa.Column("wav", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_recordings_learner_id", "recordings", ["learner_id"])


def downgrade() -> None:
    for table in ("recordings", "attempts", "lesson_sessions", "learners"):
        op.drop_table(table)
