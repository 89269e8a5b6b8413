"""plan: planned posts, the guard's verdicts, nudges (19)

Revision ID: 0008
Revises: 0006 (to be re-chained onto 0007, stance targets, when both are merged)
Create Date: 2026-12-07 20:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _workspace() -> sa.Column[int]:
    return sa.Column("workspace_id", sa.Integer(), nullable=False)


def _ws_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "planned_posts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        _workspace(),
        sa.Column("tracked_account_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("scheduled_at", _TS, nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("thread_parent_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("verdict", sa.String(length=8), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("overridden_by", sa.Integer(), nullable=True),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        _ws_fk(),
        sa.ForeignKeyConstraint(
            ["tracked_account_id"], ["tracked_accounts.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["thread_parent_id"], ["planned_posts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["overridden_by"], ["users.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["outbound_id"], ["outbound.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_planned_posts_state", "planned_posts", ["workspace_id", "state", "scheduled_at"]
    )
    op.create_table(
        "plan_verdicts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        _workspace(),
        sa.Column("tracked_account_id", sa.Integer(), nullable=True),
        sa.Column("planned_post_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(length=16), nullable=False),
        sa.Column("verdict", sa.String(length=8), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("post_at", _TS, nullable=False),
        sa.Column("judged_at", _TS, nullable=False),
        _ws_fk(),
        sa.ForeignKeyConstraint(
            ["tracked_account_id"], ["tracked_accounts.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["planned_post_id"], ["planned_posts.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_verdicts_workspace", "plan_verdicts", ["workspace_id", "judged_at"])
    op.create_index("ix_plan_verdicts_post", "plan_verdicts", ["planned_post_id"])
    op.create_index("ix_plan_verdicts_message", "plan_verdicts", ["message_id"])
    op.create_table(
        "plan_nudges",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        _workspace(),
        sa.Column("tracked_account_id", sa.Integer(), nullable=True),
        sa.Column("planned_post_id", sa.Integer(), nullable=True),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("broadcasts", sa.Integer(), nullable=False),
        sa.Column("replies", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("shown_at", _TS, nullable=False),
        sa.Column("decided_at", _TS, nullable=True),
        _ws_fk(),
        sa.ForeignKeyConstraint(
            ["tracked_account_id"], ["tracked_accounts.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["planned_post_id"], ["planned_posts.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_nudges_workspace", "plan_nudges", ["workspace_id", "shown_at"])


def downgrade() -> None:
    op.drop_index("ix_plan_nudges_workspace", table_name="plan_nudges")
    op.drop_table("plan_nudges")
    for name in ("ix_plan_verdicts_message", "ix_plan_verdicts_post", "ix_plan_verdicts_workspace"):
        op.drop_index(name, table_name="plan_verdicts")
    op.drop_table("plan_verdicts")
    op.drop_index("ix_planned_posts_state", table_name="planned_posts")
    op.drop_table("planned_posts")
