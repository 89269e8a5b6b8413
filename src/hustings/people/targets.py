"""Stance targets: what a workspace tracks stance toward (its candidate, a policy, a party).

"Support" alone does not say of what. A workspace names its targets, and every stance entry
is toward one of them; a person's page and the people list show the current stance per
target. Targets belong to one workspace: another workspace's targets are neither listed nor
usable, and two workspaces may each have a target of the same name.

A workspace that records a stance before naming any target gets one named after its own
candidate, as its accounts say (a candidate's, leader's, official's or party's tracked
account: registry name, else handle), else "our campaign": migration 0007 gave stances
recorded before targets existed the same target.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.store.schema import stance_targets, tracked_accounts, workspace_accounts
from hustings.workspace import Actor, Role, audit

__all__ = [
    "FALLBACK_TARGET",
    "MAX_TARGET",
    "TargetKind",
    "add_target",
    "default_target",
    "ensure_target",
    "find_target",
    "list_targets",
    "resolve_target",
    "same_name",
]

FALLBACK_TARGET = "our campaign"
"""The target of a workspace whose accounts name no candidate."""
MAX_TARGET = 128
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class TargetKind(StrEnum):
    """What a target is: it decides nothing but how the target reads in lists."""

    CANDIDATE = "candidate"
    POLICY = "policy"
    PARTY = "party"
    OTHER = "other"


# Which tracked account names a workspace's own side, most telling first.
_OWN_ROLES = {
    "candidate": TargetKind.CANDIDATE,
    "leader": TargetKind.CANDIDATE,
    "official": TargetKind.CANDIDATE,
    "party": TargetKind.PARTY,
}


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInputError("a stance target needs a name, e.g. 'Jane Doe' or 'Carbon tax'")
    if len(cleaned) > MAX_TARGET:
        raise InvalidInputError(f"a stance target's name is at most {MAX_TARGET} characters")
    if _CONTROL.search(cleaned):
        raise InvalidInputError("a stance target's name cannot hold control characters")
    return cleaned


def _row(r: Any) -> dict[str, Any]:
    return {
        "name": r.name,
        "kind": r.kind,
        "description": r.description,
        "created_at": r.created_at,
    }


def list_targets(conn: Connection, workspace_id: int) -> list[dict[str, Any]]:
    """The workspace's targets in the order they were named (its candidate usually first)."""
    rows = conn.execute(
        select(stance_targets)
        .where(stance_targets.c.workspace_id == workspace_id)
        .order_by(stance_targets.c.id)
    )
    return [_row(r) for r in rows]


def same_name(a: str, b: str) -> bool:
    """Two spellings of one target: any case (in every script), spaces squeezed.

    Compared here rather than with SQL ``lower()``, which SQLite applies to ASCII only:
    "Écoles" and "écoles" would be two targets there and one on PostgreSQL.
    """
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def find_target(conn: Connection, workspace_id: int, name: str) -> str | None:
    """The workspace's target called ``name`` (see :func:`same_name`), as it is spelled."""
    names = conn.execute(
        select(stance_targets.c.name).where(stance_targets.c.workspace_id == workspace_id)
    ).scalars()
    return next((str(n) for n in names if same_name(n, name)), None)


def _insert(
    conn: Connection, workspace_id: int, name: str, kind: TargetKind, description: str | None
) -> None:
    conn.execute(
        stance_targets.insert().values(
            workspace_id=workspace_id,
            name=name,
            kind=kind.value,
            description=description,
            created_at=datetime.now(UTC),
        )
    )


def add_target(
    conn: Connection,
    actor: Actor,
    name: str,
    kind: TargetKind = TargetKind.OTHER,
    description: str | None = None,
) -> dict[str, Any]:
    """Name a new target for the workspace; a name it already has (any case) is a conflict."""
    actor.require(Role.MANAGER)
    cleaned = _clean_name(name)
    if find_target(conn, actor.workspace_id, cleaned) is not None:
        raise ConflictError(f"this workspace already has a stance target {cleaned!r}")
    text = (description or "").strip() or None
    try:
        with conn.begin_nested():  # a second request naming it at the same moment
            _insert(conn, actor.workspace_id, cleaned, TargetKind(kind), text)
    except IntegrityError:
        raise ConflictError(f"this workspace already has a stance target {cleaned!r}") from None
    audit(conn, actor, "stance_target.add", None, None, {"name": cleaned, "kind": kind})
    return next(t for t in list_targets(conn, actor.workspace_id) if t["name"] == cleaned)


def _own_candidate(conn: Connection, workspace_id: int) -> tuple[str, TargetKind]:
    rows = conn.execute(
        select(tracked_accounts.c.role, tracked_accounts.c.name, tracked_accounts.c.handle)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
        .order_by(tracked_accounts.c.id)
    ).all()
    for role, kind in _OWN_ROLES.items():
        for r in rows:
            if r.role == role:
                return str(r.name or r.handle)[:MAX_TARGET], kind
    return FALLBACK_TARGET, TargetKind.OTHER


def default_target(conn: Connection, workspace_id: int) -> str:
    """The target a stance given without one is toward: the workspace's first candidate
    target, else its first target, else one named now after its own candidate."""
    targets = list_targets(conn, workspace_id)
    for wanted in (TargetKind.CANDIDATE.value, None):
        for t in targets:
            if wanted is None or t["kind"] == wanted:
                return str(t["name"])
    name, kind = _own_candidate(conn, workspace_id)
    _insert(conn, workspace_id, name, kind, "Named for the first stance recorded without a target.")
    return name


def resolve_target(conn: Connection, workspace_id: int, name: str | None) -> str:
    """``name`` as the workspace spells it, or the default target when none is given.

    An unknown name is refused with the names the workspace has, so that a typo does not
    start a second target.
    """
    if name is None or not name.strip():
        return default_target(conn, workspace_id)
    found = find_target(conn, workspace_id, name)
    if found is None:
        known = ", ".join(repr(t["name"]) for t in list_targets(conn, workspace_id))
        raise NotFoundError(
            f"no stance target {name.strip()!r} in this workspace"
            + (f" (it has {known})" if known else " (it has none yet: add one first)")
        )
    return found


def ensure_target(conn: Connection, workspace_id: int, name: str, description: str) -> str:
    """The workspace's target ``name``, named now (kind other) when it has none: a model
    run by ``hustings nlp enrich`` toward a target the workspace never named still says
    toward what its entries are."""
    cleaned = _clean_name(name)
    found = find_target(conn, workspace_id, cleaned)
    if found is not None:
        return found
    _insert(conn, workspace_id, cleaned, TargetKind.OTHER, description)
    return cleaned
