"""The demo team's answers given on the platform count in its inbox.

The demo's own accounts reply to citizens in the imported files. A responder opening the
demo inbox must not be asked to answer someone the campaign already answered, and the
dashboard's response times must come from those real replies.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hustings.demo import record_platform_answers, run_demo
from hustings.inbox.items import Status
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, workspaces
from hustings.web.demo import DEMO_WORKSPACE, create_demo_workspace
from tests.demo.now import NOW


def test_items_the_campaign_answered_on_the_platform_are_answered(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'demo.db'}")
    run = run_demo(store, tmp_path / "out", seed=7, scale=0.1, now=NOW)
    create_demo_workspace(store, password="correct horse battery", accounts=run.accounts())
    answered = record_platform_answers(store, DEMO_WORKSPACE)
    assert answered > 0
    with store.begin() as conn:
        ws = conn.execute(select(workspaces.c.id).where(workspaces.c.name == DEMO_WORKSPACE))
        rows = conn.execute(
            select(inbox_items.c.first_response_at, messages.c.created_at)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(
                inbox_items.c.workspace_id == ws.scalar_one(),
                inbox_items.c.status == Status.ANSWERED.value,
            )
        ).all()
    assert len(rows) == answered
    # Each answer is the platform reply's own time, after the message it answers.
    assert all(r.first_response_at >= r.created_at for r in rows)
    # Running it again finds nothing left to answer.
    assert record_platform_answers(store, DEMO_WORKSPACE) == 0
    store.close()
