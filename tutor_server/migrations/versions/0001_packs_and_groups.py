"""Packs (with their files and every item id ever shipped) and learner groups.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pack_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("pack_id", sa.String(100), nullable=False, index=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("pack_id", "checksum"),
    )
    op.create_table(
        "pack_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "pack_version_id", sa.Integer(), sa.ForeignKey("pack_versions.id"), nullable=False
        ),
        sa.Column("path", sa.String(300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.UniqueConstraint("pack_version_id", "path"),
    )
    op.create_index("ix_pack_files_pack_version_id", "pack_files", ["pack_version_id"])
    op.create_table(
        "packs",
        sa.Column("id", sa.String(100), primary_key=True),
        sa.Column(
            "current_version_id", sa.Integer(), sa.ForeignKey("pack_versions.id"), nullable=False
        ),
    )
    op.create_table(
        "pack_items",
        sa.Column("pack_id", sa.String(100), sa.ForeignKey("packs.id"), primary_key=True),
        sa.Column("item_id", sa.String(100), primary_key=True),
        sa.Column("fi", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "groups",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False, unique=True),
        sa.Column("recording_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "group_packs",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("groups.id"), primary_key=True),
        sa.Column("pack_id", sa.String(100), sa.ForeignKey("packs.id"), primary_key=True),
    )


def downgrade() -> None:
    for table in ("group_packs", "groups", "pack_items", "packs", "pack_files", "pack_versions"):
        op.drop_table(table)
