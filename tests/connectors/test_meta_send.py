"""Answers leave on Facebook, Instagram and Threads exactly once (the loopback Graph API of
``meta_replay``; Threads's answers are hand-written from the official reference, as no
recording of the Threads API exists)."""

from __future__ import annotations

from sqlalchemy import select

from hustings.connectors.connections import sync_connection
from hustings.connectors.outbound import deliver, deliver_due
from hustings.inbox.replies import reply
from hustings.store import Store
from hustings.store.schema import inbox_items, messages, outbound
from hustings.workspace import Actor
from tests.connectors.conftest import meta_connected
from tests.connectors.meta_replay import PAGE, MetaServer
from tests.connectors.replay import Fault


def _item(store: Store, actor: Actor, text: str) -> int:
    with store.begin() as conn:
        return int(conn.execute(
            select(inbox_items.c.id)
            .join(messages, messages.c.id == inbox_items.c.message_id)
            .where(inbox_items.c.workspace_id == actor.workspace_id, messages.c.text == text)
        ).scalar_one())


def _status(store: Store, item: int) -> tuple[str, str]:
    with store.begin() as conn:
        status = conn.execute(select(inbox_items.c.status)
                              .where(inbox_items.c.id == item)).scalar_one()
        sent = conn.execute(select(outbound.c.state)
                            .where(outbound.c.item_id == item)).scalar_one()
    return status, sent


def _answer(store: Store, actor: Actor, item: int, text: str) -> None:
    with store.begin() as conn:
        reply(conn, actor, item, text)


def test_a_reply_to_a_comment_is_a_comment_under_it_and_answers_the_item(
    any_store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(any_store, meta)
    comment = meta.state.add_comment("Is the town hall open to everyone?")
    sync_connection(any_store, connection)
    item = _item(any_store, actor, "Is the town hall open to everyone?")
    _answer(any_store, actor, item, "Yes, everyone is welcome.")
    assert meta.state.posts_sent() == 0  # queued, not sent yet
    assert list(deliver_due(any_store).values()) == ["sent"]
    (path, body), = meta.state.sent
    assert (path, body) == (f"/{comment['id']}/comments", {"message": "Yes, everyone is welcome."})
    assert _status(any_store, item) == ("answered", "sent")
    # The platform's copy, read back by the next sync, is the same message, not a second.
    sync_connection(any_store, connection)
    assert _texts_count(any_store, "Yes, everyone is welcome.") == 1


def _texts_count(store: Store, text: str) -> int:
    with store.begin() as conn:
        return len(conn.execute(select(messages.c.id).where(messages.c.text == text)).all())


def test_a_reply_whose_send_times_out_is_not_sent_twice(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta, timeout=1.0)
    comment = meta.state.add_comment("Where do I vote?")
    sync_connection(store, connection)
    item = _item(store, actor, "Where do I vote?")
    _answer(store, actor, item, "At the school on Main Street.")
    # Facebook publishes the comment but answers too late: the outcome is unknown.
    meta.state.faults[f"/{comment['id']}/comments"].append(Fault(0, delay=3.0))
    (outbound_id,) = deliver_due(store)
    with store.begin() as conn:
        assert conn.execute(select(outbound.c.state)).scalar_one() == "sending"
    assert deliver(store, outbound_id) == "sent"  # found on the platform, not sent again
    assert meta.state.posts_sent() == 1
    assert _status(store, item) == ("answered", "sent")


def test_a_messenger_message_is_answered_in_messenger(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta)
    sync_connection(store, connection)
    with store.begin() as conn:
        item = int(conn.execute(select(inbox_items.c.id).where(
            inbox_items.c.kind == "dm").order_by(inbox_items.c.id)).scalars().first())
    _answer(store, actor, item, "Thanks for the photo!")
    assert list(deliver_due(store).values()) == ["sent"]
    (path, body), = meta.state.sent
    assert path == f"/{PAGE}/messages"
    assert body["recipient"] == {"id": "2711636948859886"}
    assert body["messaging_type"] == "RESPONSE"
    assert _status(store, item) == ("answered", "sent")


def test_with_private_replies_a_comment_is_answered_privately(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta, private_replies=True)
    comment = meta.state.add_comment("Can someone call me about my pension?")
    sync_connection(store, connection)
    item = _item(store, actor, "Can someone call me about my pension?")
    _answer(store, actor, item, "We will write to you in private.")
    assert list(deliver_due(store).values()) == ["sent"]
    (path, body), = meta.state.sent
    assert path == f"/{PAGE}/messages"
    assert body["recipient"] == {"comment_id": comment["id"]}
    assert len(meta.state.comments[f"{PAGE}_10158407654328553"]) == 16  # nothing public


def test_an_instagram_comment_is_answered_under_it(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta, "instagram")
    sync_connection(store, connection)
    item = _item(store, actor, "@ikroskun  Hey, guys")
    _answer(store, actor, item, "Hello to you too!")
    assert list(deliver_due(store).values()) == ["sent"]
    (path, body), = meta.state.sent
    assert (path, body) == ("/17892250648466172/replies", {"message": "Hello to you too!"})


def test_threads_sync_files_replies_and_mentions(any_store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(any_store, meta, "threads")
    assert sync_connection(any_store, connection).error is None
    with any_store.begin() as conn:
        texts = sorted(conn.execute(
            select(messages.c.text).join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .where(inbox_items.c.workspace_id == actor.workspace_id)).scalars())
    assert texts == ["@riding12 when is the next debate?", "Will you talk about the bus route?"]
    assert sync_connection(any_store, connection).added == 0


def test_a_threads_reply_is_a_container_then_a_publish(store: Store, meta: MetaServer) -> None:
    actor, connection = meta_connected(store, meta, "threads")
    sync_connection(store, connection)
    item = _item(store, actor, "Will you talk about the bus route?")
    _answer(store, actor, item, "Yes, first thing.")
    assert list(deliver_due(store).values()) == ["sent"]
    assert [p for p, _ in meta.state.sent] == ["/me/threads", "/me/threads_publish"]
    assert meta.state.sent[0][1] == {"media_type": "TEXT", "text": "Yes, first thing.",
                                     "reply_to_id": "18050000000000101"}
    assert _status(store, item) == ("answered", "sent")


def test_a_threads_publish_that_times_out_is_not_published_twice(
    store: Store, meta: MetaServer
) -> None:
    actor, connection = meta_connected(store, meta, "threads", timeout=1.0)
    sync_connection(store, connection)
    item = _item(store, actor, "@riding12 when is the next debate?")
    _answer(store, actor, item, "On the 14th.")
    meta.state.faults["/me/threads_publish"].append(Fault(0, delay=3.0))
    (outbound_id,) = deliver_due(store)
    assert deliver(store, outbound_id) == "sent"
    assert len(meta.state.threads.published) == 1
    assert _status(store, item) == ("answered", "sent")


def test_one_inbox_answers_facebook_instagram_and_threads_each_on_its_own_channel(
    any_store: Store, meta: MetaServer
) -> None:
    from hustings.connectors.connections import connect, sync_all
    from hustings.workspace import create_workspace
    from tests.connectors.conftest import meta_secret, meta_settings
    from tests.connectors.meta_replay import IG

    actor = Actor.system(create_workspace(any_store, "Riding 12").id)
    for platform, extra in (("facebook", {}), ("instagram", {"account_id": IG}),
                            ("threads", {})):
        connect(any_store, actor, platform, meta_settings(meta, **extra), meta_secret())
    meta.state.add_comment("Is the town hall open to everyone?")
    assert all(r.error is None for r in sync_all(any_store, actor.workspace_id))
    asked = {"facebook": "Is the town hall open to everyone?",
             "instagram": "@ikroskun  Hey, guys",
             "threads": "Will you talk about the bus route?"}
    for text in asked.values():
        _answer(any_store, actor, _item(any_store, actor, text), "Thanks, we will answer.")
    assert set(deliver_due(any_store).values()) == {"sent"}
    paths = sorted(p for p, _ in meta.state.sent)
    assert paths == sorted(["/10158407654328553_10158500000000001/comments",
                            "/17892250648466172/replies", "/me/threads",
                            "/me/threads_publish"])
    for text in asked.values():
        assert _status(any_store, _item(any_store, actor, text)) == ("answered", "sent")
