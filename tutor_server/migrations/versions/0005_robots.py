"""Robots with their own credentials, robot sessions, pairing codes; guests and picking a
name on a robot's screen.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): on SQLite, copying a table that other rows refer
    # to fails its foreign keys.
    op.add_column(
        "groups",
        sa.Column("robot_name_pick", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "learners", sa.Column("guest", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.create_table(
        "robots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(63), nullable=False, unique=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_robots_group_id", "robots", ["group_id"])
    op.create_table(
        "robot_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("robot_id", sa.Integer(), sa.ForeignKey("robots.id"), nullable=False),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_active_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(32), nullable=True),
    )
    op.create_index("ix_robot_sessions_robot_id", "robot_sessions", ["robot_id"])
    op.create_table(
        "pairing_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column(
            "learner_id",
            sa.Integer(),
            sa.ForeignKey("learners.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("pairing_codes")
    op.drop_index("ix_robot_sessions_robot_id", "robot_sessions")
    op.drop_table("robot_sessions")
    op.drop_index("ix_robots_group_id", "robots")
    op.drop_table("robots")
    # SQLite 3.35+ drops a column in place; a batch copy would trip the foreign keys.
    op.execute("ALTER TABLE learners DROP COLUMN guest")
    op.execute("ALTER TABLE groups DROP COLUMN robot_name_pick")
