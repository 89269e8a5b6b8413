"""One entry for every act on an event, checked against the actor's part in it first.

The moderator's page, the JSON API and the CLI all call ``perform``, so a role that may not
approve cannot approve through any of them, and another workspace's event or question is
"not found" the same way everywhere.
"""

from __future__ import annotations

from typing import Final

from sqlalchemy import Connection

from hustings.errors import InvalidInputError
from hustings.qa._queue import add_question, approve, dismiss, get_question_event, split
from hustings.qa._roles import authorize
from hustings.qa._screen import clear, next_up, show, take_down_answered
from hustings.workspace import Actor

__all__ = ["ACTIONS", "perform"]

ACTIONS: Final = ("ask", "approve", "dismiss", "show", "split", "next", "clear", "answered")


def _seconds(video_s: str) -> float | None:
    try:
        return float(video_s) if video_s.strip() else None
    except ValueError as exc:
        raise InvalidInputError("the video time must be a number of seconds") from exc


def perform(
    conn: Connection,
    actor: Actor,
    event_id: int,
    action: str,
    question_id: int | None = None,
    text: str = "",
    reason: str = "",
    video_s: str = "",
    author: str = "",
) -> int | None:
    """Do ``action`` (one of ``ACTIONS``) at the event as ``actor``; return the question it
    touched, if one. ``ask`` enters ``text`` as a phone or e-mail question by ``author``."""
    if action not in ACTIONS:
        raise InvalidInputError(f"action must be one of {', '.join(ACTIONS)}")
    authorize(conn, actor, event_id, action)
    ws = actor.workspace_id
    if action == "ask":
        return add_question(conn, ws, event_id, text, "manual", author or None).id
    if action == "next":
        return next_up(conn, ws, event_id)
    if action == "clear":
        clear(conn, ws, event_id)
        return None
    if action == "answered":
        take_down_answered(conn, ws, event_id, _seconds(video_s))
        return None
    if question_id is None:
        raise InvalidInputError(f"{action} needs a question")
    if get_question_event(conn, ws, question_id) != event_id:
        raise InvalidInputError("that question belongs to another event")
    if action == "approve":
        approve(conn, ws, question_id, text or None)
    elif action == "dismiss":
        dismiss(conn, ws, question_id, reason)
    elif action == "show":
        show(conn, ws, event_id, question_id)
    else:
        split(conn, ws, question_id)
    return question_id
