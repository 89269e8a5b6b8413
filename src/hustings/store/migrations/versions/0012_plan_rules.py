"""plan rules: a workspace's own quiet hours, blackout dates and daily maximum (19)

Revision ID: 0012
Revises: 0009 (the lead re-chains it onto the newest revision at merge)
Create Date: 2026-12-07 23:20:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "plan_rules",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("tracked_account_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["tracked_account_id"], ["tracked_accounts.id"], ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_plan_rules_workspace", "plan_rules", ["workspace_id", "tracked_account_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_plan_rules_workspace", table_name="plan_rules")
    op.drop_table("plan_rules")
