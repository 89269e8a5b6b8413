"""The waiting list shows each unanswered message with its text, however its time was cut.

The texts are looked up after the fact, for the listed messages only, by id and within the
span of their times (so that the engine can skip files that cannot hold them). Times carry
fractions of a second that the audit's clock drops: a message sent at 11:30:00.250 must
still be found when the span ends at 11:30:00.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from hustings.metrics import AuditParams, read_snapshot, run_audit
from hustings.model import Message, MessageKind, Role, TrackedAccount
from tests.metrics.conftest import build_snapshot

T0 = datetime(2026, 3, 2, tzinfo=UTC)
PARAMS = AuditParams(since=T0, until=T0 + timedelta(days=1), min_posts=1)
QUESTIONS = {
    "q1": ("c1", T0 + timedelta(hours=10, milliseconds=600), "When is the hustings?"),
    "q2": ("c2", T0 + timedelta(hours=11, minutes=30, milliseconds=250), "Can you help me?"),
}


def _messages() -> list[Message]:
    post = Message(
        platform="x",
        platform_id="p1",
        author_id="A",
        author_handle="alice",
        created_at=T0 + timedelta(hours=9),
        text="Our plan for the buses",
        kind=MessageKind.POST,
        conversation_id="p1",
    )
    replies = [
        Message(
            platform="x",
            platform_id=pid,
            author_id=person,
            author_handle=f"{person}_handle",
            created_at=at,
            text=text,
            kind=MessageKind.REPLY,
            reply_to_id="p1",
            reply_to_account_id="A",
            conversation_id="p1",
        )
        for pid, (person, at, text) in QUESTIONS.items()
    ]
    return [post, *replies]


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tracked = [TrackedAccount(platform="x", handle="alice", role=Role.CANDIDATE, platform_id="A")]
    return build_snapshot(tmp_path_factory.mktemp("waiting"), _messages(), tracked)


def test_every_waiting_message_keeps_its_text_and_sender(con: Any, snapshot: Path) -> None:
    card = run_audit(read_snapshot(con, snapshot), PARAMS, engine=con.name, groupings=())
    waiting = card.waiting.set_index("platform_id").sort_index()
    assert card.waiting_total == 2
    assert waiting["text"].tolist() == [text for _, _, text in QUESTIONS.values()]
    assert waiting["person_handle"].tolist() == ["c1_handle", "c2_handle"]
    assert waiting["handle"].tolist() == ["alice", "alice"]
