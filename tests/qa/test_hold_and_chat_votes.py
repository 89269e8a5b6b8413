"""The incivility pre-filter holds abusive questions from the real political chat for review
(kept, never deleted, counted in the public log), and "+1" lines in chat vote for the
question above them, once per person per cluster."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

import pytest

from hustings import qa
from hustings.errors import ConflictError
from hustings.qa._youtube import ChatLine, take_questions
from hustings.store import Store
from hustings.workspace import create_workspace
from tests.conftest import shared_data_dir

CHAT = shared_data_dir() / "live-qa" / "youtube-live-chat-political"
START = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def _event(store: Store, moderation: str = "post") -> tuple[int, int]:
    ws = create_workspace(store, "Riverside").id
    with store.begin() as conn:
        event = qa.create_event(conn, ws, "Town hall", START, START + timedelta(hours=2),
                                moderation, ("web", "manual", "youtube"))  # fmt: skip
    return ws, event.id


def _line(i: int, author: str, text: str) -> ChatLine:
    return ChatLine(f"m{i}", author, f"UC-{author}", text, START + timedelta(seconds=i))


@pytest.mark.skipif(not CHAT.is_dir(), reason=f"shared chat absent: {CHAT}")
def test_abusive_questions_from_the_real_chat_are_held_not_shown_not_deleted(
    store: Store,
) -> None:
    with (CHAT / "white_house_press_briefing_2025-03-17.csv").open(encoding="utf-8") as f:
        texts = [row["message"] for row in csv.DictReader(f)][:3000]
    questions = [t for t, q in zip(texts, qa.load_detector().is_question(texts), strict=True) if q]
    abusive = [t for t, bad in zip(questions, qa.uncivil(questions), strict=True) if bad][:5]
    assert len(abusive) == 5
    ws, event = _event(store)  # post-moderation: what is not held is shown at once
    with store.begin() as conn:
        civil = qa.add_question(conn, ws, event, "When will the bus depot reopen?", "web")
        held = [qa.add_question(conn, ws, event, t, "youtube", "viewer") for t in abusive]
        assert civil.status == "approved"
        assert {h.status for h in held} == {"held"}
        with pytest.raises(ConflictError):  # a held question cannot go on screen
            qa.show(conn, ws, event, held[0].id)
        released = qa.approve(conn, ws, held[0].id)
        dismissed = qa.dismiss(conn, ws, held[1].id, "abusive")
        log = qa.moderation_log(conn, ws, event)
        kept = qa.list_questions(conn, ws, event)
    assert released.status == "approved" and dismissed.status == "dismissed"
    assert len(kept) == 6  # nothing deleted
    assert log["held"] == 5 and log["dismissed"]["abusive"] == 1 and log["approved"] == 1


def test_plus_one_lines_vote_for_the_question_above_once_per_person(store: Store) -> None:
    ws, event = _event(store)
    lines = [
        _line(1, "ana", "when will the bus depot reopen?"),
        _line(2, "bo", "+1"),
        _line(3, "bo", "+1 !!"),  # the same person again: still one vote
        _line(4, "cy", "same question"),
        _line(5, "dee", "why is the pool closed on sundays?"),
        _line(6, "eve", "+1 @ana"),  # points back at Ana's question, not the pool one
        _line(7, "fay", "same thing happened to me at the pool"),  # says more: no vote
    ]
    with store.begin() as conn:
        assert take_questions(conn, ws, event, lines) == 2
        asked = {q.author: q for q in qa.list_questions(conn, ws, event)}
    assert asked["ana"].votes == 3  # bo, cy, eve
    assert asked["dee"].votes == 0


def test_a_plus_one_before_any_question_counts_nothing(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        assert take_questions(conn, ws, event, [_line(1, "bo", "+1")]) == 0
        assert qa.list_questions(conn, ws, event) == []
