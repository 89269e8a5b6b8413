"""The shared inbox: every inbound message to a workspace's accounts, triaged and answered.

Built on ``hustings.workspace`` (workspaces, users, roles, audit log). Modules: ``sync``
(messages → items),
``items`` (filters, claim, assignment, status, priority, notes), ``sla`` (policies, business
hours, due times), ``replies`` (replies stored "to post", canned replies), ``thread`` (the
thread view), ``views`` (saved filters) and ``dashboard``.
"""

from __future__ import annotations

from hustings.errors import (
    AuthError,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    WorkspaceError,
)
from hustings.workspace import Actor, Role, User, Workspace, add_user, create_workspace

__all__ = [
    "Actor",
    "AuthError",
    "ConflictError",
    "InvalidInputError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitedError",
    "Role",
    "User",
    "Workspace",
    "WorkspaceError",
    "add_user",
    "create_workspace",
]
