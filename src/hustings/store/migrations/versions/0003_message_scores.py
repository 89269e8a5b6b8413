"""message scores from the offline classifiers (issue 4)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 02:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "message_scores",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("model_version", sa.String(length=16), nullable=False),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("message_id", "task", name="uq_message_scores"),
    )
    with op.batch_alter_table("message_scores", schema=None) as batch_op:
        batch_op.create_index("ix_message_scores_task", ["task", "label"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("message_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_message_scores_task")
    op.drop_table("message_scores")
