"""Tables of the operational store, written with SQLAlchemy Core.

Core rather than the ORM: importers write tens of thousands of rows a second with
``executemany``, and every table here is a plain record keyed by its natural key. The
Alembic migrations in ``migrations/versions`` create exactly these tables; a test compares
the two so that they cannot drift.

Who owns a message (``messages.workspace_id``; the whole model is in ``docs/security.md``,
"Tenancy model"):

- NULL: a **platform fact**, read from a platform file (``hustings import``) or by a
  connector. Every workspace may see it (subject to the privacy rule below) and none may
  change it: a push that meets it with other content is refused. Only an import changes it.
- A workspace's id: a row that **workspace typed or pushed**: an inbox reply or draft
  (``records.insert_own_message``) or a message sent to ``POST /api/messages``. Only that
  workspace sees it, files it, changes it (a later push of the same id) or erases it. An
  import never overwrites it, nor does another workspace's push; a workspace's deletion
  deletes it (``ON DELETE CASCADE``).

Every writer says who it is (``records.write_message_rows(owner=...)``) and changes only
rows with the same owner; same content elsewhere counts as unchanged, other content is a
conflict with its reason. Every reader for a workspace keeps to ``workspace_id IS NULL OR
workspace_id = :own`` (``inbox.sync.visible_to``); the thread view also shows private
messages (DMs, e-mail) only between the workspace's accounts and the item's correspondent.
Shared analyses (the audit's Parquet snapshot, ``hustings listen``) read platform facts only.
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
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeEngine

__all__ = [
    "UTCDateTime",
    "accounts",
    "follower_snapshots",
    "import_batches",
    "message_scores",
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


metadata: MetaData = MetaData()

Id: TypeEngine[int] = BigInteger().with_variant(Integer, "sqlite")

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
    # Who owns the row: see "Who owns a message" in this module's docstring.
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE")),
    UniqueConstraint("platform", "platform_id", name="uq_messages_platform_id"),
    Index("ix_messages_author_time", "platform", "author_id", "created_at"),
    Index("ix_messages_reply_to", "platform", "reply_to_id"),
    Index("ix_messages_conversation", "platform", "conversation_id"),
    # The inbox's thread view finds a conversation by root as well as by conversation id.
    Index("ix_messages_root", "platform", "root_id"),
    Index("ix_messages_workspace", "workspace_id"),
)

# One classifier's reading of one message (``hustings.nlp.enrich``): the chosen label, its
# probability, and which model version said so, so that a new version knows what to redo.
# ``task`` is ``stance:<target>`` for stance, which is always toward someone.
message_scores = Table(
    "message_scores",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("task", String(64), nullable=False),
    Column("label", String(32), nullable=False),
    Column("score", Float, nullable=False),
    Column("model", String(64), nullable=False),
    Column("model_version", String(16), nullable=False),
    Column("scored_at", UTCDateTime, nullable=False),
    UniqueConstraint("message_id", "task", name="uq_message_scores"),
    Index("ix_message_scores_task", "task", "label"),
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
    Column("country", String(64)),
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
    # The process running the batch while its status is "running": a second import of the
    # same file waits for it or refuses, naming it, instead of resuming a live batch.
    Column("pid", Integer),
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


# --- Workspaces, inbox and people (issue 5) -------------------------------------------
# Everything below belongs to one workspace (a party HQ, a riding campaign, an MP's office)
# and every query filters on ``workspace_id``: that column is the isolation boundary.
# Stance confidence is a whole percentage (0-100): what staff read and type.

__all__ += [
    "audit_log",
    "canned_replies",
    "connections",
    "erasures",
    "inbox_items",
    "inbox_notes",
    "inbox_replies",
    "login_attempts",
    "memberships",
    "outbound",
    "people",
    "person_identities",
    "person_merges",
    "person_notes",
    "person_stances",
    "person_tags",
    "saved_views",
    "sla_policies",
    "stance_entries",
    "stance_targets",
    "users",
    "web_sessions",
    "workspace_accounts",
    "workspaces",
]


def _workspace_id() -> Column[int]:
    """The owning workspace: deleting a workspace deletes everything it owns."""
    return Column(
        "workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("inbox_cursor", BigInteger, nullable=False, default=0),
    Column("round_robin_user_id", Integer),
    UniqueConstraint("name", name="uq_workspaces_name"),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    UniqueConstraint("email", name="uq_users_email"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    UniqueConstraint("workspace_id", "user_id", name="uq_memberships"),
)

workspace_accounts = Table(
    "workspace_accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column(
        "tracked_account_id",
        Integer,
        ForeignKey("tracked_accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    UniqueConstraint("workspace_id", "tracked_account_id", name="uq_workspace_accounts"),
)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    _workspace_id(),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    UniqueConstraint("token_hash", name="uq_web_sessions_token"),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("ok", Boolean, nullable=False),
    Index("ix_login_attempts_email", "email", "at"),
    Index("ix_login_attempts_ip", "ip", "at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("workspace_id", Integer, ForeignKey("workspaces.id", ondelete="CASCADE")),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("action", String(64), nullable=False),
    Column("target_type", String(32)),
    Column("target_id", Integer),
    Column("detail", JSON, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_audit_log_workspace", "workspace_id", "at"),
)

sla_policies = Table(
    "sla_policies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("name", String(255), nullable=False),
    Column("first_response_minutes", Integer, nullable=False),
    Column("next_response_minutes", Integer, nullable=False),
    Column("warn_minutes", Integer, nullable=False),
    Column("business_hours", JSON),
    Column("is_default", Boolean, nullable=False),
    UniqueConstraint("workspace_id", "name", name="uq_sla_policies_name"),
)

people = Table(
    "people",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("name", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("merged_into_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Index("ix_people_workspace", "workspace_id", "merged_into_id"),
)

person_identities = Table(
    "person_identities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("account_id", String(512), nullable=False),
    Column("handle", String(320)),
    Column("verified", Boolean, nullable=False),
    Column("linked", JSON, nullable=False),
    UniqueConstraint("workspace_id", "platform", "account_id", name="uq_person_identities"),
    Index("ix_person_identities_person", "person_id"),
)

# What a workspace tracks stance toward: its candidate, a policy, a party. A stance is
# always toward one of these, named: "support" alone does not say of what.
stance_targets = Table(
    "stance_targets",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("name", String(128), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("description", Text),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace_id", "name", name="uq_stance_targets_name"),
)

# ``target`` is the target's name as it was when the entry was made (history reads as it
# was written); ``examples`` is how many staff-confirmed examples a model entry's model had.
stance_entries = Table(
    "stance_entries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(128), nullable=False),
    Column("value", String(32), nullable=False),
    Column("source", String(16), nullable=False),
    Column("evidence_message_id", Integer, ForeignKey("messages.id", ondelete="SET NULL")),
    Column("confidence", Integer),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("examples", Integer),
    Index("ix_stance_entries_person", "person_id", "created_at"),
)

# The current stance of each person toward each target (``hustings.people.stance.refresh_stance``
# derives it from the entries): what lists show and inbox filters compare, one indexed row.
person_stances = Table(
    "person_stances",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("target", String(128), nullable=False),
    Column("value", String(32), nullable=False),
    Column("source", String(16), nullable=False),
    Column("since", UTCDateTime, nullable=False),
    UniqueConstraint("person_id", "target", name="uq_person_stances"),
    Index("ix_person_stances_filter", "workspace_id", "target", "value"),
)

person_tags = Table(
    "person_tags",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("tag", String(64), nullable=False),
    UniqueConstraint("person_id", "tag", name="uq_person_tags"),
)

person_notes = Table(
    "person_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

person_merges = Table(
    "person_merges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("kept_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("merged_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("moved", JSON, nullable=False),
    Column("by_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("undone_at", UTCDateTime),
)

erasures = Table(
    "erasures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("by_user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("erased_at", UTCDateTime, nullable=False),
    Column("counts", JSON, nullable=False),
)

inbox_items = Table(
    "inbox_items",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("tracked_account_id", Integer, ForeignKey("tracked_accounts.id", ondelete="SET NULL")),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL")),
    Column("channel", String(32), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("assignee_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("priority", Integer, nullable=False),
    Column("needs_reply", Boolean),
    Column("sla_policy_id", Integer, ForeignKey("sla_policies.id", ondelete="SET NULL")),
    Column("received_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("first_response_at", UTCDateTime),
    Column("last_response_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace_id", "message_id", name="uq_inbox_items_message"),
    Index("ix_inbox_items_status", "workspace_id", "status", "due_at"),
    Index("ix_inbox_items_assignee", "workspace_id", "assignee_id"),
    Index("ix_inbox_items_person", "person_id"),
    # "Is this message held by any workspace?" (erasure, tenancy checks) starts from the
    # message: without this index PostgreSQL scanned every item per message.
    Index("ix_inbox_items_message", "message_id"),
)
# The queue: open items in the order the inbox lists them (soonest due, undated last, then
# highest priority), so a page of fifty is read off the index instead of sorting every open
# item; closed items, the bulk of a long-lived inbox, are not in it at all.
Index(
    "ix_inbox_items_queue",
    inbox_items.c.workspace_id,
    inbox_items.c.due_at,
    inbox_items.c.priority.desc(),
    inbox_items.c.id,
    postgresql_where=text("status IN ('new', 'assigned')"),
    sqlite_where=text("status IN ('new', 'assigned')"),
)

inbox_notes = Table(
    "inbox_notes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("inbox_items.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

inbox_replies = Table(
    "inbox_replies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("inbox_items.id", ondelete="CASCADE"), nullable=False),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("status", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

canned_replies = Table(
    "canned_replies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("name", String(255), nullable=False),
    Column("body", Text, nullable=False),
    UniqueConstraint("workspace_id", "name", name="uq_canned_replies_name"),
)

saved_views = Table(
    "saved_views",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("filters", JSON, nullable=False),
    UniqueConstraint("workspace_id", "user_id", "name", name="uq_saved_views_name"),
)


# --- Live channels (issue 17) ---------------------------------------------------------
# A workspace's connection to one of its accounts on a platform. ``secret`` holds the
# credentials encrypted (``hustings.connectors.secrets``), never plain text; ``settings``
# holds what is not secret (server URL, handle, folder); ``cursor`` where the last
# incremental pull stopped. ``status``/``last_error`` feed the connection's health page.
connections = Table(
    "connections",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column(
        "tracked_account_id",
        Integer,
        ForeignKey("tracked_accounts.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("platform", String(32), nullable=False),
    Column("secret", Text),
    Column("settings", JSON, nullable=False),
    Column("cursor", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_error", Text),
    Column("last_attempt_at", UTCDateTime),
    Column("last_ok_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("workspace_id", "tracked_account_id", name="uq_connections_account"),
)

# Everything that leaves Hustings (an inbox reply, a planned post, an alert), recorded
# before it leaves and after: ``queued -> sending -> sent | failed``. ``idempotency_key`` is
# unique, so the same outward act can never be queued twice; a row left in ``sending`` by a
# crash is checked against the platform before any retry, so nothing is sent twice.
outbound = Table(
    "outbound",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("connection_id", Integer, ForeignKey("connections.id", ondelete="SET NULL")),
    Column("item_id", Integer, ForeignKey("inbox_items.id", ondelete="SET NULL")),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("platform_id", String(512)),
    Column("error", Text),
    Column("retry_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    UniqueConstraint("idempotency_key", name="uq_outbound_key"),
    Index("ix_outbound_state", "state", "retry_at"),
)


# The plan's tables live in their own module (this one had reached its size), on the same
# metadata; imported here so that every reader of the schema sees them.
from hustings.store.schema_plan import (  # noqa: E402
    plan_nudges,
    plan_rules,
    plan_verdicts,
    planned_posts,
)

__all__ += ["plan_nudges", "plan_rules", "plan_verdicts", "planned_posts"]
# --- Live Q&A (issue 20): in their own module, on this ``metadata`` ---------------------
from hustings.store.schema_qa import (  # noqa: E402
    qa_clusters,
    qa_event_roles,
    qa_events,
    qa_log,
    qa_questions,
    qa_votes,
)

__all__ += ["qa_clusters", "qa_event_roles", "qa_events", "qa_log", "qa_questions", "qa_votes"]

# --- Policy watch (issue 21): in their own module, on this ``metadata`` -----------------
from hustings.store.schema_policy import (  # noqa: E402
    policy_alert_rules,
    policy_alerts,
    policy_corrections,
    policy_item_versions,
    policy_items,
    policy_sightings,
    policy_sources,
)

__all__ += [
    "policy_alert_rules",
    "policy_alerts",
    "policy_corrections",
    "policy_item_versions",
    "policy_items",
    "policy_sightings",
    "policy_sources",
]
