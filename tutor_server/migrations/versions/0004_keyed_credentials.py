"""Learners' tokens and recovery codes as keyed hashes (HMAC with the server's secret), and
tokens that expire (a signed-out learner's token hash is a value no token hashes to).

Rows from before keep their plain SHA-256 hashes, marked ``credentials_version`` 1; a learner's
next sign-in with such a token or code rehashes it with the key (version 2), so nobody is
signed out by the upgrade.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learners") as batch:
        batch.add_column(
            sa.Column("credentials_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch.add_column(sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Not batch mode: recreating the learners table would break the sessions' foreign keys
    # on SQLite, which drops a column in place since 3.35.
    op.drop_column("learners", "token_expires_at")
    op.drop_column("learners", "credentials_version")
