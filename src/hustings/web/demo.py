"""A demo workspace: one owner who can sign in and sees the demo campaign's inbox."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from hustings.inbox.sync import sync_inbox
from hustings.store import Store
from hustings.workspace import (
    Actor,
    Role,
    add_account,
    add_user,
    create_workspace,
    set_password,
)

__all__ = ["DEMO_EMAIL", "DEMO_WORKSPACE", "create_demo_workspace"]

DEMO_WORKSPACE = "Demo campaign"
DEMO_EMAIL = "demo@hustings.example"


def create_demo_workspace(
    store: Store, password: str | None = None, accounts: Iterable[tuple[str, str]] = ()
) -> tuple[str, str, str]:
    """Create (or refresh) the demo workspace owning the demo campaign's ``accounts``
    (platform, handle), and its user.

    Only the accounts named: the demo may run on a store other workspaces use, and handing
    its printed login every tracked account would open their inboxes to whoever reads it.

    Returns the path to open, the e-mail and the password. The password is random unless
    given, so a demo left running on a shared machine is not open to anyone who read an
    earlier run's output; each run sets the demo user's password to the one it prints.
    """
    password = password or secrets.token_urlsafe(12)
    workspace = create_workspace(store, DEMO_WORKSPACE)
    add_user(store, DEMO_EMAIL, password, DEMO_WORKSPACE, Role.OWNER)
    set_password(store, DEMO_EMAIL, password)
    actor = Actor.system(workspace.id)
    with store.begin() as conn:
        for platform, handle in accounts:
            add_account(conn, actor, platform, handle)
    sync_inbox(store, workspace.id)
    return "/login", DEMO_EMAIL, password
