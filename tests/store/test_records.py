"""The store keeps one row per platform + id, whatever order and how often records arrive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select

from hustings.model import Account, Message, MessageKind
from hustings.store import Store
from hustings.store.records import write_accounts, write_messages
from hustings.store.schema import accounts, messages

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def _msg(pid: str, text: str = "hello", partial: bool = False, **kw: object) -> Message:
    return Message(platform="x", platform_id=pid, author_id="a1", created_at=T0, text=text,
                   kind=MessageKind.POST, partial=partial, **kw)  # type: ignore[arg-type]


def test_second_write_of_same_messages_adds_nothing(any_store: Store) -> None:
    with any_store.begin() as conn:
        first = write_messages(conn, [_msg("1"), _msg("2")], batch_id=1)
    with any_store.begin() as conn:
        second = write_messages(conn, [_msg("1"), _msg("2")], batch_id=2)
    assert (first.added, second.added, second.unchanged) == (2, 0, 2)
    assert any_store.counts()["messages"] == 2


def test_edited_message_in_a_later_import_is_updated(any_store: Store) -> None:
    with any_store.begin() as conn:
        write_messages(conn, [_msg("1", "first draft")], batch_id=1)
    with any_store.begin() as conn:
        result = write_messages(conn, [_msg("1", "edited")], batch_id=2)
        text = conn.execute(select(messages.c.text)).scalar_one()
    assert (result.updated, text) == (1, "edited")


def test_same_id_with_different_content_in_one_import_is_a_conflict(any_store: Store) -> None:
    with any_store.begin() as conn:
        write_messages(conn, [_msg("1", "one")], batch_id=7)
        result = write_messages(conn, [_msg("1", "two")], batch_id=7)
        text = conn.execute(select(messages.c.text)).scalar_one()
    assert [m.text for m, _ in result.conflicts] == ["two"]
    assert text == "one"


def test_context_copy_never_overwrites_the_full_record(any_store: Store) -> None:
    with any_store.begin() as conn:
        write_messages(conn, [_msg("1", "full text", language="en")], batch_id=1)
    with any_store.begin() as conn:
        result = write_messages(conn, [_msg("1", "trunc…", partial=True)], batch_id=2)
        row = conn.execute(select(messages.c.text, messages.c.partial)).one()
    assert (result.updated, row.text, row.partial) == (0, "full text", False)


def test_full_record_replaces_an_earlier_context_copy(any_store: Store) -> None:
    with any_store.begin() as conn:
        first = write_messages(conn, [_msg("1", "trunc…", partial=True)], batch_id=1)
    with any_store.begin() as conn:
        second = write_messages(conn, [_msg("1", "full text")], batch_id=2)
        row = conn.execute(select(messages.c.text, messages.c.partial)).one()
    assert (first.context_added, second.updated) == (1, 1)
    assert (row.text, row.partial) == ("full text", False)


def test_times_come_back_as_utc_whatever_zone_went_in(any_store: Store) -> None:
    toronto = timezone(timedelta(hours=-4))
    local = datetime(2026, 10, 1, 8, 0, tzinfo=toronto)
    with any_store.begin() as conn:
        write_messages(conn, [Message(platform="x", platform_id="9", author_id="a",
                                      created_at=local, text="t", kind=MessageKind.POST)], 1)
        stored = conn.execute(select(messages.c.created_at)).scalar_one()
    assert stored == T0
    assert stored.utcoffset() == timedelta(0)


def test_account_fields_missing_from_a_later_source_are_kept(any_store: Store) -> None:
    full = Account(platform="x", platform_id="u1", handle="CandidateA", followers=1200,
                   description="Running in Riverside")
    thin = Account(platform="x", platform_id="u1", handle="CandidateA", followers=1150)
    with any_store.begin() as conn:
        assert write_accounts(conn, [full], 1) == 1
        assert write_accounts(conn, [thin], 2) == 0
        row = conn.execute(select(accounts)).one()
    assert (row.followers, row.description, row.handle_lower) == (1150, "Running in Riverside",
                                                                  "candidatea")


def test_fast_writes_store_times_and_lists_as_sqlalchemy_would(any_store: Store) -> None:
    """Imports bypass SQLAlchemy's per-row processing; rows must still sort and read alike."""
    toronto = timezone(timedelta(hours=-4))
    when = datetime(2026, 10, 1, 8, 0, 5, 120, tzinfo=toronto)
    with any_store.begin() as conn:
        write_messages(conn, [Message(platform="x", platform_id="fast", author_id="a1",
                                      created_at=when, text="t", kind=MessageKind.POST,
                                      mentions=("mp", "riding"))], 1)
        conn.execute(messages.insert().values(
            platform="x", platform_id="typed", author_id="a1", created_at=when, text="t",
            kind="post", visibility="public", mentions=["mp", "riding"], hashtags=[], urls=[],
            partial=False, content_hash="-"))
        raw = conn.exec_driver_sql(
            "SELECT platform_id, created_at, mentions FROM messages ORDER BY platform_id").all()
        typed = conn.execute(select(messages.c.created_at, messages.c.mentions)).all()
        later = conn.execute(select(messages.c.platform_id).where(
            messages.c.created_at > when - timedelta(microseconds=1))).scalars().all()
    assert tuple(raw[0][1:]) == tuple(raw[1][1:])
    assert typed[0] == typed[1] == (when.astimezone(UTC), ["mp", "riding"])
    assert sorted(later) == ["fast", "typed"]
