"""After the event, unanswered questions reach the inbox addressed to their askers, in the
channel they used, with the event named; web-form and hand-typed questions (no address)
stay out and are counted; once only; never across workspaces (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hustings import qa
from hustings.errors import ConflictError, NotFoundError, PermissionDeniedError
from hustings.inbox import items
from hustings.model import Role as AccountRole
from hustings.model import TrackedAccount
from hustings.qa._youtube import ChatLine, take_questions
from hustings.store import Store
from hustings.store.records import write_tracked
from hustings.workspace import Actor, Role, add_account, add_user, create_workspace

START = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
AFTER = START + timedelta(hours=3)


def _ended_event(store: Store, channel: bool = True) -> tuple[int, int, dict[str, int]]:
    ws = create_workspace(store, "Riverside").id
    with store.begin() as conn:
        if channel:
            own = TrackedAccount(
                "youtube", "riversidelive", AccountRole.CANDIDATE, platform_id="UC-own"
            )
            write_tracked(conn, [own])
            add_account(conn, Actor.system(ws), "youtube", "riversidelive")
        sources = ("web", "manual", "youtube")
        end = START + timedelta(hours=2)
        event = qa.create_event(conn, ws, "Riverside town hall", START, end, "post", sources)
        lines = [
            ChatLine("c1", "Ana", "UC-ana", "When will the bus depot reopen?", START),
            ChatLine("c2", "Bo", "UC-bo", "Why is the pool shut on Sundays?", START),
            ChatLine("c3", "Cy", "UC-cy", "Will the ferry run in winter?", START),
        ]
        take_questions(conn, ws, event.id, lines)
        ids = {q.author or "": q.id for q in qa.list_questions(conn, ws, event.id)}
        qa.add_question(conn, ws, event.id, "Can the library open later?", "web", "Dee")
        qa.add_question(conn, ws, event.id, "Is the clinic moving?", "manual", "Phone caller")
        qa.answer(conn, ws, ids["Ana"], 600.0)
        qa.dismiss(conn, ws, ids["Cy"], "off_topic")
    return ws, event.id, ids


def test_an_unanswered_chat_question_becomes_an_inbox_item_to_its_asker(
    any_store: Store,
) -> None:
    ws, event, _ = _ended_event(any_store)
    host = Actor.system(ws)
    with any_store.begin() as conn:
        result = qa.file_unanswered(conn, host, event, AFTER)
        again = qa.file_unanswered(conn, host, event, AFTER)
        found = items.list_items(conn, host, items.Filters(status=None))
    # Bo's question only: Ana's was answered, Cy's dismissed; Dee's (web) and the phone
    # caller's have no address to answer and stay out.
    assert result == qa.FollowUps(filed=1, no_contact=2, no_account=0)
    assert again.filed == 0
    assert [(i["channel"], i["author_handle"], i["text"]) for i in found] == [
        ("youtube", "Bo", "Why is the pool shut on Sundays?")
    ]
    assert found[0]["subject"] == "Unanswered at Riverside town hall (06 Dec 2026)"
    assert found[0]["account"] == "riversidelive"


def test_without_an_account_on_the_platform_nothing_is_filed_and_it_says_so(
    store: Store,
) -> None:
    ws, event, _ = _ended_event(store, channel=False)
    with store.begin() as conn:
        result = qa.file_unanswered(conn, Actor.system(ws), event, AFTER)
    assert result == qa.FollowUps(filed=0, no_contact=2, no_account=1)


def test_follow_ups_wait_for_the_end_and_for_the_host(any_store: Store) -> None:
    ws, event, _ = _ended_event(any_store)
    mod = add_user(
        any_store, "mod@riverside.example", "moderator pass 1", "Riverside", Role.RESPONDER
    )
    other = create_workspace(any_store, "Elsewhere").id
    with any_store.begin() as conn:
        qa.set_role(conn, Actor.system(ws), event, "mod@riverside.example", "moderator")
        with pytest.raises(ConflictError, match="has not ended"):
            qa.file_unanswered(conn, Actor.system(ws), event, START + timedelta(hours=1))
        moderator = Actor(ws, mod.id, Role.RESPONDER, "mod@riverside.example")
        with pytest.raises(PermissionDeniedError):
            qa.file_unanswered(conn, moderator, event, AFTER)
        with pytest.raises(NotFoundError):
            qa.file_unanswered(conn, Actor.system(other), event, AFTER)
