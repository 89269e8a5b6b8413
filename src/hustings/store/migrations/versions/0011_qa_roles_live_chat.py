"""live Q&A: event roles, chat and post to read, the asker's id for follow-ups (20)

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-07 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qa_event_roles",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["qa_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "user_id", name="uq_qa_event_roles"),
    )
    with op.batch_alter_table("qa_events") as batch:
        batch.add_column(sa.Column("youtube_chat_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("post_platform", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("post_id", sa.String(length=512), nullable=True))
    with op.batch_alter_table("qa_questions") as batch:
        batch.add_column(sa.Column("author_id", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("qa_questions") as batch:
        batch.drop_column("author_id")
    with op.batch_alter_table("qa_events") as batch:
        batch.drop_column("post_id")
        batch.drop_column("post_platform")
        batch.drop_column("youtube_chat_id")
    op.drop_table("qa_event_roles")
