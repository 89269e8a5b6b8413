"""A "+1" in a live chat is a vote: which cluster it is for, and who cast it.

Chat has no threads, so a line that is only an agreement marker ("+1", "same question",
"this ^", "me too", "good question") votes for the question last taken from the same chat
(what the viewer just read above it); a marker followed by ``@Name`` votes for that
author's latest question. A line that says more than that is not a vote: it goes through
question detection like any other line, and a rewording joins its cluster by merging.
The voter is the chat author's channel id (display names are not unique), so one person
counts once per cluster however often they type "+1" (``qa.vote``).
"""

from __future__ import annotations

import re
from typing import Final

from sqlalchemy import Connection, select

from hustings.qa._queue import vote
from hustings.store.schema import qa_questions

__all__ = ["chat_vote", "vote_marker"]

_MARKER: Final = re.compile(
    r"^\s*(?:\+\s*1+|same(?:\s+q(?:uestion)?)?(?:\s+here)?|this(?:\s*\^+)?|\^+|seconded"
    r"|i\s+second\s+(?:this|that)|me\s+too|good\s+(?:question|q)|i\s+want\s+to\s+know\s+too"
    r"|i'?d\s+like\s+to\s+know\s+too)\s*[!.]*\s*(?P<rest>@.*)?$",
    re.IGNORECASE,
)


def vote_marker(text: str) -> str | None:
    """For a "+1" line, ``""`` or the ``@Name...`` it points at; ``None`` for any other."""
    found = _MARKER.match(text)
    if found is None:
        return None
    return (found.group("rest") or "").strip()


def chat_vote(
    conn: Connection, workspace_id: int, event_id: int, source: str, text: str, voter: str
) -> int | None:
    """Count a "+1" line of ``source``'s chat as ``voter``'s vote; return the cluster voted
    for, ``None`` when the line is no vote or names no question of the event."""
    pointer = vote_marker(text)
    if pointer is None:
        return None
    rows = conn.execute(
        select(qa_questions.c.cluster_id, qa_questions.c.author)
        .where(
            qa_questions.c.workspace_id == workspace_id,
            qa_questions.c.event_id == event_id,
            qa_questions.c.source == source,
            qa_questions.c.status != "dismissed",
        )
        .order_by(qa_questions.c.id.desc())
        .limit(200)
    ).all()
    named = pointer[1:].strip().lower()
    for row in rows:
        if not named or (row.author and named.startswith(row.author.lower())):
            vote(conn, workspace_id, int(row.cluster_id), voter)
            return int(row.cluster_id)
    return None
