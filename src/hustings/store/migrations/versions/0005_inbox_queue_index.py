"""index the inbox queue: open items by due time, for the list the inbox shows (issue 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_OPEN = sa.text("status IN ('new', 'assigned')")


def upgrade() -> None:
    op.create_index(
        "ix_inbox_items_queue",
        "inbox_items",
        ["workspace_id", "due_at", sa.text("priority DESC"), "id"],
        unique=False,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_items_queue", table_name="inbox_items")
