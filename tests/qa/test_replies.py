"""Replies to the event's Mastodon post (as the connector stores them) become questions and
"+1" votes in the queue, once, read by the server's polling round; another workspace's
pushed rows are never read (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings import qa
from hustings.model import Message, MessageKind, ReplyLink
from hustings.store import Store
from hustings.store.records import write_messages
from hustings.workspace import create_workspace


def _reply(n: int, author: str, text: str, at: datetime) -> Message:
    return Message("mastodon", f"r{n}", f"acct-{author}", at + timedelta(minutes=n), text,
                   MessageKind.REPLY, author_handle=author, reply_to_id="post1",
                   reply_to_account_id="acct-campaign", reply_link=ReplyLink.MESSAGE)  # fmt: skip


def test_replies_to_the_events_post_fill_its_queue_once(any_store: Store) -> None:
    ws = create_workspace(any_store, "Riverside").id
    other = create_workspace(any_store, "Elsewhere").id
    now = datetime.now(UTC)
    with any_store.begin() as conn:
        start, end = now - timedelta(minutes=5), now + timedelta(hours=1)
        event = qa.create_event(conn, ws, "AMA", start, end, "pre", ["web", "mastodon"],
                                post=("mastodon", "post1"))  # fmt: skip
        post = Message("mastodon", "post1", "acct-campaign", now - timedelta(minutes=10),
                       "Ask us anything about the budget, live at 7", MessageKind.POST,
                       author_handle="riverside")  # fmt: skip
        write_messages(conn, [post, _reply(1, "ana", "When will the bus depot reopen?", now),
                              _reply(2, "bo", "+1", now),
                              _reply(3, "cy", "great stream tonight", now)], None)  # fmt: skip
        # A row another workspace pushed into the same thread: not a fact this one may read.
        write_messages(conn, [_reply(4, "eve", "Why is the pool shut?", now)], None, owner=other)
    polling = qa.LivePolling(any_store)  # no YouTube key: replies are read all the same
    polling.round()
    polling.round()  # read again: nothing twice
    with any_store.begin() as conn:
        asked = qa.list_questions(conn, ws, event.id)
    assert [(q.source, q.author, q.text, q.votes) for q in asked] == [
        ("mastodon", "ana", "When will the bus depot reopen?", 1)
    ]
