"""Workspaces, their users and roles, the accounts they own, and the audit log.

A workspace (a party HQ, a riding campaign, an MP's office) owns tracked accounts; every
inbound message to one of those accounts becomes an item of that workspace only. Every
library function takes an :class:`Actor` (who, in which workspace, with which role) and
checks the role itself, so the CLI, the web pages and the API cannot disagree on who may
do what.

Passwords are hashed with Argon2id (``argon2-cffi`` defaults, which follow RFC 9106's
low-memory profile); the plain password never reaches the database or the audit log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, select

from hustings.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
)
from hustings.store import Store
from hustings.store.schema import (
    audit_log,
    memberships,
    tracked_accounts,
    users,
    workspace_accounts,
    workspaces,
)

__all__ = [
    "Actor",
    "Role",
    "User",
    "Workspace",
    "add_account",
    "add_user",
    "audit",
    "check_password",
    "claim_account",
    "create_workspace",
    "find_workspace",
    "get_workspace",
    "list_audit",
    "list_members",
    "memberships_of",
    "owned_handles",
    "set_password",
    "workspace_account_ids",
]

_HASHERS = {
    "default": PasswordHasher(),
    # Tests and benchmarks only (HUSTINGS_PASSWORD_HASH=fast): still Argon2id, minimal cost.
    "fast": PasswordHasher.from_parameters(profiles.CHEAPEST),
}


def _hasher() -> PasswordHasher:
    return _HASHERS.get(os.environ.get("HUSTINGS_PASSWORD_HASH", "default"), _HASHERS["default"])


_MIN_PASSWORD = 8


class Role(StrEnum):
    """What a member may do; each role can do everything the roles below it can."""

    VIEWER = "viewer"
    RESPONDER = "responder"
    MANAGER = "manager"
    OWNER = "owner"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


@dataclass(frozen=True, slots=True)
class Workspace:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, in which workspace, as what. ``user_id`` is None for the system."""

    workspace_id: int
    user_id: int | None
    role: Role
    email: str = "system"

    def require(self, role: Role) -> None:
        """Refuse unless this actor's role is at least ``role``."""
        if self.role.rank < role.rank:
            raise PermissionDeniedError(f"this needs the {role.value} role (you are {self.role})")

    @classmethod
    def system(cls, workspace_id: int) -> Actor:
        """Background work (inbox sync, demo set-up) acting with full rights."""
        return cls(workspace_id=workspace_id, user_id=None, role=Role.OWNER)


def _now() -> datetime:
    return datetime.now(UTC)


def normalise_email(email: str) -> str:
    cleaned = email.strip().lower()
    local, _, domain = cleaned.partition("@")
    if not local or "." not in domain or " " in cleaned:
        raise InvalidInputError(f"{email!r} is not an e-mail address")
    return cleaned


def create_workspace(store: Store, name: str) -> Workspace:
    """The workspace called ``name``, created if new (names are unique)."""
    name = name.strip()
    if not name:
        raise InvalidInputError("a workspace needs a name")
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == name)).first()
        if found is not None:
            return Workspace(id=found.id, name=name)
        result = conn.execute(
            workspaces.insert().values(name=name, created_at=_now(), inbox_cursor=0)
        )
        (workspace_id,) = result.inserted_primary_key or (0,)
        return Workspace(id=int(workspace_id), name=name)


def get_workspace(conn: Connection, workspace_id: int) -> Workspace:
    row = conn.execute(select(workspaces).where(workspaces.c.id == workspace_id)).first()
    if row is None:
        raise NotFoundError(f"no workspace {workspace_id}")
    return Workspace(id=row.id, name=row.name)


def find_workspace(conn: Connection, name: str) -> Workspace:
    """The workspace called ``name``; a wrong name says which names exist.

    For the command line, whose user runs Hustings itself and may see every workspace's name
    (the web app never looks a workspace up by name).
    """
    row = conn.execute(select(workspaces).where(workspaces.c.name == name.strip())).first()
    if row is None:
        names = sorted(conn.execute(select(workspaces.c.name)).scalars())
        known = ", ".join(names) if names else "none yet"
        raise NotFoundError(f"no workspace {name!r} (workspaces: {known})")
    return Workspace(id=row.id, name=row.name)


def owned_handles(conn: Connection, workspace_id: int) -> set[tuple[str, str]]:
    """``(platform, handle_lower)`` of every tracked account the workspace holds."""
    rows = conn.execute(
        select(tracked_accounts.c.platform, tracked_accounts.c.handle_lower)
        .join(workspace_accounts, workspace_accounts.c.tracked_account_id == tracked_accounts.c.id)
        .where(workspace_accounts.c.workspace_id == workspace_id)
    )
    return {(r.platform, r.handle_lower) for r in rows}


def add_user(store: Store, email: str, password: str, workspace: str, role: Role) -> User:
    """Create the user (or reuse the address) and make them a member of ``workspace``.

    An existing user's password is left alone: adding them to a second workspace must not
    let whoever runs the command reset it.
    """
    email = normalise_email(email)
    ws = create_workspace(store, workspace)
    with store.begin() as conn:
        row = conn.execute(select(users.c.id).where(users.c.email == email)).first()
        if row is None:
            if len(password) < _MIN_PASSWORD:
                raise InvalidInputError(f"a password needs at least {_MIN_PASSWORD} characters")
            result = conn.execute(
                users.insert().values(
                    email=email,
                    password_hash=_hasher().hash(password),
                    created_at=_now(),
                    disabled=False,
                )
            )
            (user_id,) = result.inserted_primary_key or (0,)
        else:
            user_id = row.id
        member = conn.execute(
            select(memberships.c.id).where(
                memberships.c.workspace_id == ws.id, memberships.c.user_id == user_id
            )
        ).first()
        if member is None:
            conn.execute(
                memberships.insert().values(workspace_id=ws.id, user_id=user_id, role=role)
            )
        else:
            conn.execute(
                memberships.update().where(memberships.c.id == member.id).values(role=role)
            )
        audit(conn, Actor.system(ws.id), "user.add", "user", int(user_id), {"role": role.value})
    return User(id=int(user_id), email=email)


def set_password(store: Store, email: str, password: str) -> None:
    """Replace a user's password (the owner's reset, and each new run of the demo)."""
    if len(password) < _MIN_PASSWORD:
        raise InvalidInputError(f"a password needs at least {_MIN_PASSWORD} characters")
    with store.begin() as conn:
        done = conn.execute(
            users.update()
            .where(users.c.email == normalise_email(email))
            .values(password_hash=_hasher().hash(password))
        )
        if done.rowcount != 1:
            raise InvalidInputError(f"no user {email}")


def check_password(conn: Connection, email: str, password: str) -> User | None:
    """The user if ``password`` is theirs, else None (same answer for unknown addresses)."""
    try:
        email = normalise_email(email)
    except InvalidInputError:
        return None
    row = conn.execute(select(users).where(users.c.email == email)).first()
    if row is None or row.disabled:
        # Hash anyway so that timing does not reveal which addresses exist.
        _hasher().hash(password)
        return None
    try:
        _hasher().verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(id=row.id, email=row.email)


def memberships_of(conn: Connection, user_id: int) -> list[tuple[Workspace, Role]]:
    rows = conn.execute(
        select(workspaces.c.id, workspaces.c.name, memberships.c.role)
        .join(memberships, memberships.c.workspace_id == workspaces.c.id)
        .where(memberships.c.user_id == user_id)
        .order_by(workspaces.c.id)
    )
    return [(Workspace(id=r.id, name=r.name), Role(r.role)) for r in rows]


def list_members(conn: Connection, actor: Actor) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(users.c.id, users.c.email, memberships.c.role)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.workspace_id == actor.workspace_id)
        .order_by(users.c.id)
    )
    return [{"id": r.id, "email": r.email, "role": r.role} for r in rows]


def claim_account(
    conn: Connection, actor: Actor, tracked_id: int, *, proven: bool = False
) -> bool:
    """Attach the tracked account to the actor's workspace; return whether it was new.

    An account's inbox (its DMs and e-mails as well as its mentions) follows the account,
    so an account another workspace already has is attached only with credentials that
    prove control of it (``proven``: a connection that authenticated as that account, as a
    party HQ and its candidate's office may both hold). Without them it is refused: else
    any workspace could name a rival's account and read its private messages.
    """
    exists = conn.execute(
        select(workspace_accounts.c.workspace_id).where(
            workspace_accounts.c.tracked_account_id == tracked_id
        )
    ).scalars().all()
    if actor.workspace_id in exists:
        return False
    if exists and not proven:
        raise ConflictError(
            "this account belongs to another workspace; connect it with its own "
            "credentials to show that it is yours"
        )
    conn.execute(
        workspace_accounts.insert().values(
            workspace_id=actor.workspace_id, tracked_account_id=tracked_id
        )
    )
    return True


def add_account(conn: Connection, actor: Actor, platform: str, handle: str) -> int:
    """Give the workspace the tracked account ``platform``/``handle`` (tracked already);
    refused when another workspace has it (see ``claim_account``)."""
    actor.require(Role.MANAGER)
    row = conn.execute(
        select(tracked_accounts.c.id).where(
            tracked_accounts.c.platform == platform,
            tracked_accounts.c.handle_lower == handle.lstrip("@").lower(),
        )
    ).first()
    if row is None:
        raise NotFoundError(f"{platform} account {handle!r} is not tracked: add it first")
    if claim_account(conn, actor, int(row.id)):
        audit(conn, actor, "account.add", "tracked_account", row.id, {"platform": platform})
    return int(row.id)


def workspace_account_ids(conn: Connection, workspace_id: int) -> list[int]:
    return list(
        conn.execute(
            select(workspace_accounts.c.tracked_account_id).where(
                workspace_accounts.c.workspace_id == workspace_id
            )
        ).scalars()
    )


# Built once, as every change runs it; ``inline`` as nobody reads the new row's id back.
_INSERT_AUDIT = audit_log.insert().inline()


def audit(
    conn: Connection,
    actor: Actor,
    action: str,
    target_type: str | None = None,
    target_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Record who did what, in the same transaction as the change itself.

    Details hold ids and choices, never message text or personal data, so that erasing a
    person leaves the log intact and clean.
    """
    conn.execute(
        _INSERT_AUDIT,
        {
            "workspace_id": actor.workspace_id,
            "user_id": actor.user_id,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "detail": dict(detail or {}),
            "at": _now(),
        },
    )


def list_audit(conn: Connection, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    actor.require(Role.MANAGER)
    rows = conn.execute(
        select(audit_log, users.c.email)
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .where(audit_log.c.workspace_id == actor.workspace_id)
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "at": r.at,
            "user": r.email or "system",
            "action": r.action,
            "target_type": r.target_type,
            "target_id": r.target_id,
            "detail": r.detail,
        }
        for r in rows
    ]


def count_rows(conn: Connection, table: Any, *where: Any) -> int:
    """``SELECT count(*)`` with conditions: the one counting helper the capabilities share."""
    return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())
