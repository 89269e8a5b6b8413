"""Tables of the operational store, written with SQLAlchemy Core.

Core rather than the ORM: importers write tens of thousands of rows a second with
``executemany``, and every table here is a plain record keyed by its natural key. The
Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares
the two so that they cannot drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

__all__ = [
    "UTCDateTime",
    "accounts",
    "follower_snapshots",
    "import_batches",
    "messages",
    "metadata",
    "quarantine",
    "tracked_accounts",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out, on SQLite (which has no zones) as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} given to the store")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

Id = BigInteger().with_variant(Integer, "sqlite")

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("platform_id", String(255), nullable=False),
    Column("handle", String(255)),
    Column("handle_lower", String(255)),
    Column("display_name", Text),
    Column("description", Text),
    Column("followers", BigInteger),
    Column("following", BigInteger),
    Column("created_at", UTCDateTime),
    Column("verified", Boolean),
    Column("url", Text),
    Column("batch_id", Integer),
    UniqueConstraint("platform", "platform_id", name="uq_accounts_platform_id"),
    Index("ix_accounts_handle", "platform", "handle_lower"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("platform_id", String(512), nullable=False),
    Column("author_id", String(512), nullable=False),
    Column("author_handle", String(255)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("visibility", String(16), nullable=False),
    Column("reply_to_id", String(512)),
    Column("reply_to_account_id", String(512)),
    Column("reply_to_handle", String(255)),
    Column("reply_link", String(16)),
    Column("conversation_id", String(512)),
    Column("quote_of_id", String(512)),
    Column("repost_of_id", String(512)),
    Column("mentions", JSON, nullable=False),
    Column("hashtags", JSON, nullable=False),
    Column("urls", JSON, nullable=False),
    Column("language", String(16)),
    Column("client", String(255)),
    Column("subject", Text),
    Column("raw_source", Text),
    Column("raw_position", BigInteger),
    Column("raw_unit", String(16)),
    Column("partial", Boolean, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("batch_id", Integer),
    Column("root_id", String(512)),
    Column("depth", Integer),
    UniqueConstraint("platform", "platform_id", name="uq_messages_platform_id"),
    Index("ix_messages_author_time", "platform", "author_id", "created_at"),
    Index("ix_messages_reply_to", "platform", "reply_to_id"),
    Index("ix_messages_conversation", "platform", "conversation_id"),
)

follower_snapshots = Table(
    "follower_snapshots",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("account_id", String(255), nullable=False),
    Column("taken_at", UTCDateTime, nullable=False),
    Column("followers", BigInteger, nullable=False),
    UniqueConstraint("platform", "account_id", "taken_at", name="uq_follower_snapshots"),
)

tracked_accounts = Table(
    "tracked_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("handle", String(255), nullable=False),
    Column("handle_lower", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("name", Text),
    Column("party", Text),
    Column("district", Text),
    Column("office", Text),
    Column("country", String(8)),
    Column("platform_id", String(255)),
    Column("registry", Text),
    UniqueConstraint("platform", "handle_lower", name="uq_tracked_accounts_handle"),
)

import_batches = Table(
    "import_batches",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False),
    Column("format", String(64), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("status", String(16), nullable=False),
    Column("checkpoint", BigInteger, nullable=False),
    Column("counts", JSON, nullable=False),
    Index("ix_import_batches_fingerprint", "fingerprint", "format"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("import_batches.id", ondelete="CASCADE")),
    Column("fingerprint", String(64), nullable=False),
    Column("source", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("unit", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("excerpt", Text, nullable=False),
    UniqueConstraint("fingerprint", "position", "unit", "reason", name="uq_quarantine_place"),
)
