"""The workspace layer under ``inbox`` and ``people``: workspaces, users, roles, actors, the
accounts a workspace owns, the audit log (``core``), and the directory of who wrote in
(``directory``). Both capabilities build on it and never import each other.
"""

from __future__ import annotations

from hustings.workspace.core import (
    Actor,
    Role,
    User,
    Workspace,
    add_account,
    add_user,
    audit,
    check_password,
    claim_account,
    create_workspace,
    find_workspace,
    get_workspace,
    list_audit,
    list_members,
    memberships_of,
    owned_handles,
    set_password,
    workspace_account_ids,
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
