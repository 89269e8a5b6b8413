"""Replies leave through the connection exactly once, and only then answer the item."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hustings.connectors.connections import detach, sync_connection
from hustings.connectors.outbound import deliver, deliver_due
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, inbox_replies, messages, outbound
from hustings.workspace import Actor
from tests.connectors.conftest import connected
from tests.connectors.replay import Fault, ReplayServer


def _item(store: Store, actor: Actor, kind: str) -> int:
    with store.begin() as conn:
        return int(conn.execute(
            select(inbox_items.c.id).where(
                inbox_items.c.workspace_id == actor.workspace_id, inbox_items.c.kind == kind
            ).order_by(inbox_items.c.id)
        ).scalars().first())


def _state(store: Store, item_id: int) -> tuple[str, str, str]:
    with store.begin() as conn:
        item = conn.execute(select(inbox_items.c.status).where(inbox_items.c.id == item_id))
        status = item.scalar_one()
        sent = conn.execute(select(outbound.c.state).where(outbound.c.item_id == item_id))
        answer = conn.execute(
            select(inbox_replies.c.status).where(inbox_replies.c.item_id == item_id)
        )
        return status, sent.scalar_one(), answer.scalar_one()


def _posted(server: ReplayServer) -> list[dict[str, object]]:
    return list(server.state.own)


def test_a_reply_is_queued_and_answers_the_item_only_once_sent(
    any_store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(any_store, mastodon)
    sync_connection(any_store, connection)
    item = _item(any_store, actor, "post")
    with any_store.begin() as conn:
        reply(conn, actor, item, "Thanks for asking: the answer is on our site.")
    assert _state(any_store, item)[0] == "new"  # queued, not answered yet
    assert mastodon.state.post_count() == 0
    assert deliver_due(any_store, actor.workspace_id) == {1: "sent"}
    assert _state(any_store, item) == ("answered", "sent", "sent")
    (posted,) = _posted(mastodon)
    with any_store.begin() as conn:
        own = conn.execute(
            select(messages.c.platform_id, messages.c.text)
            .join(inbox_replies, inbox_replies.c.message_id == messages.c.id)
        ).one()
    # The workspace's own message carries the platform's real id.
    assert own.platform_id == f"localhost:3000/{posted['id']}"
    assert own.text.startswith("@admin Thanks for asking")


def test_a_reply_to_a_direct_message_stays_direct(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    item = _item(store, actor, "dm")
    with store.begin() as conn:
        reply(conn, actor, item, "Happy to help, write to us anytime.")
    deliver_due(store)
    (posted,) = _posted(mastodon)
    assert posted["visibility"] == "direct"
    assert posted["in_reply_to_id"] == "117020588388552703"
    assert "@mastodonpy_test_2" in str(posted["content"])


def test_a_send_that_times_out_is_not_sent_twice(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon, timeout=1.0)
    sync_connection(store, connection)
    item = _item(store, actor, "post")
    with store.begin() as conn:
        reply(conn, actor, item, "We hear you.")
    # The server publishes the status but answers too late: the outcome is unknown.
    mastodon.state.faults["/api/v1/statuses"].append(Fault(0, delay=3.0))
    (outbound_id,) = deliver_due(store)
    assert deliver(store, outbound_id) == "sent"  # would be "sending" on the first try
    assert mastodon.state.post_count() == 1
    assert len(_posted(mastodon)) == 1
    assert _state(store, item) == ("answered", "sent", "sent")


def test_a_first_timeout_leaves_it_sending_and_the_item_unanswered(
    store: Store, mastodon: ReplayServer
) -> None:
    actor, connection = connected(store, mastodon, timeout=1.0)
    sync_connection(store, connection)
    item = _item(store, actor, "post")
    with store.begin() as conn:
        reply(conn, actor, item, "We hear you.")
    mastodon.state.faults["/api/v1/statuses"].append(Fault(0, delay=3.0))
    assert list(deliver_due(store).values()) == ["sending"]
    assert _state(store, item) == ("new", "sending", "queued")
    with store.begin() as conn:
        error = conn.execute(select(outbound.c.error)).scalar_one()
    assert "timed out after it was sent" in error


def test_the_idempotency_key_is_sent_and_reused(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    with store.begin() as conn:
        reply(conn, actor, _item(store, actor, "post"), "Noted, thank you.")
    deliver_due(store)
    with store.begin() as conn:
        key = conn.execute(select(outbound.c.idempotency_key)).scalar_one()
    posts = [h for m, p, h in mastodon.state.requests if (m, p) == ("POST", "/api/v1/statuses")]
    assert [h.get("Idempotency-Key") for h in posts] == [key]


def test_without_a_connection_a_reply_stays_to_post(store: Store, mastodon: ReplayServer) -> None:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    with store.begin() as conn:
        detach(conn, actor, connection)
        reply(conn, actor, _item(store, actor, "post"), "Thanks!")
    with store.begin() as conn:
        assert conn.execute(select(inbox_replies.c.status)).scalar_one() == "to_post"
        assert conn.execute(select(outbound.c.id)).first() is None
    assert deliver_due(store) == {}
    assert mastodon.state.post_count() == 0


def test_unreadable_credentials_fail_the_send_with_a_reason(
    store: Store, mastodon: ReplayServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    actor, connection = connected(store, mastodon)
    sync_connection(store, connection)
    item = _item(store, actor, "post")
    with store.begin() as conn:
        reply(conn, actor, item, "Thanks!")
    monkeypatch.setenv("HUSTINGS_SECRET_KEY", "a rotated key")
    assert list(deliver_due(store).values()) == ["failed"]
    with store.begin() as conn:
        error = conn.execute(select(outbound.c.error)).scalar_one()
    assert "cannot be decrypted" in error
    assert _state(store, item) == ("new", "failed", "failed")
    assert mastodon.state.post_count() == 0


def test_the_background_worker_pulls_and_sends(store: Store, mastodon: ReplayServer) -> None:
    import time

    from hustings.connectors.worker import start_worker

    actor, _ = connected(store, mastodon)
    thread, stop = start_worker(store, pull_every=0.2, send_every=0.1)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with store.begin() as conn:
                found = conn.execute(
                    select(inbox_items.c.id).where(inbox_items.c.kind == "post")
                ).scalars().first()
            if found is not None:
                break
            time.sleep(0.1)
        assert found is not None, "the worker never filled the inbox"
        with store.begin() as conn:
            reply(conn, actor, int(found), "On its way.")
        while time.monotonic() < deadline and _state(store, int(found))[1] != "sent":
            time.sleep(0.1)
        assert _state(store, int(found)) == ("answered", "sent", "sent")
    finally:
        stop.set()
        thread.join(10)
    assert mastodon.state.post_count() == 1
