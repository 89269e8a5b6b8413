"""Writers outside the import runner (connectors, the push API, inbox replies) pass the same
bounds: a record neither database keeps is refused with ``RecordRefusedError`` on both,
never a PostgreSQL-only ``DataError``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hustings.errors import RecordRefusedError
from hustings.model import Account, Message, MessageKind
from hustings.store import Store
from hustings.store.records import write_accounts, write_messages
from hustings.store.schema import messages


def _message(platform_id: str, text: str = "hello") -> Message:
    return Message(
        platform="x",
        platform_id=platform_id,
        author_id="1",
        created_at=datetime(2026, 10, 1, tzinfo=UTC),
        text=text,
        kind=MessageKind.POST,
    )


def test_a_written_message_id_over_512_characters_is_refused_on_both(any_store: Store) -> None:
    with (
        pytest.raises(RecordRefusedError, match="id is 513 characters long"),
        any_store.begin() as conn,
    ):
        write_messages(conn, [_message("9" * 513)], None)


def test_a_written_nul_is_replaced_on_both(any_store: Store) -> None:
    with any_store.begin() as conn:
        write_messages(conn, [_message("1", "a\x00b\ud800c")], None)
        stored = conn.execute(select(messages.c.text)).scalar_one()
    assert stored == "a\N{REPLACEMENT CHARACTER}b\N{REPLACEMENT CHARACTER}c"


def test_a_written_follower_count_beyond_64_bits_is_refused_on_both(any_store: Store) -> None:
    with (
        pytest.raises(RecordRefusedError, match="beyond a 64-bit whole number"),
        any_store.begin() as conn,
    ):
        write_accounts(conn, [Account("x", "1", "someone", followers=2**63)], None)
