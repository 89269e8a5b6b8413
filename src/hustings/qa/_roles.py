"""Who may do what at one event: host, moderator, assistant.

A workspace role says what a member may do across the workspace; an event needs finer
parts, given per event by its host. ``PERMISSIONS`` is the one table the web pages, the
JSON API and the CLI all consult through ``authorize``, so they cannot disagree:

- ``assistant``: read the queue, type in a question taken by phone or e-mail;
- ``moderator``: also approve (edited or not), dismiss, split a wrong merge, release a
  held question, and run the screen (show, next, clear, answered);
- ``host``: also name the event's moderators and assistants, and after the event file
  its unanswered questions into the inbox.

A workspace manager or owner is host of every event of the workspace (they could make
themselves host anyway); a responder or viewer has only the part a host gave them. The
event is looked up in the actor's workspace first, so another workspace's event id is
"not found", never "forbidden".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Final

from sqlalchemy import Connection, delete, select

from hustings.errors import InvalidInputError, NotFoundError, PermissionDeniedError
from hustings.qa._queue import get_event
from hustings.store.schema import memberships, qa_event_roles, users
from hustings.workspace import Actor, Role

__all__ = [
    "EVENT_ROLES",
    "PERMISSIONS",
    "authorize",
    "event_role",
    "list_roles",
    "set_role",
]

EVENT_ROLES: Final = ("assistant", "moderator", "host")
PERMISSIONS: Final[dict[str, str]] = {
    "view": "assistant",
    "ask": "assistant",
    "approve": "moderator",
    "dismiss": "moderator",
    "split": "moderator",
    "show": "moderator",
    "next": "moderator",
    "clear": "moderator",
    "answered": "moderator",
    "roles": "host",
    "follow_up": "host",
}


def event_role(conn: Connection, actor: Actor, event_id: int) -> str | None:
    """The actor's part at the event, ``None`` for none (``NotFoundError`` for an event
    of another workspace)."""
    get_event(conn, actor.workspace_id, event_id)
    if actor.role.rank >= Role.MANAGER.rank:
        return "host"
    if actor.user_id is None:
        return None
    found = conn.execute(
        select(qa_event_roles.c.role).where(
            qa_event_roles.c.workspace_id == actor.workspace_id,
            qa_event_roles.c.event_id == event_id,
            qa_event_roles.c.user_id == actor.user_id,
        )
    ).scalar()
    return None if found is None else str(found)


def authorize(conn: Connection, actor: Actor, event_id: int, action: str) -> str:
    """Refuse (``PermissionDeniedError``) unless the actor's part at the event allows
    ``action`` (a key of ``PERMISSIONS``); return that part."""
    need = PERMISSIONS.get(action)
    if need is None:
        raise InvalidInputError(f"action must be one of {', '.join(PERMISSIONS)}")
    role = event_role(conn, actor, event_id)
    if role is None or EVENT_ROLES.index(role) < EVENT_ROLES.index(need):
        have = f"you are its {role}" if role else "you have no part in it"
        raise PermissionDeniedError(f"{action} needs the event's {need} role ({have})")
    return role


def _member(conn: Connection, workspace_id: int, email: str) -> int:
    found = conn.execute(
        select(users.c.id)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.workspace_id == workspace_id, users.c.email == email.strip().lower())
    ).scalar()
    if found is None:
        raise NotFoundError(f"no member {email!r} in this workspace")
    return int(found)


def set_role(conn: Connection, actor: Actor, event_id: int, email: str, role: str | None) -> None:
    """Give the workspace member ``email`` a part at the event (``role`` ``None``: take it
    away). Only the event's host may."""
    if role is not None and role not in EVENT_ROLES:
        raise InvalidInputError(f"role must be one of {', '.join(EVENT_ROLES)}")
    authorize(conn, actor, event_id, "roles")
    user_id = _member(conn, actor.workspace_id, email)
    conn.execute(
        delete(qa_event_roles).where(
            qa_event_roles.c.event_id == event_id, qa_event_roles.c.user_id == user_id
        )
    )
    if role is not None:
        conn.execute(
            qa_event_roles.insert().values(
                workspace_id=actor.workspace_id, event_id=event_id, user_id=user_id,
                role=role, created_at=datetime.now(UTC),
            )
        )  # fmt: skip


def list_roles(conn: Connection, actor: Actor, event_id: int) -> list[dict[str, Any]]:
    """The members given a part at the event, by e-mail (anyone with a part may see who)."""
    authorize(conn, actor, event_id, "view")
    rows = conn.execute(
        select(users.c.email, qa_event_roles.c.role)
        .join(users, users.c.id == qa_event_roles.c.user_id)
        .where(
            qa_event_roles.c.workspace_id == actor.workspace_id,
            qa_event_roles.c.event_id == event_id,
        )
        .order_by(users.c.email)
    )
    return [{"email": r.email, "role": r.role} for r in rows]
