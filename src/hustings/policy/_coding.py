"""Topic coding: every new or edited item gets a CAP major topic with a confidence, from
``hustings.nlp.cap``; an item under ``LOW_CONFIDENCE`` waits in the review queue until a
person confirms or corrects it. Corrections are kept (from, to, who, when) and exported as
labelled examples for the next training run; a corrected item is never recoded by the
model, even when it is edited.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hustings.errors import InvalidInputError, NotFoundError
from hustings.store.schema import policy_corrections, policy_items
from hustings.workspace import Actor, Role, audit

__all__ = ["code_pending", "correct", "export_corrections", "topic_label", "topics"]

_OPENING = 600
"""How much of an item's text joins its title for the classifier: the lede carries the topic;
boilerplate ("###", contact lines) comes at the end."""


def topics() -> dict[int, str]:
    """CAP's major topics and 0, "No policy content", by code."""
    from hustings.nlp.cap import CAP_MAJORS

    return dict(CAP_MAJORS)


def topic_label(code: int | None) -> str:
    if code is None:
        return "not coded yet"
    return topics().get(code, f"topic {code}")


def code_pending(conn: Connection, workspace_id: int, now: datetime | None = None) -> list[int]:
    """Code every item of the workspace without a topic; return their ids."""
    from hustings.nlp.cap import LOW_CONFIDENCE, classify_cap

    rows = conn.execute(select(policy_items.c.id, policy_items.c.title, policy_items.c.text)
                        .where(policy_items.c.workspace_id == workspace_id,
                               policy_items.c.topic_code.is_(None))
                        .order_by(policy_items.c.id)).all()
    if not rows:
        return []
    now = now or datetime.now(UTC)
    coded = classify_cap([f"{r.title}. {r.text[:_OPENING]}" for r in rows])
    for row, topic in zip(rows, coded, strict=True):
        conn.execute(update(policy_items).where(policy_items.c.id == row.id).values(
            topic_code=topic.code, topic_confidence=float(topic.confidence),
            topic_by="model", coded_at=now, review=topic.confidence < LOW_CONFIDENCE))
    return [int(r.id) for r in rows]


def correct(conn: Connection, actor: Actor, item_id: int, code: int) -> dict[str, Any]:
    """Set an item's topic by hand (or confirm the model's): it leaves the review queue, and
    the correction is kept with who and when."""
    actor.require(Role.RESPONDER)
    known = topics()
    if code not in known:
        raise InvalidInputError(f"{code} is not a CAP major topic (0-23; see `hustings "
                                "policy topics`)")
    row = conn.execute(select(policy_items.c.topic_code).where(
        policy_items.c.id == item_id, policy_items.c.workspace_id == actor.workspace_id)).first()
    if row is None:
        raise NotFoundError(f"no policy item {item_id}")
    now = datetime.now(UTC)
    conn.execute(update(policy_items).where(policy_items.c.id == item_id).values(
        topic_code=code, topic_confidence=1.0, topic_by="human", coded_at=now, review=False))
    conn.execute(policy_corrections.insert(), {
        "workspace_id": actor.workspace_id, "item_id": item_id, "old_code": row.topic_code,
        "new_code": code, "user_id": actor.user_id, "by": actor.email, "at": now})
    audit(conn, actor, "policy.correct", "policy_item", item_id)
    return {"item_id": item_id, "old_code": row.topic_code, "new_code": code,
            "label": known[code], "by": actor.email, "at": now}


def export_corrections(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    """Every correction with the text it labels: the next training run's examples."""
    rows = conn.execute(
        select(policy_corrections, policy_items.c.title, policy_items.c.text,
               policy_items.c.party)
        .join(policy_items, policy_items.c.id == policy_corrections.c.item_id)
        .where(policy_corrections.c.workspace_id == actor.workspace_id)
        .order_by(policy_corrections.c.at, policy_corrections.c.id)).all()
    return [{"item_id": r.item_id, "title": r.title, "text": r.text, "party": r.party,
             "old_code": r.old_code, "code": r.new_code, "by": r.by, "at": r.at}
            for r in rows]
