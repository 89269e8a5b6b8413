"""Threads: depth and root from reply links, and no invented links."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hustings.model import Message, MessageKind, ReplyLink
from hustings.threads import build_thread, resolve_depths

T0 = datetime(2026, 10, 1, tzinfo=UTC)


def test_reply_to_a_reply_is_two_deep_under_its_root() -> None:
    depths = resolve_depths({"root": None, "r1": "root", "r2": "r1", "other": None})
    assert depths == {"root": ("root", 0), "r1": ("root", 1), "r2": ("root", 2),
                      "other": ("other", 0)}


def test_reply_to_a_missing_parent_has_unknown_depth() -> None:
    depths = resolve_depths({"r1": "deleted", "r2": "r1"})
    assert depths == {"r1": None, "r2": None}


def test_a_cycle_in_corrupt_data_does_not_hang() -> None:
    assert resolve_depths({"a": "b", "b": "a"}) == {"a": None, "b": None}


def test_long_chain_resolves_without_recursion_limit() -> None:
    chain = {"m0": None} | {f"m{i}": f"m{i - 1}" for i in range(1, 5000)}
    assert resolve_depths(chain)["m4999"] == ("m0", 4999)


def _m(pid: str, author: str, minutes: int, parent: str | None = None,
       link: ReplyLink | None = None) -> Message:
    return Message(platform="x", platform_id=pid, author_id=author,
                   created_at=T0 + timedelta(minutes=minutes), text=pid,
                   kind=MessageKind.REPLY if link else MessageKind.POST, reply_to_id=parent,
                   reply_link=link)


def test_thread_orders_turns_and_lists_participants_in_order_of_arrival() -> None:
    thread = build_thread("p", [
        _m("r2", "citizen", 30, "r1", ReplyLink.MESSAGE),
        _m("p", "candidate", 0),
        _m("r1", "citizen", 10, "p", ReplyLink.MESSAGE),
        _m("r3", "candidate", 45, "r2", ReplyLink.MESSAGE),
    ])
    assert [t.message.platform_id for t in thread.turns] == ["p", "r1", "r2", "r3"]
    assert [t.depth for t in thread.turns] == [0, 1, 2, 3]
    assert thread.participants == ("candidate", "citizen")
    assert thread.max_depth == 3


def test_account_level_reply_gets_no_message_parent_and_unknown_depth() -> None:
    thread = build_thread("p", [_m("p", "candidate", 0),
                                _m("c", "citizen", 5, None, ReplyLink.ACCOUNT)])
    reply = thread.turns[1]
    assert (reply.depth, reply.parent_id) == (None, None)
