"""message ownership, wider registry fields, import locks, connections and outbound (16, 17)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 17:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workspace_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_messages_workspace", "workspaces", ["workspace_id"], ["id"], ondelete="CASCADE"
        )
        batch_op.create_index("ix_messages_workspace", ["workspace_id"], unique=False)
    with op.batch_alter_table("tracked_accounts", schema=None) as batch_op:
        batch_op.alter_column(
            "country", existing_type=sa.String(length=8), type_=sa.String(length=64)
        )
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
    # "strong_opposition" is 17 characters: PostgreSQL refused it, SQLite took it.
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column(
            "stance", existing_type=sa.String(length=16), type_=sa.String(length=32)
        )
    with op.batch_alter_table("stance_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "value", existing_type=sa.String(length=16), type_=sa.String(length=32)
        )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_items_message", ["message_id"], unique=False)
    op.create_table(
        "connections",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("tracked_account_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("secret", sa.Text(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", _TS, nullable=True),
        sa.Column("last_ok_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["tracked_account_id"], ["tracked_accounts.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("workspace_id", "tracked_account_id", name="uq_connections_account"),
    )
    op.create_table(
        "outbound",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.String(length=512), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("retry_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("sent_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["connection_id"], ["connections.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["item_id"], ["inbox_items.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbound_key"),
    )
    with op.batch_alter_table("outbound", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_state", ["state", "retry_at"], unique=False)


def downgrade() -> None:
    op.drop_table("outbound")
    op.drop_table("connections")
    with op.batch_alter_table("stance_entries", schema=None) as batch_op:
        batch_op.alter_column(
            "value", existing_type=sa.String(length=32), type_=sa.String(length=16)
        )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.alter_column(
            "stance", existing_type=sa.String(length=32), type_=sa.String(length=16)
        )
    with op.batch_alter_table("inbox_items", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_items_message")
    with op.batch_alter_table("import_batches", schema=None) as batch_op:
        batch_op.drop_column("pid")
    with op.batch_alter_table("tracked_accounts", schema=None) as batch_op:
        batch_op.alter_column(
            "country", existing_type=sa.String(length=64), type_=sa.String(length=8)
        )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_workspace")
        batch_op.drop_constraint("fk_messages_workspace", type_="foreignkey")
        batch_op.drop_column("workspace_id")
