"""Inbox replies in the audit log carry the plan guard's verdict, whether the reply goes out
through a connection or stays "to post" (copied and posted by hand), on SQLite and
PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from hustings.connectors.connections import detach, sync_connection
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import audit_log, inbox_items, plan_verdicts
from tests.connectors.conftest import connected
from tests.connectors.replay import ReplayServer


def _reply_and_log(
    store: Store, mastodon: ReplayServer, *, connected_: bool
) -> tuple[dict[str, object], list[str]]:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    with store.begin() as conn:
        if not connected_:
            detach(conn, actor, connection)
        item = conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == actor.workspace_id).order_by(inbox_items.c.id)
        ).scalars().first()
        reply(conn, actor, int(item), "Thanks, the answer is on our site.")
        logged = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "item.reply", audit_log.c.target_id == item)).scalar_one()
        stored = conn.execute(select(plan_verdicts.c.verdict).where(
            plan_verdicts.c.path == "reply")).scalars().all()
    return dict(logged), list(stored)


def test_a_sent_inbox_replys_audit_entry_carries_the_guards_verdict(
    any_store: Store, mastodon: ReplayServer
) -> None:
    logged, stored = _reply_and_log(any_store, mastodon, connected_=True)
    assert logged["verdict"] == "ok" and "outbound_id" in logged
    assert stored == ["ok"]  # judged once, the verdict in the log is the stored one


def test_a_reply_left_to_post_by_hand_is_judged_and_its_audit_entry_says_so(
    any_store: Store, mastodon: ReplayServer
) -> None:
    logged, stored = _reply_and_log(any_store, mastodon, connected_=False)
    assert logged["verdict"] == "ok" and "outbound_id" not in logged
    assert stored == ["ok"]
