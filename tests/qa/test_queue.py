"""One event's queue as a moderator and an audience meet it: intake, merging, votes,
moderation with the original kept, the public log, and walls between workspaces (these
last, and the data the stores accept, on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hustings.errors import ConflictError, InvalidInputError, NotFoundError
from hustings.qa import _queue as q
from hustings.store import Store
from hustings.store.schema import qa_clusters, qa_events, qa_log, qa_questions, qa_votes
from hustings.workspace import create_workspace

START = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)


def _event(store: Store, workspace: str = "Riverside", moderation: str = "pre") -> tuple[int, int]:
    ws = create_workspace(store, workspace).id
    with store.begin() as conn:
        event = q.create_event(
            conn,
            ws,
            "Town hall",
            START,
            START + timedelta(hours=2),
            moderation,
            ("web", "manual", "youtube"),
        )
    return ws, event.id


def test_a_question_waits_for_approval_under_pre_moderation(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        asked = q.add_question(conn, ws, event, "When will the bus depot reopen?", "web")
    assert asked.status == "received" and asked.author is None


def test_a_question_shows_at_once_under_post_moderation(store: Store) -> None:
    ws, event = _event(store, moderation="post")
    with store.begin() as conn:
        asked = q.add_question(conn, ws, event, "When will the bus depot reopen?", "web", "Ana")
    assert asked.status == "approved" and asked.author == "Ana"


def test_edit_then_approve_keeps_the_askers_words(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        asked = q.add_question(conn, ws, event, "why r buses so late??", "youtube", "bo")
        approved = q.approve(conn, ws, asked.id, "Why are the buses so late?")
    assert approved.text == "Why are the buses so late?"
    assert approved.original_text == "why r buses so late??"
    assert approved.status == "approved"


def test_a_rewording_joins_the_first_askings_cluster(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        first = q.add_question(conn, ws, event, "What's wrong with the audio?", "youtube")
        other = q.add_question(conn, ws, event, "Why is gas so expensive?", "web")
        again = q.add_question(conn, ws, event, "what is wrong with the sound?", "web")
        log = q.moderation_log(conn, ws, event)
    assert again.cluster_id == first.cluster_id != other.cluster_id
    assert log["received"] == 3 and log["merged"] == 1


def test_a_replayed_chat_message_lands_once(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        one = q.add_question(conn, ws, event, "Is this live?", "youtube", "x", source_id="m1")
        two = q.add_question(conn, ws, event, "Is this live?", "youtube", "x", source_id="m1")
        assert len(q.list_questions(conn, ws, event)) == 1
    assert one.id == two.id


def test_one_vote_per_person_per_cluster(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        asked = q.add_question(conn, ws, event, "Will you fund the library?", "web")
        assert q.vote(conn, ws, asked.cluster_id, "web:visitor-1") is True
        assert q.vote(conn, ws, asked.cluster_id, "web:visitor-1") is False
        assert q.vote(conn, ws, asked.cluster_id, "youtube:UC123") is True
        assert q.list_questions(conn, ws, event)[0].votes == 2


def test_dismissing_needs_a_reason_from_the_list(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        asked = q.add_question(conn, ws, event, "Are you a liar?", "web")
        with pytest.raises(InvalidInputError, match="reason must be one of"):
            q.dismiss(conn, ws, asked.id, "I do not like it")
        q.dismiss(conn, ws, asked.id, "abusive")
        log = q.moderation_log(conn, ws, event)
    assert log["dismissed"]["abusive"] == 1 and log["dismissed"]["spam"] == 0


def test_answered_keeps_the_video_time_and_a_dismissed_question_cannot_be_answered(
    store: Store,
) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        kept = q.add_question(conn, ws, event, "Will you fund the library?", "web")
        gone = q.add_question(conn, ws, event, "Buy cheap watches at example.com?", "web")
        q.approve(conn, ws, kept.id)
        done = q.answer(conn, ws, kept.id, 754.5)
        q.dismiss(conn, ws, gone.id, "spam")
        with pytest.raises(ConflictError, match="dismissed already"):
            q.answer(conn, ws, gone.id, 800.0)
        log = q.moderation_log(conn, ws, event)
    assert done.status == "answered" and done.answered_video_s == 754.5
    assert (log["approved"], log["answered"]) == (1, 1)


def test_split_undoes_a_wrong_merge(store: Store) -> None:
    ws, event = _event(store)
    with store.begin() as conn:
        first = q.add_question(conn, ws, event, "Where are the Epstein files?", "web")
        again = q.add_question(conn, ws, event, "where are the epstein files", "youtube")
        assert again.cluster_id == first.cluster_id
        moved = q.split(conn, ws, again.id)
        with pytest.raises(ConflictError, match="alone"):
            q.split(conn, ws, moved.id)
    assert moved.cluster_id != first.cluster_id


def test_a_source_the_event_does_not_take_is_refused(store: Store) -> None:
    ws = create_workspace(store, "Riverside").id
    with store.begin() as conn:
        event = q.create_event(conn, ws, "AMA", START, START + timedelta(hours=1), "pre", ["web"])
        with pytest.raises(InvalidInputError, match="takes questions from web"):
            q.add_question(conn, ws, event.id, "Hello?", "youtube")


@pytest.mark.parametrize(
    ("title", "moderation", "sources", "hours"),
    [
        ("", "pre", ["web"], 1),
        ("T", "later", ["web"], 1),
        ("T", "pre", ["fax"], 1),
        ("T", "pre", ["web"], 0),
    ],
)
def test_an_event_refuses_bad_settings(
    store: Store, title: str, moderation: str, sources: list[str], hours: int
) -> None:
    ws = create_workspace(store, "Riverside").id
    with store.begin() as conn, pytest.raises(InvalidInputError):
        q.create_event(conn, ws, title, START, START + timedelta(hours=hours), moderation, sources)


def test_both_stores_accept_the_longest_question_and_name(any_store: Store) -> None:
    ws, event = _event(any_store)
    text, name = "é" * 2000, "n" * 255
    with any_store.begin() as conn:
        asked = q.add_question(conn, ws, event, text, "youtube", name, source_id="s" * 255)
        with pytest.raises(InvalidInputError):
            q.add_question(conn, ws, event, text + "x", "web")
    assert (asked.text, asked.author) == (text, name)


def _rows(store: Store, ws: int) -> dict[str, list[tuple[object, ...]]]:
    with store.begin() as conn:
        return {
            t.name: sorted(tuple(r) for r in conn.execute(t.select().where(t.c.workspace_id == ws)))
            for t in (qa_events, qa_clusters, qa_questions, qa_votes, qa_log)
        }


def test_another_workspace_can_neither_see_nor_change_a_workspaces_queue(
    any_store: Store,
) -> None:
    a, event = _event(any_store, "A")
    with any_store.begin() as conn:
        asked = q.add_question(conn, a, event, "Will you fund the library?", "web", "Ana")
        q.vote(conn, a, asked.cluster_id, "web:1")
    before = _rows(any_store, a)
    b, _ = _event(any_store, "B")
    attempts = {
        "get_event": lambda c: q.get_event(c, b, event),
        "list_questions": lambda c: q.list_questions(c, b, event),
        "add_question": lambda c: q.add_question(c, b, event, "Hi?", "web"),
        "approve": lambda c: q.approve(c, b, asked.id, "changed"),
        "dismiss": lambda c: q.dismiss(c, b, asked.id, "spam"),
        "answer": lambda c: q.answer(c, b, asked.id, 1.0),
        "vote": lambda c: q.vote(c, b, asked.cluster_id, "web:2"),
        "split": lambda c: q.split(c, b, asked.id),
        "moderation_log": lambda c: q.moderation_log(c, b, event),
    }
    for name, attempt in attempts.items():
        with any_store.begin() as conn, pytest.raises(NotFoundError):
            attempt(conn)
            pytest.fail(f"{name} reached A's queue")
    with any_store.begin() as conn:
        assert [e.title for e in q.list_events(conn, b)] == ["Town hall"]
        assert all(e.id != event for e in q.list_events(conn, b))
    assert _rows(any_store, a) == before


def test_next_skips_a_rewording_of_a_question_already_answered(store: Store) -> None:
    from hustings.qa import _screen

    ws, event = _event(store, moderation="post")
    with store.begin() as conn:
        first = q.add_question(conn, ws, event, "What's wrong with the audio?", "youtube")
        again = q.add_question(conn, ws, event, "what is wrong with the sound?", "web")
        other = q.add_question(conn, ws, event, "Why is gas so expensive?", "web")
        assert again.cluster_id == first.cluster_id
        assert _screen.next_up(conn, ws, event) == first.id
        _screen.take_down_answered(conn, ws, event, 60.0)
        assert _screen.next_up(conn, ws, event) == other.id
