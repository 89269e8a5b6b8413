"""One queue of audience questions per event: intake, merging, votes, moderation, the log.

Every function takes the workspace's id and filters every statement on it, so another
workspace's event, question or cluster id is "not found" (``NotFoundError``), never a
difference a caller could observe. Surfaces (CLI, web) call these and run no SQL of their own.

A question arrives as ``received`` under pre-moderation, ``approved`` under
post-moderation, and ``held`` under either when the incivility pre-filter (``_civility``)
flags it: held, not deleted, until a moderator releases or dismisses it. The moderator
approves a question (its text edited or not: the asker's words are kept in
``original_text``), dismisses it with a reason from ``DISMISS_REASONS``, or marks it
answered at a time in the recording. Each act writes one row of the event's log, whose
counts (``moderation_log``) a campaign can publish to show it did not cherry-pick.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, func, select

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.qa._civility import uncivil
from hustings.qa._pairs import DuplicateModel, load_duplicates
from hustings.store.schema import (
    qa_clusters,
    qa_events,
    qa_log,
    qa_questions,
    qa_votes,
    workspaces,
)

__all__ = [
    "DISMISS_REASONS",
    "EXPORT_COLUMNS",
    "MODERATION_MODES",
    "REPLY_SOURCES",
    "SOURCES",
    "STATUSES",
    "Event",
    "Question",
    "add_question",
    "answer",
    "approve",
    "create_event",
    "dismiss",
    "event_by_form_token",
    "export_rows",
    "get_event",
    "get_question_event",
    "list_events",
    "list_questions",
    "moderation_log",
    "split",
    "vote",
    "workspace_named",
]

MODERATION_MODES: Final = ("pre", "post")
SOURCES: Final = ("web", "manual", "youtube", "facebook", "bluesky", "mastodon")
REPLY_SOURCES: Final = ("bluesky", "mastodon")
STATUSES: Final = ("received", "held", "approved", "dismissed", "answered")
DISMISS_REASONS: Final = (
    "off_topic",
    "duplicate",
    "abusive",
    "spam",
    "personal_data",
    "already_answered",
)
EXPORT_COLUMNS: Final = (
    "question_id",
    "cluster_id",
    "source",
    "author",
    "text",
    "original_text",
    "status",
    "dismiss_reason",
    "votes",
    "received_at",
    "answered_video_s",
)
_MAX_TEXT: Final = 2000
_MAX_NAME: Final = 255


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    moderation: str
    sources: tuple[str, ...]
    overlay_token: str
    form_token: str
    youtube_chat_id: str | None = None
    post: tuple[str, str] | None = None


@dataclass(frozen=True)
class Question:
    """A question as the moderator sees it; ``author`` ``None`` means anonymous."""

    id: int
    event_id: int
    cluster_id: int
    source: str
    author: str | None
    text: str
    original_text: str | None
    status: str
    dismiss_reason: str | None
    received_at: datetime
    answered_video_s: float | None
    votes: int


def _event(row: Any) -> Event:
    return Event(
        row.id,
        row.title,
        row.starts_at,
        row.ends_at,
        row.moderation,
        tuple(row.sources),
        row.overlay_token,
        row.form_token,
        row.youtube_chat_id,
        (row.post_platform, row.post_id) if row.post_platform else None,
    )


def create_event(
    conn: Connection,
    workspace_id: int,
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    moderation: str = "pre",
    sources: Sequence[str] = ("web", "manual"),
    youtube_chat_id: str | None = None,
    post: tuple[str, str] | None = None,
) -> Event:
    """A new event of the workspace, with a fresh unguessable overlay token;
    ``youtube_chat_id`` names the live chat ``hustings serve`` polls while it runs, and
    ``post`` (platform, post id) the Bluesky or Mastodon post whose replies are questions."""
    title = title.strip()
    if not title or len(title) > _MAX_NAME:
        raise InvalidInputError(f"an event needs a title of 1 to {_MAX_NAME} characters")
    if moderation not in MODERATION_MODES:
        raise InvalidInputError(f"moderation must be one of {', '.join(MODERATION_MODES)}")
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown or not sources:
        raise InvalidInputError(f"sources must be among {', '.join(SOURCES)}; got {unknown}")
    if ends_at <= starts_at:
        raise InvalidInputError("an event must end after it starts")
    youtube_chat_id = (youtube_chat_id or "").strip() or None
    if youtube_chat_id is not None and ("youtube" not in sources or len(youtube_chat_id) > 128):
        raise InvalidInputError("a YouTube chat id (up to 128 characters) needs the youtube source")
    if post is not None and (
        post[0] not in REPLY_SOURCES or post[0] not in sources or not 0 < len(post[1]) <= 512
    ):
        raise InvalidInputError(f"a post's replies need its platform ({', '.join(REPLY_SOURCES)}) "
                                "among the sources and its id")  # fmt: skip
    values = {
        "workspace_id": workspace_id,
        "title": title,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "moderation": moderation,
        "sources": list(dict.fromkeys(sources)),
        "overlay_token": secrets.token_urlsafe(32),
        "form_token": secrets.token_urlsafe(16),
        "youtube_chat_id": youtube_chat_id,
        "post_platform": post[0] if post else None,
        "post_id": post[1] if post else None,
        "created_at": _now(),
    }
    new_id = conn.execute(qa_events.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
    return get_event(conn, workspace_id, int(new_id))


def get_event(conn: Connection, workspace_id: int, event_id: int) -> Event:
    row = conn.execute(
        select(qa_events).where(
            qa_events.c.id == event_id, qa_events.c.workspace_id == workspace_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no event {event_id} in this workspace")
    return _event(row)


def event_by_form_token(conn: Connection, token: str) -> tuple[int, Event]:
    """The workspace and event whose public question form ``token`` names (the token is the
    whole capability: it comes from a link the campaign shared, not from a login)."""
    row = conn.execute(select(qa_events).where(qa_events.c.form_token == token)).first()
    if row is None:
        raise NotFoundError("no such question form")
    return int(row.workspace_id), _event(row)


def list_events(conn: Connection, workspace_id: int) -> list[Event]:
    rows = conn.execute(
        select(qa_events)
        .where(qa_events.c.workspace_id == workspace_id)
        .order_by(qa_events.c.starts_at, qa_events.c.id)
    )
    return [_event(r) for r in rows]


def _log(
    conn: Connection,
    workspace_id: int,
    event_id: int,
    question_id: int | None,
    action: str,
    reason: str | None = None,
) -> None:
    conn.execute(
        qa_log.insert().values(
            workspace_id=workspace_id,
            event_id=event_id,
            question_id=question_id,
            action=action,
            reason=reason,
            at=_now(),
        )
    )


def add_question(
    conn: Connection,
    workspace_id: int,
    event_id: int,
    text: str,
    source: str,
    author: str | None = None,
    source_id: str | None = None,
    model: DuplicateModel | None = None,
    hold: bool | None = None,
    author_id: str | None = None,
) -> Question:
    """Take one question into the event's queue and put it in its cluster.

    It joins the cluster of the most similar earlier question of the event when the
    duplicate model says they ask the same thing (logged ``merged``), else opens one. A
    message already taken from the same source (same ``source_id``) is returned as it is,
    so replaying a chat never adds a question twice. ``hold`` (default: the incivility
    pre-filter's verdict on ``text``) holds it for review whatever the moderation mode.
    ``author_id`` is the asker's id in the source (whom a follow-up goes to).
    """
    event = get_event(conn, workspace_id, event_id)
    text = text.strip()
    if not text or len(text) > _MAX_TEXT:
        raise InvalidInputError(f"a question needs 1 to {_MAX_TEXT} characters")
    if source not in event.sources:
        raise InvalidInputError(f"this event takes questions from {', '.join(event.sources)}")
    author = (author or "").strip()[:_MAX_NAME] or None
    if source_id is not None:
        existing = conn.execute(
            select(qa_questions.c.id).where(
                qa_questions.c.workspace_id == workspace_id,
                qa_questions.c.event_id == event_id,
                qa_questions.c.source == source,
                qa_questions.c.source_id == source_id,
            )
        ).scalar()
        if existing is not None:
            return _question(conn, workspace_id, int(existing))
    cluster_id = _cluster_for(conn, workspace_id, event_id, text, model or load_duplicates())
    merged = cluster_id is not None
    if cluster_id is None:
        inserted = conn.execute(
            qa_clusters.insert().values(
                workspace_id=workspace_id, event_id=event_id, created_at=_now()
            )
        )
        cluster_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    held = uncivil([text])[0] if hold is None else hold
    status = "held" if held else "received" if event.moderation == "pre" else "approved"
    inserted = conn.execute(
        qa_questions.insert().values(
            workspace_id=workspace_id,
            event_id=event_id,
            cluster_id=cluster_id,
            source=source,
            source_id=source_id,
            author=author,
            author_id=(author_id or "").strip()[:_MAX_NAME] or None,
            text=text,
            status=status,
            received_at=_now(),
        )
    )
    question_id = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    _log(conn, workspace_id, event_id, question_id, "received")
    if held:
        _log(conn, workspace_id, event_id, question_id, "held")
    if merged:
        _log(conn, workspace_id, event_id, question_id, "merged")
    return _question(conn, workspace_id, question_id)


def _cluster_for(
    conn: Connection, workspace_id: int, event_id: int, text: str, model: DuplicateModel
) -> int | None:
    rows = conn.execute(
        select(qa_questions.c.text, qa_questions.c.cluster_id)
        .where(
            qa_questions.c.workspace_id == workspace_id,
            qa_questions.c.event_id == event_id,
            qa_questions.c.status != "dismissed",
        )
        .order_by(qa_questions.c.id)
    ).all()
    if not rows:
        return None
    scores = model.scores([text] * len(rows), [r.text for r in rows])
    best = int(scores.argmax())
    return int(rows[best].cluster_id) if scores[best] >= model.threshold else None


def _question_row(conn: Connection, workspace_id: int, question_id: int) -> Any:
    row = conn.execute(
        select(qa_questions).where(
            qa_questions.c.id == question_id, qa_questions.c.workspace_id == workspace_id
        )
    ).first()
    if row is None:
        raise NotFoundError(f"no question {question_id} in this workspace")
    return row


def get_question_event(conn: Connection, workspace_id: int, question_id: int) -> int:
    """The event a question of the workspace belongs to."""
    return int(_question_row(conn, workspace_id, question_id).event_id)


def _votes(conn: Connection, workspace_id: int, cluster_ids: Sequence[int]) -> Counter[int]:
    rows = conn.execute(
        select(qa_votes.c.cluster_id, func.count())
        .where(qa_votes.c.workspace_id == workspace_id, qa_votes.c.cluster_id.in_(cluster_ids))
        .group_by(qa_votes.c.cluster_id)
    )
    return Counter({int(c): int(n) for c, n in rows})


def _as_question(row: Any, votes: int) -> Question:
    return Question(
        row.id,
        row.event_id,
        row.cluster_id,
        row.source,
        row.author,
        row.text,
        row.original_text,
        row.status,
        row.dismiss_reason,
        row.received_at,
        row.answered_video_s,
        votes,
    )


def _question(conn: Connection, workspace_id: int, question_id: int) -> Question:
    row = _question_row(conn, workspace_id, question_id)
    return _as_question(row, _votes(conn, workspace_id, [row.cluster_id])[row.cluster_id])


def list_questions(
    conn: Connection, workspace_id: int, event_id: int, status: str | None = None
) -> list[Question]:
    """The event's questions in arrival order, each with its cluster's votes."""
    get_event(conn, workspace_id, event_id)
    if status is not None and status not in STATUSES:
        raise InvalidInputError(f"status must be one of {', '.join(STATUSES)}")
    query = select(qa_questions).where(
        qa_questions.c.workspace_id == workspace_id, qa_questions.c.event_id == event_id
    )
    if status is not None:
        query = query.where(qa_questions.c.status == status)
    rows = conn.execute(query.order_by(qa_questions.c.id)).all()
    votes = _votes(conn, workspace_id, sorted({r.cluster_id for r in rows}))
    return [_as_question(r, votes[r.cluster_id]) for r in rows]


def _decide(conn: Connection, workspace_id: int, question_id: int, allowed: tuple[str, ...]) -> Any:
    row = _question_row(conn, workspace_id, question_id)
    if row.status not in allowed:
        raise ConflictError(f"question {question_id} is {row.status} already")
    return row


def approve(
    conn: Connection, workspace_id: int, question_id: int, text: str | None = None
) -> Question:
    """Approve a question (or release a held one), with its text edited if ``text`` differs
    (the original is kept)."""
    row = _decide(conn, workspace_id, question_id, ("received", "held", "approved"))
    values: dict[str, Any] = {"status": "approved", "decided_at": _now()}
    edited = text is not None and text.strip() and text.strip() != row.text
    if edited:
        assert text is not None
        if len(text.strip()) > _MAX_TEXT:
            raise InvalidInputError(f"a question needs 1 to {_MAX_TEXT} characters")
        values["text"] = text.strip()
        values["original_text"] = row.original_text or row.text
    conn.execute(qa_questions.update().where(qa_questions.c.id == row.id).values(**values))
    if edited:
        _log(conn, workspace_id, row.event_id, row.id, "edited")
    if row.status in ("received", "held"):
        _log(conn, workspace_id, row.event_id, row.id, "approved")
    return _question(conn, workspace_id, question_id)


def dismiss(conn: Connection, workspace_id: int, question_id: int, reason: str) -> Question:
    if reason not in DISMISS_REASONS:
        raise InvalidInputError(f"reason must be one of {', '.join(DISMISS_REASONS)}")
    row = _decide(conn, workspace_id, question_id, ("received", "held", "approved"))
    conn.execute(
        qa_questions.update()
        .where(qa_questions.c.id == row.id)
        .values(status="dismissed", dismiss_reason=reason, decided_at=_now())
    )
    _log(conn, workspace_id, row.event_id, row.id, "dismissed", reason)
    return _question(conn, workspace_id, question_id)


def answer(
    conn: Connection, workspace_id: int, question_id: int, video_s: float | None = None
) -> Question:
    """Mark an approved question answered, at ``video_s`` seconds into the recording."""
    if video_s is not None and video_s < 0:
        raise InvalidInputError("the video time cannot be negative")
    row = _decide(conn, workspace_id, question_id, ("approved",))
    conn.execute(
        qa_questions.update()
        .where(qa_questions.c.id == row.id)
        .values(status="answered", answered_at=_now(), answered_video_s=video_s)
    )
    _log(conn, workspace_id, row.event_id, row.id, "answered")
    return _question(conn, workspace_id, question_id)


def vote(conn: Connection, workspace_id: int, cluster_id: int, voter: str) -> bool:
    """Count ``voter``'s vote for the cluster; ``False`` when they had voted for it already."""
    found = conn.execute(
        select(qa_clusters.c.id).where(
            qa_clusters.c.id == cluster_id, qa_clusters.c.workspace_id == workspace_id
        )
    ).first()
    if found is None:
        raise NotFoundError(f"no question cluster {cluster_id} in this workspace")
    voter = voter.strip()
    if not voter or len(voter) > _MAX_NAME:
        raise InvalidInputError("a vote needs a voter")
    already = conn.execute(
        select(qa_votes.c.id).where(qa_votes.c.cluster_id == cluster_id, qa_votes.c.voter == voter)
    ).first()
    if already is not None:
        return False
    conn.execute(
        qa_votes.insert().values(
            workspace_id=workspace_id, cluster_id=cluster_id, voter=voter, created_at=_now()
        )
    )
    return True


def split(conn: Connection, workspace_id: int, question_id: int) -> Question:
    """Undo a wrong merge: move the question into a cluster of its own (votes stay put)."""
    row = _question_row(conn, workspace_id, question_id)
    others = conn.execute(
        select(func.count()).where(
            qa_questions.c.cluster_id == row.cluster_id, qa_questions.c.id != row.id
        )
    ).scalar()
    if not others:
        raise ConflictError(f"question {question_id} is alone in its cluster already")
    inserted = conn.execute(
        qa_clusters.insert().values(
            workspace_id=workspace_id, event_id=row.event_id, created_at=_now()
        )
    )
    new_cluster = int(inserted.inserted_primary_key[0])  # type: ignore[index]
    conn.execute(
        qa_questions.update().where(qa_questions.c.id == row.id).values(cluster_id=new_cluster)
    )
    _log(conn, workspace_id, row.event_id, row.id, "split")
    return _question(conn, workspace_id, question_id)


def moderation_log(conn: Connection, workspace_id: int, event_id: int) -> dict[str, Any]:
    """The counts a campaign can publish: received, held by the incivility pre-filter,
    merged, approved, edited, dismissed by reason (every reason listed, zeros included),
    answered and split."""
    get_event(conn, workspace_id, event_id)
    rows = conn.execute(
        select(qa_log.c.action, qa_log.c.reason, func.count())
        .where(qa_log.c.workspace_id == workspace_id, qa_log.c.event_id == event_id)
        .group_by(qa_log.c.action, qa_log.c.reason)
    ).all()
    acts = ("received", "held", "merged", "approved", "edited", "answered", "split")
    counts = dict.fromkeys(acts, 0)
    dismissed = dict.fromkeys(DISMISS_REASONS, 0)
    for action, reason, n in rows:
        if action == "dismissed":
            dismissed[reason] = dismissed.get(reason, 0) + int(n)
        else:
            counts[action] = counts.get(action, 0) + int(n)
    return {**counts, "dismissed": dismissed}


def workspace_named(conn: Connection, name: str) -> int:
    """The id of the workspace called ``name`` (for the CLI, which names workspaces)."""
    found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
    if found is None:
        raise NotFoundError(f"no workspace {name!r}")
    return int(found)


def export_rows(conn: Connection, workspace_id: int, event_id: int) -> list[dict[str, Any]]:
    """One row per question for the after-event export: who asked (or "Anonymous"), where,
    what (as shown, and as asked when edited), its status, votes, and for an answered
    question the second of the recording where the answer starts."""
    return [
        {
            "question_id": x.id,
            "cluster_id": x.cluster_id,
            "source": x.source,
            "author": x.author or "Anonymous",
            "text": x.text,
            "original_text": x.original_text,
            "status": x.status,
            "dismiss_reason": x.dismiss_reason,
            "votes": x.votes,
            "received_at": x.received_at.isoformat(),
            "answered_video_s": x.answered_video_s,
        }
        for x in list_questions(conn, workspace_id, event_id)
    ]
