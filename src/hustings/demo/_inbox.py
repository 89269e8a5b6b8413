"""The demo team's answers: items its accounts already answered on the platform are answered.

The simulated campaign's own accounts reply to citizens on X, Mastodon and by e-mail, and
those replies are imported like any other message. The demo workspace is created after the
import (it needs the imported accounts), so the intake seam's own check for answers given on
the platform (``inbox.answered``) ran before the workspace existed; this runs the same rule
once the workspace has its accounts, so the dashboard's response time and reply rate show
the team's real answers.
"""

from __future__ import annotations

from sqlalchemy import select

from hustings.errors import ConfigError
from hustings.inbox.answered import mark_answered_on_platform
from hustings.store import Store
from hustings.store.schema import workspaces

__all__ = ["record_platform_answers"]


def record_platform_answers(store: Store, workspace: str) -> int:
    """Mark the open items of ``workspace`` (a name) that its accounts answered on the
    platform as answered at that reply's time; return how many."""
    with store.begin() as conn:
        found = conn.execute(select(workspaces.c.id).where(workspaces.c.name == workspace))
        workspace_id = found.scalar_one_or_none()
        if workspace_id is None:
            raise ConfigError(f"no workspace named {workspace!r}")
        return mark_answered_on_platform(conn, workspace_id)
