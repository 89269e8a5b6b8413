"""Enrichment: score the stored messages with the offline classifiers, once per model version.

Why store scores rather than classify on demand: the audit (on a Parquet snapshot), the inbox
ordering and the CRM must all read the same judgement of a message, and a judgement written
down with its model's name and version can be checked later and redone exactly when the
model changes. So a run scores only the messages that have no score from the current version
of a task's model (``rescore`` redoes them all), in batches of ``batch_size`` committed one by
one: an interrupted run keeps what it finished and the next run carries on.

Reposts are skipped: their words are someone else's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import ColumnElement, Connection, and_, delete, exists, func, select

from hustings.errors import NlpError
from hustings.nlp._classifier import TASKS, Classifier, StanceClassifier, load
from hustings.store import Store
from hustings.store.schema import message_scores, messages, workspaces

__all__ = [
    "DEFAULT_TASKS",
    "ENRICH_BATCH",
    "EnrichTask",
    "enrich",
    "stance_task",
]

DEFAULT_TASKS: Final = ("needs_reply", "sentiment", "incivility", "topic")
ENRICH_BATCH: Final = 2000

Progress = Callable[[str, int, int], None]


def stance_task(target: str) -> str:
    """The stored task name of stance toward ``target``: stance always has an object."""
    return f"stance:{target.strip().lower()}"


@dataclass(frozen=True)
class EnrichTask:
    """One classifier to run over the store, with the name its scores are stored under."""

    key: str
    classifier: Classifier
    model: str
    version: str
    target: str | None = None
    examples: int | None = None
    """How many staff-confirmed examples the stance model had for its target: 0 when the
    shared head read it zero-shot; None for a target with a shipped head of its own."""

    @classmethod
    def of(
        cls,
        task: str,
        target: str | None = None,
        examples: tuple[Sequence[str], Sequence[str]] | None = None,
        description: str | None = None,
    ) -> EnrichTask:
        """The shipped model for ``task``; for stance, toward ``target`` (described by
        ``description``), adapted by ``examples``.

        A described or adapted stance model's version carries a digest of its description and
        examples, so that new ones make the next run re-score what the old ones scored.
        """
        if task not in TASKS:
            raise NlpError(f"unknown task {task!r}: choose one of {', '.join(TASKS)}")
        classifier = load(task)
        version = classifier.model_version
        if task != "stance":
            if target is not None or examples is not None or description is not None:
                raise NlpError(f"task {task!r} takes no target or examples (only stance does)")
            return cls(task, classifier, classifier.model_name, version)
        assert isinstance(classifier, StanceClassifier)
        if target is None:
            raise NlpError("stance needs a target: the candidate or party messages are about")
        classifier.head(target)  # an unknown target fails before any message is read
        own_head = classifier.has_own_head(target)
        if description is not None:
            classifier = classifier.describe(target, description)
        if examples is not None:
            classifier = classifier.adapt(target, *examples)
        if examples is not None or description is not None:
            given = (description, *(list(e) for e in examples or ()))
            digest = hashlib.sha256(repr(given).encode())
            version = f"{version}+{digest.hexdigest()[:10]}"
        count = len(examples[0]) if examples is not None else (None if own_head else 0)
        return cls(stance_task(target), classifier, classifier.model_name, version, target, count)


def _pending(task: EnrichTask, rescore: bool) -> ColumnElement[bool]:
    """Messages this task still has to score: all of them, or those without a current score."""
    wanted = messages.c.kind != "repost"
    if rescore:
        return wanted
    current = exists().where(
        message_scores.c.message_id == messages.c.id,
        message_scores.c.task == task.key,
        message_scores.c.model == task.model,
        message_scores.c.model_version == task.version,
    )
    return and_(wanted, ~current)


def _write(conn: Connection, task: EnrichTask, rows: Sequence[Any]) -> None:
    """Replace this task's scores of ``rows`` (delete then insert works on every dialect)."""
    ids = [r.id for r in rows]
    predictions = task.classifier.predict([r.text for r in rows], target=task.target)
    now = datetime.now(UTC)
    conn.execute(
        delete(message_scores).where(
            message_scores.c.task == task.key, message_scores.c.message_id.in_(ids)
        )
    )
    conn.execute(
        message_scores.insert(),
        [
            {
                "message_id": message_id,
                "task": task.key,
                "label": p.label,
                "score": p.score,
                "model": task.model,
                "model_version": task.version,
                "scored_at": now,
            }
            for message_id, p in zip(ids, predictions, strict=True)
        ],
    )


def _run(
    store: Store, task: EnrichTask, rescore: bool, batch_size: int, progress: Progress | None
) -> int:
    pending = _pending(task, rescore)
    with store.engine.connect() as conn:
        total = int(conn.execute(select(func.count()).where(pending)).scalar_one())
    done, last = 0, 0
    while done < total:
        with store.begin() as conn:
            rows = conn.execute(
                select(messages.c.id, messages.c.text)
                .where(pending, messages.c.id > last)
                .order_by(messages.c.id)
                .limit(batch_size)
            ).all()
            if not rows:
                break
            _write(conn, task, rows)
        done += len(rows)
        last = rows[-1].id
        if progress is not None:
            progress(task.key, done, total)
    return done


def enrich(
    store: Store,
    tasks: Sequence[EnrichTask],
    *,
    rescore: bool = False,
    batch_size: int = ENRICH_BATCH,
    workspace: str | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Score every message that lacks a current score for each task; return how many, per task.

    Stance scores also become the model's entries in the stance history of each person the
    inbox linked to a scored message (see ``hustings.people.stance.record_model_stances``):
    in ``workspace`` (by name) only, when given, else in every workspace.
    """
    from hustings.people.stance import record_model_stances  # the CRM is optional here

    if batch_size < 1:
        raise NlpError("batch size must be at least 1")
    workspace_id = _workspace_id(store, workspace)
    scored: dict[str, int] = {}
    for task in tasks:
        scored[task.key] = _run(store, task, rescore, batch_size, progress)
        if task.target is not None:
            with store.begin() as conn:
                record_model_stances(
                    conn, task.key, workspace_id, target=task.target, examples=task.examples
                )
    return scored


def _workspace_id(store: Store, name: str | None) -> int | None:
    if name is None:
        return None
    with store.engine.connect() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).scalar()
    if found is None:
        raise NlpError(f"no workspace named {name!r}")
    return int(found)
