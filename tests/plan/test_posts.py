"""Planned posts through the guard on every path, on SQLite and PostgreSQL: a verdict is
stored before anything leaves, a hold keeps a post in, a manager's override is logged, and
posts made outside Hustings are judged once sync brings them in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hustings.connectors.connections import sync_all, sync_connection
from hustings.connectors.outbound import deliver_due
from hustings.errors import PermissionDeniedError
from hustings.inbox.replies import reply
from hustings.plan import draft, judge_synced, list_posts, override, post_now, queue
from hustings.store import Store
from hustings.store.schema import (
    audit_log,
    connections,
    inbox_items,
    messages,
    outbound,
    plan_verdicts,
    tracked_accounts,
)
from hustings.workspace import Actor, Role
from tests.connectors.conftest import connected
from tests.connectors.replay import ReplayServer


def _account(store: Store, connection: int) -> int:
    with store.begin() as conn:
        return int(conn.execute(select(connections.c.tracked_account_id)
                                .where(connections.c.id == connection)).scalar_one())


def _verdicts(store: Store, **where: object) -> list[tuple[str, str]]:
    with store.begin() as conn:
        q = select(plan_verdicts.c.path, plan_verdicts.c.verdict)
        for key, value in where.items():
            q = q.where(plan_verdicts.c[key] == value)
        return [(r.path, r.verdict) for r in conn.execute(q.order_by(plan_verdicts.c.id))]


def _own_post(store: Store, account: int, at: datetime, text: str = "An update") -> int:
    """A post the account made on the platform itself (as sync would bring it in)."""
    with store.begin() as conn:
        acct = conn.execute(select(tracked_accounts).where(tracked_accounts.c.id == account)).one()
        return int(conn.execute(messages.insert().returning(messages.c.id), {
            "platform": acct.platform, "platform_id": f"outside-{uuid.uuid4().hex}",
            "author_id": acct.platform_id or acct.handle, "author_handle": acct.handle,
            "created_at": at, "text": text, "kind": "post", "visibility": "public",
            "mentions": [], "hashtags": [], "urls": [], "partial": False,
            "content_hash": uuid.uuid4().hex,
        }).scalar_one())


def test_a_draft_stores_its_verdict_with_its_reasons(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    with any_store.begin() as conn:
        made = draft(conn, actor, _account(any_store, connection), "Town hall tonight at 7")
    assert (made["state"], made["verdict"]) == ("draft", "ok")
    assert any(f["rule"] == "rhythm" for f in made["findings"])
    assert _verdicts(any_store, planned_post_id=made["id"]) == [("draft", "ok")]


def test_post_now_stores_a_verdict_then_publishes_a_new_post(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    with any_store.begin() as conn:
        made = draft(conn, actor, _account(any_store, connection), "Polls open at 7 tomorrow")
    sent = post_now(any_store, actor, made["id"])
    assert sent["state"] == "sent"
    (posted,) = mastodon.state.own
    assert posted["in_reply_to_id"] is None and posted["visibility"] == "public"
    assert _verdicts(any_store, planned_post_id=made["id"]) == [("draft", "ok"), ("post", "ok")]
    with any_store.begin() as conn:
        judged = conn.execute(select(plan_verdicts.c.judged_at)
                              .where(plan_verdicts.c.path == "post")).scalar_one()
        left = conn.execute(select(outbound.c.sent_at, outbound.c.kind)).one()
    assert left.kind == "post" and judged <= left.sent_at
    with any_store.begin() as conn:
        logged = conn.execute(select(audit_log.c.detail)
                              .where(audit_log.c.action == "plan.post")).scalar_one()
    assert logged == {"state": "sending", "verdict": "ok"}


def _flood(store: Store, actor: Actor, account: int) -> list[dict[str, object]]:
    """Thirty posts queued a minute apart from now: far past any usual hour."""
    now = datetime.now(UTC)
    results = []
    with store.begin() as conn:
        for i in range(30):
            made = draft(conn, actor, account, f"Update {i}")
            results.append(queue(conn, actor, int(made["id"]), now + timedelta(minutes=i)))
    return results


def test_a_flood_of_queued_posts_is_held_and_post_now_sends_nothing(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    results = _flood(store, actor, _account(store, connection))
    held = [r for r in results if r["state"] == "held"]
    assert held and all(r["verdict"] == "hold" for r in held)
    reasons = [f["reason"] for f in held[0]["findings"] if f["verdict"] == "hold"]
    assert any("usual busiest hour" in r or "a flood by the audit's definition" in r
               for r in reasons)
    again = post_now(store, actor, int(held[0]["id"]))
    assert again["state"] == "held"
    assert mastodon.state.post_count() == 0


def test_a_managers_override_is_logged_with_its_reason_and_lets_the_post_go(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    held = next(r for r in _flood(store, actor, _account(store, connection))
                if r["state"] == "held")
    responder = Actor(actor.workspace_id, None, Role.RESPONDER)
    with store.begin() as conn, pytest.raises(PermissionDeniedError):
        override(conn, responder, int(held["id"]), "I think it is fine")
    with store.begin() as conn:
        done = override(conn, actor, int(held["id"]), "Polls close in an hour")
        logged = conn.execute(select(audit_log.c.detail).where(
            audit_log.c.action == "plan.override", audit_log.c.target_id == held["id"])).one()
    assert done["state"] == "queued" and done["override_reason"] == "Polls close in an hour"
    assert logged.detail == {"reason": "Polls close in an hour"}
    assert post_now(store, actor, int(held["id"]))["state"] == "sent"


def test_a_scheduled_post_goes_out_at_its_time_judged_again_when_it_goes(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    with store.begin() as conn:
        made = draft(conn, actor, _account(store, connection), "Canvass on Saturday")
        queue(conn, actor, int(made["id"]), datetime.now(UTC) - timedelta(seconds=1))
    sync_all(store, actor.workspace_id)
    with store.begin() as conn:
        assert [p["state"] for p in list_posts(conn, actor)] == ["sent"]
    paths = [p for p, _ in _verdicts(store, planned_post_id=made["id"])]
    assert paths == ["draft", "queue", "queue"]
    with store.begin() as conn:
        logged = conn.execute(select(audit_log.c.detail)
                              .where(audit_log.c.action == "plan.send")).scalar_one()
    assert logged == {"state": "sending", "verdict": "ok"}


def test_an_inbox_reply_stores_a_verdict_before_it_leaves(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    sync_connection(any_store, connection)
    with any_store.begin() as conn:
        item = conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == actor.workspace_id).order_by(inbox_items.c.id)
        ).scalars().first()
        reply(conn, actor, int(item), "Thanks, the answer is on our site.")
        message_id = conn.execute(select(outbound.c.message_id)).scalar_one()
    assert mastodon.state.post_count() == 0
    assert _verdicts(any_store, message_id=message_id) == [("reply", "ok")]
    deliver_due(any_store, actor.workspace_id)
    assert mastodon.state.post_count() == 1


def test_posts_made_outside_hustings_are_judged_after_the_fact(
    any_store: Store, mastodon: ReplayServer
) -> None:
    """Twenty posts in twenty minutes, made on the platform by hand: the guard did not see
    them go, but judges each once seen, and the flood shows."""
    actor, connection = connected(any_store, mastodon)
    account = _account(any_store, connection)
    start = datetime.now(UTC) - timedelta(hours=1)
    for i in range(20):
        _own_post(any_store, account, start + timedelta(minutes=i))
    with any_store.begin() as conn:
        assert judge_synced(conn, actor.workspace_id) == 20
        assert judge_synced(conn, actor.workspace_id) == 0  # each judged once
    verdicts = _verdicts(any_store, path="sync")
    assert verdicts[0][1] == "ok" and verdicts[-1][1] == "hold"


def test_a_reply_not_yet_posted_is_not_judged_as_a_post_made_outside(
    store: Store, mastodon: ReplayServer
) -> None:
    """With no connection, an inbox reply stays the workspace's own draft ("to post"): it
    has not been published anywhere, so sync has nothing to judge after the fact."""
    from hustings.connectors.connections import detach

    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    with store.begin() as conn:
        detach(conn, actor, connection)
        item = conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.workspace_id == actor.workspace_id).order_by(inbox_items.c.id)
        ).scalars().first()
        reply(conn, actor, int(item), "We will post the answer on our site.")
        assert judge_synced(conn, actor.workspace_id) == 0


def test_a_thread_posts_its_second_part_as_a_reply_to_the_first(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon)
    account = _account(store, connection)
    with store.begin() as conn:
        first = draft(conn, actor, account, "A thread on the rail link (1/2)")
    post_now(store, actor, int(first["id"]))
    with store.begin() as conn:
        second = draft(conn, actor, account, "What it means for commuters (2/2)",
                       thread_parent_id=int(first["id"]))
    assert post_now(store, actor, int(second["id"]))["state"] == "sent"
    top, part = mastodon.state.own
    assert top["in_reply_to_id"] is None and part["in_reply_to_id"] == top["id"]
