"""policy watch: sources, items, sightings, versions, corrections, alert rules, alerts (21)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 23:30:00.000000
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = sa.DateTime(timezone=True)


def _ws() -> list[Any]:
    return [
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["workspace_id"], ["workspaces.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "policy_sources",
        *_ws(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("cursor", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("moved_to", sa.Text(), nullable=True),
        sa.Column("last_attempt_at", _TS, nullable=True),
        sa.Column("last_ok_at", _TS, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
    )
    op.create_table(
        "policy_items",
        *_ws(),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("party", sa.String(length=64), nullable=False),
        sa.Column("author", sa.String(length=255), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("url_key", sa.String(length=64), nullable=True),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", _TS, nullable=True),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("changed_at", _TS, nullable=True),
        sa.Column("topic_code", sa.Integer(), nullable=True),
        sa.Column("topic_confidence", sa.Float(), nullable=True),
        sa.Column("topic_by", sa.String(length=16), nullable=True),
        sa.Column("coded_at", _TS, nullable=True),
        sa.Column("review", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["policy_sources.id"], ondelete="SET NULL"),
    )
    op.create_index("ix_policy_items_url", "policy_items", ["workspace_id", "url_key"])
    op.create_index("ix_policy_items_text", "policy_items", ["workspace_id", "text_key"])
    op.create_index("ix_policy_items_time", "policy_items", ["workspace_id", "published_at"])
    op.create_table(
        "policy_sightings",
        *_ws(),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=512), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=False),
        sa.Column("gone_at", _TS, nullable=True),
        sa.Column("page_hash", sa.String(length=64), nullable=True),
        sa.Column("checked_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["source_id"], ["policy_sources.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["policy_items.id"], ondelete="CASCADE"),
        sa.UniqueConstraint("source_id", "external_id", name="uq_policy_sightings"),
    )
    op.create_table(
        "policy_item_versions",
        *_ws(),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("archive", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("seen_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["policy_items.id"], ondelete="CASCADE"),
    )
    op.create_index("ix_policy_item_versions_item", "policy_item_versions",
                    ["item_id", "seen_at"])
    op.create_table(
        "policy_corrections",
        *_ws(),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("old_code", sa.Integer(), nullable=True),
        sa.Column("new_code", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("by", sa.String(length=320), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["policy_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
    )
    op.create_table(
        "policy_alert_rules",
        *_ws(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("party", sa.String(length=64), nullable=True),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("connection_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["connection_id"], ["connections.id"], ondelete="SET NULL"),
    )
    op.create_table(
        "policy_alerts",
        *_ws(),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("outbound_id", sa.Integer(), nullable=True),
        sa.Column("read_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(["rule_id"], ["policy_alert_rules.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["policy_items.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["outbound_id"], ["outbound.id"], ondelete="SET NULL"),
        sa.UniqueConstraint("rule_id", "item_id", name="uq_policy_alerts"),
    )


def downgrade() -> None:
    for table in ("policy_alerts", "policy_alert_rules", "policy_corrections"):
        op.drop_table(table)
    op.drop_index("ix_policy_item_versions_item", table_name="policy_item_versions")
    op.drop_table("policy_item_versions")
    op.drop_table("policy_sightings")
    for index in ("ix_policy_items_url", "ix_policy_items_text", "ix_policy_items_time"):
        op.drop_index(index, table_name="policy_items")
    op.drop_table("policy_items")
    op.drop_table("policy_sources")
