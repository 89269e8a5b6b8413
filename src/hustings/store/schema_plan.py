"""The plan's tables (issue 19), on the store's one ``metadata``: planned posts, the guard's
verdicts and the nudges. Everything here is a workspace's own."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from hustings.store.schema import Id, UTCDateTime, _workspace_id, metadata

__all__ = ["plan_nudges", "plan_rules", "plan_verdicts", "planned_posts"]

# --- Plan (issue 19) --------------------------------------------------------------------
# A workspace's own planned posts: drafts, scheduled and queued posts, threads (a reply to
# an earlier planned post by ``thread_parent_id``). ``verdict`` is the guard's latest
# verdict; a hold leaves only with ``override_reason`` set by a manager (also in the audit
# log). ``outbound_id`` links the post to the exactly-once send once it is queued there.
planned_posts = Table(
    "planned_posts",
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
    Column("text", Text, nullable=False),
    Column("scheduled_at", UTCDateTime),
    Column("state", String(16), nullable=False),
    Column("thread_parent_id", Integer, ForeignKey("planned_posts.id", ondelete="SET NULL")),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("verdict", String(8)),
    Column("override_reason", Text),
    Column("overridden_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("outbound_id", Integer, ForeignKey("outbound.id", ondelete="SET NULL")),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_planned_posts_state", "workspace_id", "state", "scheduled_at"),
)

# Every verdict the guard gave, on every path (``draft``, ``queue``, ``post``, ``reply``,
# ``sync`` for posts made outside Hustings, judged after the fact), before anything leaves.
plan_verdicts = Table(
    "plan_verdicts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("tracked_account_id", Integer, ForeignKey("tracked_accounts.id", ondelete="CASCADE")),
    Column("planned_post_id", Integer, ForeignKey("planned_posts.id", ondelete="CASCADE")),
    Column("message_id", Integer, ForeignKey("messages.id", ondelete="CASCADE")),
    Column("path", String(16), nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("findings", JSON, nullable=False),
    Column("post_at", UTCDateTime, nullable=False),
    Column("judged_at", UTCDateTime, nullable=False),
    Index("ix_plan_verdicts_workspace", "workspace_id", "judged_at"),
    Index("ix_plan_verdicts_post", "planned_post_id"),
    Index("ix_plan_verdicts_message", "message_id"),
)

# A nudge shown in the composer (the account broadcasts more than it answers and people
# wait), the waiting items offered, and what the user did: ``revised``, ``deferred``,
# ``answered`` (answered a waiting person instead) or ``posted_anyway``.
plan_nudges = Table(
    "plan_nudges",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("tracked_account_id", Integer, ForeignKey("tracked_accounts.id", ondelete="CASCADE")),
    Column("planned_post_id", Integer, ForeignKey("planned_posts.id", ondelete="SET NULL")),
    Column("item_ids", JSON, nullable=False),
    Column("broadcasts", Integer, nullable=False),
    Column("replies", Integer, nullable=False),
    Column("outcome", String(16)),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("shown_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Index("ix_plan_nudges_workspace", "workspace_id", "shown_at"),
)

# A workspace's own posting rules (quiet hours, blackout dates, a daily maximum), for one of
# its accounts or, with ``tracked_account_id`` NULL, for all of them. The guard applies them
# beside its built-in rules (``hustings.plan._user_rules``); ``settings`` holds the kind's
# fields (hours, days, dates, time zone, maximum).
plan_rules = Table(
    "plan_rules",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("tracked_account_id", Integer, ForeignKey("tracked_accounts.id", ondelete="CASCADE")),
    Column("kind", String(16), nullable=False),
    Column("settings", JSON, nullable=False),
    Column("note", Text),
    Column("created_by", Integer, ForeignKey("users.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_plan_rules_workspace", "workspace_id", "tracked_account_id"),
)
