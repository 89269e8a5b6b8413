"""Policy watch's tables (issue 21), on the store's one ``metadata``; ``schema`` re-exports them.

Everything here is a workspace's own: the sources it watches, the items they brought, each
item's archived versions, its topic coding and corrections, the alert rules and the alerts
they raised. Every table carries ``workspace_id`` and every query of ``hustings.policy``
filters on it, so another workspace's ids find nothing. Two workspaces watching the same
feed each keep their own copy: what one corrects or is alerted to is not the other's.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from hustings.store.schema import Id, UTCDateTime, _workspace_id, metadata

__all__ = [
    "policy_alert_rules",
    "policy_alerts",
    "policy_corrections",
    "policy_item_versions",
    "policy_items",
    "policy_sightings",
    "policy_sources",
]

# A feed, listing page, newsletter sender or account a workspace watches, for one party
# or person. ``kind`` is feed | listing | email | account; ``settings`` holds the per-kind
# rule (a listing's link XPath, a newsletter's connection and sender, an account's
# platform and handle); ``cursor`` where the last fetch stopped (a mailbox UID, a message
# id, a feed's ETag). ``status``/``last_error``/``moved_to`` feed the health listing.
policy_sources = Table(
    "policy_sources",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("kind", String(16), nullable=False),
    Column("name", String(255), nullable=False),
    Column("party", String(64), nullable=False),
    Column("author", String(255)),
    Column("url", Text),
    Column("settings", JSON, nullable=False),
    Column("cursor", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_error", Text),
    Column("moved_to", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("last_ok_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
)

# One announcement, however many sources brought it. ``url_key`` (the normalised URL) and
# ``text_key`` (a digest of the normalised title and opening text) find the same release
# arriving by feed and by e-mail. ``content_hash`` is of the current version; ``state`` is
# live | edited | deleted. The topic is the model's (``topic_by`` = "model") until a person
# corrects it ("human"); ``review`` marks a low-confidence item waiting in the queue.
policy_items = Table(
    "policy_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("source_id", Integer, ForeignKey("policy_sources.id", ondelete="SET NULL")),
    Column("party", String(64), nullable=False),
    Column("author", String(255)),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("url", Text),
    Column("url_key", String(64)),
    Column("text_key", String(64), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("published_at", UTCDateTime),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("state", String(16), nullable=False),
    Column("changed_at", UTCDateTime),
    Column("topic_code", Integer),
    Column("topic_confidence", Float),
    Column("topic_by", String(16)),
    Column("coded_at", UTCDateTime),
    Column("review", Boolean, nullable=False),
    Index("ix_policy_items_url", "workspace_id", "url_key"),
    Index("ix_policy_items_text", "workspace_id", "text_key"),
    Index("ix_policy_items_time", "workspace_id", "published_at"),
)

# Where a source carried an item, under the source's own id for it (a feed's guid, a
# Message-ID, a platform id): a re-fetch that meets the id again compares content; once the
# source no longer lists it, its page is checked for deletion and edits (``RECHECK``).
policy_sightings = Table(
    "policy_sightings",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("source_id", Integer, ForeignKey("policy_sources.id", ondelete="CASCADE"),
           nullable=False),
    Column("item_id", Integer, ForeignKey("policy_items.id", ondelete="CASCADE"),
           nullable=False),
    Column("external_id", String(512), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("gone_at", UTCDateTime),
    # An entry no longer listed is still watched on its own page for a while: the digest
    # of the page's text when last checked, and when.
    Column("page_hash", String(64)),
    Column("checked_at", UTCDateTime),
    UniqueConstraint("source_id", "external_id", name="uq_policy_sightings"),
)

# The evidence: every version of an item as fetched (the archived copy as it came, its
# hash), ``change`` first | edit | delete, with the time the change was seen.
policy_item_versions = Table(
    "policy_item_versions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("item_id", Integer, ForeignKey("policy_items.id", ondelete="CASCADE"),
           nullable=False),
    Column("change", String(8), nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("archive", Text),
    Column("content_hash", String(64), nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
    Index("ix_policy_item_versions_item", "item_id", "seen_at"),
)

# A person's correction of an item's topic: from what, to what, who and when; exported as
# labelled examples for the next training run.
policy_corrections = Table(
    "policy_corrections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("item_id", Integer, ForeignKey("policy_items.id", ondelete="CASCADE"),
           nullable=False),
    Column("old_code", Integer),
    Column("new_code", Integer, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("by", String(320), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

# "any party on topic T" (``any_party``), "party X on a topic we own" (``owned``: ``party``
# and ``topics``), "a party's first item on a new topic" (``first``). ``delivery`` is now |
# digest; ``email`` (with ``connection_id``, the workspace's e-mail connection that sends)
# is where mail goes; every alert is also shown in the app.
policy_alert_rules = Table(
    "policy_alert_rules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("kind", String(16), nullable=False),
    Column("party", String(64)),
    Column("topics", JSON, nullable=False),
    Column("delivery", String(8), nullable=False),
    Column("email", String(320)),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
)

# One rule matching one item, once. ``outbound_id`` is the e-mail that carried it (at once,
# or in a digest), through the exactly-once ``outbound`` table.
policy_alerts = Table(
    "policy_alerts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("rule_id", Integer, ForeignKey("policy_alert_rules.id", ondelete="CASCADE"),
           nullable=False),
    Column("item_id", Integer, ForeignKey("policy_items.id", ondelete="CASCADE"),
           nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("outbound_id", Integer, ForeignKey("outbound.id", ondelete="SET NULL")),
    Column("read_at", UTCDateTime),
    UniqueConstraint("rule_id", "item_id", name="uq_policy_alerts"),
)
