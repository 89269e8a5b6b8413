"""Context records (``partial``) are not the account's own output, but stay response evidence.

An X page carries, besides its tweets, the tweets they refer to (``includes.tweets``); the
importers store those as partial records. Alice has four tweets of her own in the data and
two partial ones: her older post a citizen replied to, and her reply to a citizen that was
only seen as the parent of another tweet. A citizen's tweet seen only because Alice answered
it is not an inbound message: counting it would report a timeline as fully answered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import AuditParams, Denominator, read_snapshot, run_audit
from hustings.model import Message, MessageKind, ReplyLink, Role, TrackedAccount
from tests.metrics.conftest import build_snapshot

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PARAMS = AuditParams(
    since=T0, until=T0 + timedelta(days=7), denominator=Denominator.ALL, min_posts=3
)


def _msg(
    pid: str, author: str, hours: int, parent: tuple[str, str] | None = None, partial: bool = False
) -> Message:
    reply: dict[str, Any] = {}
    if parent is not None:
        reply = {
            "reply_to_id": parent[0],
            "reply_to_account_id": parent[1],
            "reply_link": ReplyLink.MESSAGE,
        }
    return Message(
        platform="x",
        platform_id=pid,
        author_id=author,
        author_handle=author.lower(),
        created_at=T0 + timedelta(hours=hours),
        text="what about the buses?",
        kind=MessageKind.REPLY if parent else MessageKind.POST,
        conversation_id="c",
        partial=partial,
        **reply,
    )


MESSAGES = [
    _msg("a1", "A", 1),
    _msg("a0", "A", 2, partial=True),  # her post, seen as the parent of c1's reply
    _msg("c1", "C1", 3, parent=("a0", "A")),
    _msg("a2", "A", 4, parent=("c1", "C1")),
    _msg("c2", "C2", 5, parent=("a1", "A")),
    _msg("a3", "A", 6, parent=("c2", "C2"), partial=True),  # her answer, seen as context
    _msg("a4", "A", 7),
    _msg("c9", "C9", 8, partial=True),  # a citizen's tweet, seen only as a9's parent
    _msg("a9", "A", 9, parent=("c9", "C9")),
    # B: two tweets of its own and two context records
    _msg("b1", "B", 1),
    _msg("b2", "B", 2),
    _msg("b3", "B", 3, partial=True),
    _msg("b4", "B", 4, partial=True),
]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tracked = [TrackedAccount(platform="x", handle="a", role=Role.CANDIDATE, platform_id="A")]
    return build_snapshot(tmp_path_factory.mktemp("partial"), MESSAGES, tracked)


@pytest.fixture(scope="module")
def bare_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_snapshot(tmp_path_factory.mktemp("partial-bare"), MESSAGES)


def test_context_records_are_not_counted_as_own_messages(con: Any, snapshot: Path) -> None:
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    alice = card.accounts.set_index("akey").loc["x:A"]
    assert alice["messages"] == 4
    assert alice["broadcast_share"] == pytest.approx(2 / 4)
    assert alice["reply_share_citizens"] == pytest.approx(2 / 4)
    # both citizens were answered: one by a full tweet, one by a reply seen only as context;
    # C9's tweet, known only as the parent of Alice's answer, is not inbound
    assert alice["inbound"] == 2
    assert alice["response_rate_24h"] == 1.0


def test_context_records_do_not_make_an_account_busy_enough_to_audit(
    con: Any, bare_snapshot: Path
) -> None:
    card = run_audit(read_snapshot(con, bare_snapshot), PARAMS, engine=con.name, groupings=())
    assert list(card.accounts["akey"]) == ["x:A"]
