"""Saved views: a named set of inbox filters a user returns to ("my breached DMs")."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from hustings.errors import InvalidInputError, NotFoundError
from hustings.inbox.items import Filters
from hustings.store.schema import saved_views
from hustings.workspace import Actor, Role, audit

__all__ = ["delete_view", "get_view", "list_views", "save_view"]


def save_view(conn: Connection, actor: Actor, name: str, filters: Filters) -> int:
    """Create or replace the actor's view called ``name``."""
    actor.require(Role.VIEWER)
    name = name.strip()
    if not name or actor.user_id is None:
        raise InvalidInputError("a saved view needs a name and a signed-in user")
    found = conn.execute(
        select(saved_views.c.id).where(
            saved_views.c.workspace_id == actor.workspace_id,
            saved_views.c.user_id == actor.user_id,
            saved_views.c.name == name,
        )
    ).first()
    if found is not None:
        conn.execute(
            saved_views.update()
            .where(saved_views.c.id == found.id)
            .values(filters=filters.as_dict())
        )
        return int(found.id)
    result = conn.execute(
        saved_views.insert().values(
            workspace_id=actor.workspace_id,
            user_id=actor.user_id,
            name=name,
            filters=filters.as_dict(),
        )
    )
    (view_id,) = result.inserted_primary_key or (0,)
    audit(conn, actor, "view.save", "saved_view", int(view_id))
    return int(view_id)


def _mine(actor: Actor) -> list[Any]:
    return [
        saved_views.c.workspace_id == actor.workspace_id,
        saved_views.c.user_id == actor.user_id,
    ]


def list_views(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    rows = conn.execute(select(saved_views).where(*_mine(actor)).order_by(saved_views.c.name))
    return [{"id": r.id, "name": r.name, "filters": r.filters} for r in rows]


def get_view(conn: Connection, actor: Actor, view_id: int) -> Filters:
    row = conn.execute(
        select(saved_views).where(saved_views.c.id == view_id, *_mine(actor))
    ).first()
    if row is None:
        raise NotFoundError(f"no saved view {view_id}")
    return Filters.from_dict(dict(row.filters))


def delete_view(conn: Connection, actor: Actor, view_id: int) -> None:
    result = conn.execute(saved_views.delete().where(saved_views.c.id == view_id, *_mine(actor)))
    if result.rowcount != 1:
        raise NotFoundError(f"no saved view {view_id}")
