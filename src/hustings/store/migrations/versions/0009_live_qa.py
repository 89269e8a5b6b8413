"""live Q&A: events, questions, clusters, votes and the public moderation log (20)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qa_events",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("starts_at", _TS, nullable=False),
        sa.Column("ends_at", _TS, nullable=False),
        sa.Column("moderation", sa.String(length=8), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("overlay_token", sa.String(length=64), nullable=False),
        sa.Column("form_token", sa.String(length=64), nullable=False),
        sa.Column("current_question_id", sa.Integer(), nullable=True),
        sa.Column("current_since", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("overlay_token", name="uq_qa_events_overlay_token"),
        sa.UniqueConstraint("form_token", name="uq_qa_events_form_token"),
    )
    op.create_table(
        "qa_clusters",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["qa_events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "qa_questions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=255), nullable=True),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("original_text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dismiss_reason", sa.String(length=32), nullable=True),
        sa.Column("received_at", _TS, nullable=False),
        sa.Column("decided_at", _TS, nullable=True),
        sa.Column("answered_at", _TS, nullable=True),
        sa.Column("answered_video_s", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["qa_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cluster_id"], ["qa_clusters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "source", "source_id", name="uq_qa_questions_source"),
    )
    with op.batch_alter_table("qa_questions", schema=None) as batch_op:
        batch_op.create_index("ix_qa_questions_event", ["event_id", "status"], unique=False)
    op.create_table(
        "qa_votes",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=255), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["cluster_id"], ["qa_clusters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id", "voter", name="uq_qa_votes_voter"),
    )
    op.create_table(
        "qa_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["qa_events.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["question_id"], ["qa_questions.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("qa_log", schema=None) as batch_op:
        batch_op.create_index("ix_qa_log_event", ["event_id", "action"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qa_log", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_log_event")
    op.drop_table("qa_log")
    op.drop_table("qa_votes")
    with op.batch_alter_table("qa_questions", schema=None) as batch_op:
        batch_op.drop_index("ix_qa_questions_event")
    op.drop_table("qa_questions")
    op.drop_table("qa_clusters")
    op.drop_table("qa_events")
