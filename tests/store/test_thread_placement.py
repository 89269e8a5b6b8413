"""Threads placed batch by batch at write time agree with placing everything at once.

Messages arrive in any order (a reply before its parent, a parent in a later file, a
thread split across batches); after every write, each stored message's root and depth must
equal what ``resolve_depths`` gives over all stored messages together.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hustings.model import Message, MessageKind, ReplyLink
from hustings.store import Store
from hustings.store.records import write_messages
from hustings.store.schema import messages
from hustings.threads import resolve_depths

_T0 = datetime(2026, 10, 1, tzinfo=UTC)


def _message(n: int, parent: int | None, link: ReplyLink | None) -> Message:
    return Message(
        platform="x",
        platform_id=str(n),
        author_id=f"a{n % 3}",
        created_at=_T0 + timedelta(minutes=n),
        text=f"message {n}",
        kind=MessageKind.REPLY if parent is not None else MessageKind.POST,
        reply_to_id=str(parent) if parent is not None else None,
        reply_link=link if parent is not None else None,
        conversation_id=f"c{n % 2}",
    )


@st.composite
def _forests(draw: st.DrawFn) -> tuple[list[Message], list[int]]:
    """Messages whose parents come earlier (or are never collected), shuffled, in batches."""
    size = draw(st.integers(2, 40))
    found = []
    for n in range(size):
        parent = draw(st.one_of(st.none(), st.integers(0, n + 3))) if n else None
        link = draw(st.sampled_from([ReplyLink.MESSAGE] * 4 + [ReplyLink.ACCOUNT]))
        found.append(_message(n, None if parent == n else parent, link))
    order = draw(st.permutations(found))
    cuts = sorted(draw(st.lists(st.integers(1, size), max_size=4)))
    return list(order), cuts


def _expected(stored: list[Message]) -> dict[str, tuple[str | None, int | None]]:
    parents = {
        m.platform_id: (m.reply_to_id if m.reply_link is ReplyLink.MESSAGE else None)
        for m in stored
        if m.reply_link is not ReplyLink.ACCOUNT
    }
    resolved = resolve_depths(parents)
    out: dict[str, tuple[str | None, int | None]] = {}
    for m in stored:
        found = resolved.get(m.platform_id)
        out[m.platform_id] = found if found is not None else (m.conversation_id, None)
    return out


def _stored(store: Store) -> dict[str, tuple[str | None, int | None]]:
    with store.begin() as conn:
        rows = conn.execute(select(messages.c.platform_id, messages.c.root_id, messages.c.depth))
        return {r.platform_id: (r.root_id, r.depth) for r in rows}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_forests())
def test_batches_in_any_order_place_every_message_as_a_whole_pass_would(
    case: tuple[list[Message], list[int]],
) -> None:
    order, cuts = case
    store = Store.open("sqlite://")
    try:
        bounds = [0, *cuts, len(order)]
        for start, end in itertools.pairwise(bounds):
            with store.begin() as conn:
                write_messages(conn, order[start:end], None)
            assert _stored(store) == _expected(order[:end])
    finally:
        store.close()


def test_a_parent_arriving_last_places_a_deep_chain_on_both_databases(any_store: Store) -> None:
    chain = [_message(n, n - 1 if n else None, ReplyLink.MESSAGE) for n in range(60)]
    for message in reversed(chain):
        with any_store.begin() as conn:
            write_messages(conn, [message], None)
    placed = _stored(any_store)
    assert placed["59"] == ("0", 59)
    assert placed == _expected(chain)
