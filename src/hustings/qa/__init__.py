"""Live Q&A: keep the questions in a live chat, merge the ones that ask the same thing, and
run each event's queue (intake, votes, moderation, the public log: ``_queue``).

Both models are small numpy files shipped in the package (``models/``), trained by
``python -m hustings.qa.train`` from the shared chat sets; scoring needs neither
scikit-learn nor the shared data.

    >>> from hustings import qa
    >>> qa.load_detector().is_question(["when does the briefing start", "lol"])
    [True, False]
    >>> qa.load_duplicates().same(["What's wrong with the audio?"], ["what's wrong with the sound"])
    [True]
"""

from __future__ import annotations

from hustings.qa._act import ACTIONS, perform
from hustings.qa._chatvotes import chat_vote, vote_marker
from hustings.qa._civility import HOLD_OFFENSIVE, uncivil
from hustings.qa._cluster import Clusters, Placement
from hustings.qa._detect import QuestionDetector, load_detector
from hustings.qa._followup import FollowUps, file_unanswered
from hustings.qa._limits import AskLimiter
from hustings.qa._live import ENDED_STATES, LivePolling, YouTubeAccess
from hustings.qa._pairs import DuplicateModel, load_duplicates
from hustings.qa._queue import (
    DISMISS_REASONS,
    EXPORT_COLUMNS,
    MODERATION_MODES,
    REPLY_SOURCES,
    SOURCES,
    STATUSES,
    Event,
    Question,
    add_question,
    answer,
    approve,
    create_event,
    dismiss,
    event_by_form_token,
    export_rows,
    get_event,
    get_question_event,
    list_events,
    list_questions,
    moderation_log,
    split,
    vote,
    workspace_named,
)
from hustings.qa._replies import take_replies
from hustings.qa._roles import EVENT_ROLES, PERMISSIONS, authorize, event_role, list_roles, set_role
from hustings.qa._screen import OnScreen, clear, next_up, on_screen, show, take_down_answered

__all__ = [
    "ACTIONS",
    "DISMISS_REASONS",
    "ENDED_STATES",
    "EVENT_ROLES",
    "EXPORT_COLUMNS",
    "HOLD_OFFENSIVE",
    "MODERATION_MODES",
    "PERMISSIONS",
    "REPLY_SOURCES",
    "SOURCES",
    "STATUSES",
    "AskLimiter",
    "Clusters",
    "DuplicateModel",
    "Event",
    "FollowUps",
    "LivePolling",
    "OnScreen",
    "Placement",
    "Question",
    "QuestionDetector",
    "YouTubeAccess",
    "add_question",
    "answer",
    "approve",
    "authorize",
    "chat_vote",
    "clear",
    "create_event",
    "dismiss",
    "event_by_form_token",
    "event_role",
    "export_rows",
    "file_unanswered",
    "get_event",
    "get_question_event",
    "list_events",
    "list_questions",
    "list_roles",
    "load_detector",
    "load_duplicates",
    "moderation_log",
    "next_up",
    "on_screen",
    "perform",
    "set_role",
    "show",
    "split",
    "take_down_answered",
    "take_replies",
    "uncivil",
    "vote",
    "vote_marker",
    "workspace_named",
]
