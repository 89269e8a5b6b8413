"""Live Q&A's tables (issue 20), on the store's one ``metadata``; ``schema`` re-exports them.

Every table carries its ``workspace_id``, not only the event: each query of ``hustings.qa``
filters on it directly, so another workspace's ids find nothing, and the tenancy suite's
``owned_rows`` covers these tables without a special case. Deleting a workspace or an event
deletes its questions, clusters, votes and log (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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

__all__ = ["qa_clusters", "qa_event_roles", "qa_events", "qa_log", "qa_questions", "qa_votes"]


def _event_id() -> Column[int]:
    return Column(
        "event_id", Integer, ForeignKey("qa_events.id", ondelete="CASCADE"), nullable=False
    )


# A town hall, AMA or debate-night stream. ``moderation`` is ``pre`` (a question waits for
# approval) or ``post`` (shown at once, dismissed after); ``sources`` lists where questions
# come from (``web``, ``manual``, ``youtube``, ``facebook``); ``overlay_token`` opens the login-free
# overlay page of this event and nothing else; ``form_token`` names its public question form
# (shared with the audience, so it must not be the overlay's).
qa_events = Table(
    "qa_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("title", String(255), nullable=False),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("ends_at", UTCDateTime, nullable=False),
    Column("moderation", String(8), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("overlay_token", String(64), nullable=False),
    Column("form_token", String(64), nullable=False),
    # The question on screen now (the overlay shows it), and since when; not a foreign key,
    # which would make events and questions refer to each other.
    Column("current_question_id", Integer),
    Column("current_since", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    # The YouTube live chat ``hustings serve`` polls while the event runs (``liveChatId``
    # from the broadcast's ``liveStreamingDetails.activeLiveChatId``); none: not polled.
    Column("youtube_chat_id", String(128)),
    # The event's announcement post on Bluesky or Mastodon, whose replies (pulled by that
    # platform's connector into ``messages``) are questions too; none: no reply source.
    Column("post_platform", String(32)),
    Column("post_id", String(512)),
    UniqueConstraint("overlay_token", name="uq_qa_events_overlay_token"),
    UniqueConstraint("form_token", name="uq_qa_events_form_token"),
)

# Who does what at one event (``hustings.qa.EVENT_ROLES``): the ``host`` runs it and names
# the others, a ``moderator`` approves, edits, dismisses, splits and puts questions on
# screen, an ``assistant`` types in phone and e-mail questions and reads the queue. A
# workspace manager or owner acts as host of every event of the workspace.
qa_event_roles = Table(
    "qa_event_roles",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    _event_id(),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("event_id", "user_id", name="uq_qa_event_roles"),
)

# Questions that ask the same thing; a question always belongs to one.
qa_clusters = Table(
    "qa_clusters",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    _event_id(),
    Column("created_at", UTCDateTime, nullable=False),
)

# One question as asked. ``original_text`` keeps the asker's words when a moderator edits
# them; ``status`` is received | held (the incivility pre-filter's, awaiting review) |
# approved | dismissed | answered; ``dismiss_reason`` comes
# from ``hustings.qa.DISMISS_REASONS``; ``answered_video_s`` is where in the recording the
# answer starts. ``source_id`` (a chat message's id) makes a replayed message land once.
qa_questions = Table(
    "qa_questions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    _event_id(),
    Column("cluster_id", Integer, ForeignKey("qa_clusters.id", ondelete="CASCADE"), nullable=False),
    Column("source", String(32), nullable=False),
    Column("source_id", String(255)),
    Column("author", String(255)),
    # The asker's id in the source (a YouTube channel id): whom an unanswered question's
    # follow-up is addressed to; none for the web form and manual entry.
    Column("author_id", String(255)),
    Column("text", Text, nullable=False),
    Column("original_text", Text),
    Column("status", String(16), nullable=False),
    Column("dismiss_reason", String(32)),
    Column("received_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("answered_at", UTCDateTime),
    Column("answered_video_s", Float),
    UniqueConstraint("event_id", "source", "source_id", name="uq_qa_questions_source"),
    Index("ix_qa_questions_event", "event_id", "status"),
)

# One vote per person per cluster: ``voter`` is a stable key for the person in the source
# they voted from (a web visitor's cookie digest, a chat author's channel id).
qa_votes = Table(
    "qa_votes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    Column("cluster_id", Integer, ForeignKey("qa_clusters.id", ondelete="CASCADE"), nullable=False),
    Column("voter", String(255), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("cluster_id", "voter", name="uq_qa_votes_voter"),
)

# The public moderation log: one row per act (received, merged, approved, edited,
# dismissed with its reason, answered, split), from which the published counts are made.
qa_log = Table(
    "qa_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    _workspace_id(),
    _event_id(),
    Column("question_id", Integer, ForeignKey("qa_questions.id", ondelete="SET NULL")),
    Column("action", String(16), nullable=False),
    Column("reason", String(32)),
    Column("detail", Text),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_qa_log_event", "event_id", "action"),
)
