"""Stance history: every judgement of where a person stands toward a named target, with who
made it and why.

A stance is always toward a target the workspace named (``hustings.people.targets``): its
candidate, a policy, a party. Entries are never edited; a new judgement is a new entry. The
*current* stance toward a target is the latest staff entry, else the latest model entry,
else the latest self-declared one, else unknown: a person who talked to a volunteer
outranks a classifier, and a classifier's reading of what someone wrote outranks an old
form field. It is kept per person and target in ``person_stances`` (one row each, unknown
being no row), so that lists show it and inbox filters compare it without reading history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, case, delete, exists, select, true

from hustings.errors import InvalidInputError, NotFoundError
from hustings.people.core import Stance, get_person_row, stances_of
from hustings.people.targets import ensure_target, resolve_target, same_name
from hustings.store.schema import (
    inbox_items,
    message_scores,
    messages,
    person_stances,
    stance_entries,
    stance_targets,
    users,
)
from hustings.workspace import Actor, Role, audit

__all__ = [
    "MODEL_ONLY",
    "USER_SOURCES",
    "Judgement",
    "StanceSource",
    "TargetStance",
    "current_stances",
    "record_judgements",
    "record_model_stances",
    "record_stance",
    "refresh_stance",
    "stance_history",
    "stances_of",
]


class StanceSource(StrEnum):
    """Who made a judgement. ``model`` entries are written only by the enrichment step
    (:func:`record_model_stances`, run by ``hustings nlp enrich``): a person cannot record a
    judgement that claims to be the classifier's."""

    STAFF = "staff"
    MODEL = "model"
    SELF_DECLARED = "self_declared"


USER_SOURCES = (StanceSource.STAFF, StanceSource.SELF_DECLARED)
"""The sources a signed-in user may record: their own judgement, or what the person said."""
MODEL_ONLY = "a model stance is written only by `hustings nlp enrich`, not by a person"


_PRECEDENCE = (StanceSource.STAFF, StanceSource.MODEL, StanceSource.SELF_DECLARED)


@dataclass(frozen=True, slots=True)
class TargetStance:
    """Where someone stands toward one target: what a recorded entry leaves current."""

    target: str
    value: Stance


def current_stances(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per target, the latest entry of the highest-precedence source that has any."""
    by_target: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        by_target.setdefault(e["target"], []).append(e)
    found: dict[str, dict[str, Any]] = {}
    for target, of_target in by_target.items():
        for source in _PRECEDENCE:
            of_source = [e for e in of_target if e["source"] == source.value]
            if of_source:
                found[target] = max(of_source, key=lambda e: (e["created_at"], e["id"]))
                break
    return found


def stance_history(conn: Connection, person_id: int) -> list[dict[str, Any]]:
    """Every entry about the person, oldest first, each naming its target."""
    rows = conn.execute(
        select(stance_entries, users.c.email)
        .outerjoin(users, users.c.id == stance_entries.c.author_id)
        .where(stance_entries.c.person_id == person_id)
        .order_by(stance_entries.c.created_at, stance_entries.c.id)
    )
    return [
        {
            "id": r.id,
            "target": r.target,
            "value": r.value,
            "source": r.source,
            "evidence_message_id": r.evidence_message_id,
            "confidence": r.confidence,
            "examples": r.examples,
            "author": r.email,
            "created_at": r.created_at,
        }
        for r in rows
    ]


def refresh_stance(conn: Connection, person_id: int) -> dict[str, Stance]:
    """Recompute the current stance per target (after a new entry, a merge or an undo)."""
    entries = stance_history(conn, person_id)
    conn.execute(delete(person_stances).where(person_stances.c.person_id == person_id))
    latest = current_stances(entries)
    if latest:
        workspace_id = conn.execute(
            select(stance_entries.c.workspace_id).where(stance_entries.c.person_id == person_id)
        ).scalar()
        conn.execute(
            person_stances.insert(),
            [
                {
                    "workspace_id": workspace_id,
                    "person_id": person_id,
                    "target": target,
                    "value": e["value"],
                    "source": e["source"],
                    "since": e["created_at"],
                }
                for target, e in sorted(latest.items())
            ],
        )
    return {target: Stance(e["value"]) for target, e in latest.items()}


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
    *,
    target: str | None = None,
) -> TargetStance:
    """Add a staff or self-declared stance entry toward ``target`` (one of the workspace's
    targets; none given: its default, see ``targets.default_target``); return the person's
    current stance toward that target after it.

    ``model`` is refused (:data:`MODEL_ONLY`): only :func:`record_model_stances` writes it.
    """
    actor.require(Role.RESPONDER)
    if source not in USER_SOURCES:
        raise InvalidInputError(MODEL_ONLY)
    get_person_row(conn, actor, person_id)
    if confidence is not None and not 0 <= confidence <= 100:
        raise InvalidInputError("confidence is a percentage from 0 to 100")
    if evidence_message_id is not None:
        _check_evidence(conn, actor, person_id, evidence_message_id)
    toward = resolve_target(conn, actor.workspace_id, target)
    conn.execute(
        stance_entries.insert().values(
            workspace_id=actor.workspace_id,
            person_id=person_id,
            target=toward,
            value=value.value,
            source=source.value,
            evidence_message_id=evidence_message_id,
            confidence=confidence,
            author_id=actor.user_id,
            created_at=datetime.now(UTC),
        )
    )
    audit(
        conn,
        actor,
        "person.stance",
        "person",
        person_id,
        {"target": toward, "value": value, "source": source},
    )
    return TargetStance(toward, refresh_stance(conn, person_id)[toward])


def record_model_stances(
    conn: Connection,
    task: str,
    workspace_id: int | None = None,
    *,
    target: str | None = None,
    examples: int | None = None,
) -> int:
    """Turn stored stance scores into the model's entries in people's stance histories.

    Every message of ``task`` (``stance:<target>``, scored by ``hustings nlp enrich``) that
    the inbox linked to a person and that the model read as ``favor`` or ``against`` becomes
    a ``model`` entry toward ``target`` (by default the name in ``task``): support or oppose,
    the message as evidence, the probability as the confidence, ``examples`` (how many
    staff-confirmed examples the model was adapted with, when known), dated when the message
    was written. The entry is toward the workspace's target of that name (any case); a
    workspace that never named it gets it named, so the entry still says toward what.
    ``none`` says nothing about the person, so it adds nothing. An entry already there with
    the same target, evidence and value is not repeated; a re-scored message read
    differently adds a new entry, as history should. ``workspace_id`` limits the entries to
    the one workspace whose candidate the target is. Returns how many entries were added.
    """
    name = target if target is not None else task.partition(":")[2]
    spellings = {n for n in conn.execute(select(stance_targets.c.name).distinct()).scalars()}
    spellings = {n for n in spellings if same_name(n, name)} or {name}
    value = case(
        (message_scores.c.label == "favor", Stance.SUPPORT.value), else_=Stance.OPPOSE.value
    )
    seen = exists().where(
        stance_entries.c.person_id == inbox_items.c.person_id,
        stance_entries.c.evidence_message_id == inbox_items.c.message_id,
        stance_entries.c.source == StanceSource.MODEL.value,
        stance_entries.c.target.in_(spellings),
        stance_entries.c.value == value,
    )
    rows = conn.execute(
        select(
            inbox_items.c.workspace_id,
            inbox_items.c.person_id,
            inbox_items.c.message_id,
            value.label("value"),
            message_scores.c.score,
            messages.c.created_at,
        )
        .join(message_scores, message_scores.c.message_id == inbox_items.c.message_id)
        .join(messages, messages.c.id == inbox_items.c.message_id)
        .where(
            and_(
                message_scores.c.task == task,
                message_scores.c.label.in_(["favor", "against"]),
                inbox_items.c.person_id.is_not(None),
                ~seen,
                true() if workspace_id is None else inbox_items.c.workspace_id == workspace_id,
            )
        )
    ).all()
    toward = {
        w: ensure_target(conn, w, name, "Judged by the stance model (hustings nlp enrich).")
        for w in sorted({r.workspace_id for r in rows})
    }
    if rows:
        conn.execute(
            stance_entries.insert(),
            [
                {
                    "workspace_id": r.workspace_id,
                    "person_id": r.person_id,
                    "target": toward[r.workspace_id],
                    "value": r.value,
                    "source": StanceSource.MODEL.value,
                    "evidence_message_id": r.message_id,
                    "confidence": round(100 * r.score),
                    "examples": examples,
                    "author_id": None,
                    "created_at": r.created_at,
                }
                for r in rows
            ],
        )
    for person_id in sorted({r.person_id for r in rows}):
        refresh_stance(conn, person_id)
    return len(rows)


@dataclass(frozen=True, slots=True)
class Judgement:
    """One judgement of a person toward a target, as a batch writer hands it over."""

    person_id: int
    value: Stance
    evidence_message_id: int
    created_at: datetime
    confidence: int | None = None


def record_judgements(
    conn: Connection,
    actor: Actor,
    target: str,
    source: StanceSource,
    judgements: list[Judgement],
    *,
    examples: int | None = None,
) -> int:
    """Add many entries toward one ``target`` from one ``source`` at once; return how many.

    For writers that judge in bulk and know when each judgement was made: a model run over
    a workspace's messages (``model``, with the ``examples`` it was adapted with) or a team's
    earlier judgements brought in (``staff``, authored by ``actor``). Each person must be
    the workspace's and each evidence message one of theirs in its inbox; a judgement
    already recorded (same person, target, source, evidence and value) is not repeated, so
    a writer may run again.
    """
    actor.require(Role.RESPONDER)
    toward = resolve_target(conn, actor.workspace_id, target)
    if not judgements:
        return 0
    pairs = {(j.person_id, j.evidence_message_id) for j in judgements}
    held = {
        (r.person_id, r.message_id)
        for r in conn.execute(
            select(inbox_items.c.person_id, inbox_items.c.message_id).where(
                inbox_items.c.workspace_id == actor.workspace_id,
                inbox_items.c.person_id.in_({p for p, _ in pairs}),
            )
        )
    }
    missing = sorted(pairs - held)
    if missing:
        person, message = missing[0]
        raise NotFoundError(f"message {message} is not in person {person}'s conversations")
    done = {
        (r.person_id, r.evidence_message_id, r.value)
        for r in conn.execute(
            select(
                stance_entries.c.person_id,
                stance_entries.c.evidence_message_id,
                stance_entries.c.value,
            ).where(
                stance_entries.c.workspace_id == actor.workspace_id,
                stance_entries.c.target == toward,
                stance_entries.c.source == source.value,
                stance_entries.c.person_id.in_({p for p, _ in pairs}),
            )
        )
    }
    fresh = [
        j for j in judgements if (j.person_id, j.evidence_message_id, j.value.value) not in done
    ]
    if fresh:
        conn.execute(
            stance_entries.insert(),
            [
                {
                    "workspace_id": actor.workspace_id,
                    "person_id": j.person_id,
                    "target": toward,
                    "value": j.value.value,
                    "source": source.value,
                    "evidence_message_id": j.evidence_message_id,
                    "confidence": j.confidence,
                    "examples": examples if source is StanceSource.MODEL else None,
                    "author_id": None if source is StanceSource.MODEL else actor.user_id,
                    "created_at": j.created_at,
                }
                for j in fresh
            ],
        )
        audit(
            conn,
            actor,
            "person.stances",
            None,
            None,
            {"target": toward, "source": source, "entries": len(fresh)},
        )
    for person_id in sorted({j.person_id for j in fresh}):
        refresh_stance(conn, person_id)
    return len(fresh)
