"""What the stream shows: the question "now answering", put up and taken down by the
moderator, read by the login-free overlay page through its token.

Only an approved question can go on screen. ``next_up`` picks the approved question whose
cluster has the most votes (the earliest asked among equals) that has not been on screen;
``answered`` takes the question down as it records its time in the recording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hustings.errors import ConflictError, NotFoundError
from hustings.qa._queue import answer, get_event
from hustings.store.schema import qa_events, qa_log, qa_questions, qa_votes

__all__ = ["OnScreen", "clear", "next_up", "on_screen", "show", "take_down_answered"]


@dataclass(frozen=True)
class OnScreen:
    """What the overlay shows; ``question_id`` ``None`` when the screen is clear."""

    question_id: int | None
    text: str = ""
    author: str = ""
    source: str = ""
    votes: int = 0
    since: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "question_id": self.question_id,
            "text": self.text,
            "author": self.author,
            "source": self.source,
            "votes": self.votes,
            "since": self.since,
        }


def _put(conn: Connection, workspace_id: int, event_id: int, question_id: int | None) -> None:
    conn.execute(
        qa_events.update()
        .where(qa_events.c.id == event_id, qa_events.c.workspace_id == workspace_id)
        .values(current_question_id=question_id, current_since=datetime.now(UTC))
    )


def show(conn: Connection, workspace_id: int, event_id: int, question_id: int) -> None:
    """Put an approved question of the event on screen."""
    get_event(conn, workspace_id, event_id)
    row = conn.execute(
        select(qa_questions.c.status).where(
            qa_questions.c.id == question_id,
            qa_questions.c.workspace_id == workspace_id,
            qa_questions.c.event_id == event_id,
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no question {question_id} in this event")
    if row.status != "approved":
        raise ConflictError(f"only an approved question goes on screen; this one is {row.status}")
    _put(conn, workspace_id, event_id, question_id)
    conn.execute(
        qa_log.insert().values(
            workspace_id=workspace_id, event_id=event_id, question_id=question_id,
            action="shown", at=datetime.now(UTC),
        )
    )  # fmt: skip


def clear(conn: Connection, workspace_id: int, event_id: int) -> None:
    get_event(conn, workspace_id, event_id)
    _put(conn, workspace_id, event_id, None)


def next_up(conn: Connection, workspace_id: int, event_id: int) -> int | None:
    """Show the most-voted approved question not yet on screen, of a cluster not answered
    yet; ``None`` if none is left."""
    get_event(conn, workspace_id, event_id)
    votes = (
        select(qa_votes.c.cluster_id, func.count().label("n"))
        .where(qa_votes.c.workspace_id == workspace_id)
        .group_by(qa_votes.c.cluster_id)
        .subquery()
    )
    shown = select(qa_log.c.question_id).where(
        qa_log.c.event_id == event_id, qa_log.c.action == "shown"
    )
    # A rewording of a question already answered is answered too: skip its cluster.
    answered = select(qa_questions.c.cluster_id).where(
        qa_questions.c.event_id == event_id, qa_questions.c.status == "answered"
    )
    row = conn.execute(
        select(qa_questions.c.id)
        .outerjoin(votes, votes.c.cluster_id == qa_questions.c.cluster_id)
        .where(
            qa_questions.c.workspace_id == workspace_id,
            qa_questions.c.event_id == event_id,
            qa_questions.c.status == "approved",
            qa_questions.c.id.not_in(shown),
            qa_questions.c.cluster_id.not_in(answered),
        )
        .order_by(func.coalesce(votes.c.n, 0).desc(), qa_questions.c.id)
        .limit(1)
    ).first()
    if row is None:
        clear(conn, workspace_id, event_id)
        return None
    show(conn, workspace_id, event_id, int(row.id))
    return int(row.id)


def take_down_answered(
    conn: Connection, workspace_id: int, event_id: int, video_s: float | None
) -> None:
    """Mark the question on screen answered (at ``video_s``) and clear the screen."""
    event = conn.execute(
        select(qa_events.c.current_question_id).where(
            qa_events.c.id == event_id, qa_events.c.workspace_id == workspace_id
        )
    ).first()
    if event is None:
        raise NotFoundError(f"no event {event_id} in this workspace")
    if event.current_question_id is None:
        raise ConflictError("no question is on screen")
    answer(conn, workspace_id, int(event.current_question_id), video_s)
    clear(conn, workspace_id, event_id)


def on_screen(conn: Connection, overlay_token: str) -> OnScreen:
    """What the overlay of the event with ``overlay_token`` shows now."""
    event = conn.execute(
        select(qa_events.c.current_question_id, qa_events.c.current_since).where(
            qa_events.c.overlay_token == overlay_token
        )
    ).first()
    if event is None:
        raise NotFoundError("no such overlay")
    since = event.current_since.isoformat() if event.current_since else ""
    if event.current_question_id is None:
        return OnScreen(None, since=since)
    row = conn.execute(
        select(qa_questions).where(qa_questions.c.id == event.current_question_id)
    ).first()
    if row is None or row.status != "approved":
        return OnScreen(None, since=since)
    count = conn.execute(
        select(func.count()).where(qa_votes.c.cluster_id == row.cluster_id)
    ).scalar_one()
    return OnScreen(row.id, row.text, row.author or "Anonymous", row.source, int(count), since)
