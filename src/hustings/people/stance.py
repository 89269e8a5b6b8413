"""Stance history: every judgement of where a person stands, with who made it and why.

Entries are never edited; a new judgement is a new entry. The *current* stance is the
latest staff entry, else the latest model entry, else the latest self-declared one, else
unknown: a person who talked to a volunteer outranks a classifier, and a classifier's
reading of what someone wrote outranks an old form field. It is cached on ``people.stance``
so that inbox filters by stance stay one indexed comparison.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select

from hustings.inbox.errors import InvalidInputError, NotFoundError
from hustings.inbox.workspaces import Actor, Role, audit
from hustings.people.core import Stance, get_person_row
from hustings.store.schema import inbox_items, messages, people, stance_entries, users

__all__ = ["StanceSource", "current_stance", "record_stance", "refresh_stance", "stance_history"]


class StanceSource(StrEnum):
    STAFF = "staff"
    MODEL = "model"
    SELF_DECLARED = "self_declared"


_PRECEDENCE = (StanceSource.STAFF, StanceSource.MODEL, StanceSource.SELF_DECLARED)


def current_stance(entries: list[dict[str, Any]]) -> Stance:
    """The latest entry of the highest-precedence source that has any, else unknown."""
    for source in _PRECEDENCE:
        of_source = [e for e in entries if e["source"] == source.value]
        if of_source:
            latest = max(of_source, key=lambda e: (e["created_at"], e["id"]))
            return Stance(latest["value"])
    return Stance.UNKNOWN


def stance_history(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(stance_entries, users.c.email)
        .outerjoin(users, users.c.id == stance_entries.c.author_id)
        .where(stance_entries.c.person_id == person_id)
        .order_by(stance_entries.c.created_at, stance_entries.c.id)
    )
    return [
        {
            "id": r.id,
            "value": r.value,
            "source": r.source,
            "evidence_message_id": r.evidence_message_id,
            "confidence": r.confidence,
            "author": r.email,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def refresh_stance(conn: Connection, person_id: int) -> Stance:
    """Recompute and cache the current stance (after a new entry, a merge or an undo)."""
    stance = current_stance(stance_history(conn, person_id))
    conn.execute(people.update().where(people.c.id == person_id).values(stance=stance.value))
    return stance


def _check_evidence(conn: Connection, actor: Actor, person_id: int, message_id: int) -> None:
    """Evidence must be a message this workspace's inbox holds from this person."""
    found = conn.execute(
        select(messages.c.id)
        .join(inbox_items, inbox_items.c.message_id == messages.c.id)
        .where(
            messages.c.id == message_id,
            inbox_items.c.workspace_id == actor.workspace_id,
            inbox_items.c.person_id == person_id,
        )
    ).first()
    if found is None:
        raise NotFoundError(f"message {message_id} is not in this person's conversations")


def record_stance(
    conn: Connection,
    actor: Actor,
    person_id: int,
    value: Stance,
    source: StanceSource = StanceSource.STAFF,
    evidence_message_id: int | None = None,
    confidence: int | None = None,
) -> Stance:
    """Add a stance entry and return the person's current stance after it."""
    actor.require(Role.RESPONDER)
    get_person_row(conn, actor, person_id)
    if confidence is not None and not 0 <= confidence <= 100:
        raise InvalidInputError("confidence is a percentage from 0 to 100")
    if evidence_message_id is not None:
        _check_evidence(conn, actor, person_id, evidence_message_id)
    conn.execute(
        stance_entries.insert().values(
            workspace_id=actor.workspace_id,
            person_id=person_id,
            value=value.value,
            source=source.value,
            evidence_message_id=evidence_message_id,
            confidence=confidence,
            author_id=actor.user_id,
            created_at=datetime.now(UTC),
        )
    )
    audit(conn, actor, "person.stance", "person", person_id, {"value": value, "source": source})
    return refresh_stance(conn, person_id)
