"""The inbox library: which messages become items, claiming, assignment, SLA, replies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, event, select

from hustings.inbox import ConflictError, InvalidInputError
from hustings.inbox import items as inbox
from hustings.inbox.replies import fill_placeholders, reply, save_canned
from hustings.inbox.sla import BusinessHours, Policy, save_policy, sla_state
from hustings.inbox.sync import sync_inbox
from hustings.inbox.thread import item_detail
from hustings.inbox.views import get_view, save_view
from hustings.ingest.base import Parsed
from hustings.ingest.intake import IntakeResult, push_source, write_units
from hustings.model import Account, Message, MessageKind
from hustings.store import Store
from hustings.store.records import write_accounts, write_messages
from hustings.store.schema import (
    inbox_items,
    inbox_replies,
    messages,
    people,
    person_identities,
)
from tests.web.conftest import Campaign, build_campaign, msg


def _open(c: Campaign, who: str = "manager", **filters: object) -> list[dict[str, object]]:
    with c.store.begin() as conn:
        return inbox.list_items(conn, c.actor(who), inbox.Filters(**filters))  # type: ignore[arg-type]


def _first(c: Campaign) -> int:
    return int(_open(c)[0]["id"])  # type: ignore[call-overload]


def test_inbound_messages_become_items_once(campaign: Campaign) -> None:
    assert sorted(str(i["text"])[:12] for i in _open(campaign, status=None)) == sorted(
        ["When is your", "Great speech", "@northcand w", "Can you call", "Question abo"]
    )
    assert sync_inbox(campaign.store) == 0


def test_items_are_listed_soonest_due_first_and_undated_last(any_campaign: Campaign) -> None:
    dues = [i["due_at"] for i in _open(any_campaign, status=None)]
    dated = [d for d in dues if d is not None]
    assert dated and None in dues
    assert dues == [*sorted(dated), *[None] * (len(dues) - len(dated))]  # type: ignore[type-var]


def test_own_accounts_messages_are_not_items(campaign: Campaign) -> None:
    assert all(i["text"] != "Thanks all" for i in _open(campaign, status=None))


def test_other_workspaces_messages_stay_there(campaign: Campaign) -> None:
    south = _open(campaign, "south", status=None)
    assert [i["text"] for i in south] == ["South voters ask: where do I vote?"]


def test_needs_reply_flags_questions(campaign: Campaign) -> None:
    flags = {str(i["text"])[:5]: i["needs_reply"] for i in _open(campaign, status=None)}
    assert flags["When "] is True and flags["Can y"] is True


def test_claim_then_second_claim_conflicts(campaign: Campaign) -> None:
    item = _first(campaign)
    with campaign.store.begin() as conn:
        inbox.claim(conn, campaign.actor("responder"), item)
    with (
        pytest.raises(ConflictError, match=r"assigned to responder@example\.org"),
        campaign.store.begin() as conn,
    ):
        inbox.claim(conn, campaign.actor("responder2"), item)


def test_concurrent_claims_have_exactly_one_winner(any_campaign: Campaign) -> None:
    """Eight responders press "claim" on the same item at the same instant."""
    item = _first(any_campaign)
    barrier = threading.Barrier(8)
    wins: list[int] = []
    losses: list[int] = []

    def attempt(n: int) -> None:
        actor = any_campaign.actor("responder" if n % 2 else "responder2")
        barrier.wait()
        try:
            with any_campaign.store.begin() as conn:
                inbox.claim(conn, actor, item)
            wins.append(n)
        except ConflictError:
            losses.append(n)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(wins) == 1 and len(losses) == 7


def test_round_robin_takes_turns(campaign: Campaign) -> None:
    ids = [int(i["id"]) for i in _open(campaign)][:3]  # type: ignore[call-overload]
    with campaign.store.begin() as conn:
        chosen = [inbox.assign_round_robin(conn, campaign.actor("manager"), i) for i in ids]
    assert len(set(chosen)) == 3


def test_reply_is_stored_as_outgoing_message_to_post(campaign: Campaign) -> None:
    item = _first(campaign)
    with campaign.store.begin() as conn:
        reply(conn, campaign.actor("responder"), item, "Thursday at 7pm, see you there!")
        detail = item_detail(conn, campaign.actor("responder"), item)
        row = conn.execute(
            select(inbox_replies.c.status, messages.c.kind, messages.c.author_id).join(
                messages, messages.c.id == inbox_replies.c.message_id
            )
        ).one()
    assert detail["status"] == "answered" and detail["first_response_at"] is not None
    assert tuple(row) == ("to_post", "reply", "100")
    assert any(m["to_post"] for m in detail["thread"])


def test_reply_is_placed_one_level_below_the_message_it_answers(campaign: Campaign) -> None:
    item = _first(campaign)
    with campaign.store.begin() as conn:
        answered = inbox.get_item_row(conn, campaign.actor("responder"), item)
        reply(conn, campaign.actor("responder"), item, "Thursday at 7pm, see you there!")
        placed = conn.execute(
            select(messages.c.root_id, messages.c.depth, messages.c.reply_to_id)
            .join(inbox_replies, inbox_replies.c.message_id == messages.c.id)
            .where(inbox_replies.c.item_id == item)
        ).one()
    assert answered.message_depth is not None
    assert tuple(placed) == (
        answered.root_id,
        answered.message_depth + 1,
        answered.message_platform_id,
    )


def test_reply_with_unfilled_placeholder_is_refused(campaign: Campaign) -> None:
    with campaign.store.begin() as conn:
        save_canned(conn, campaign.actor("manager"), "hall", "Hi {first_name}, it is {when}.")
    text = fill_placeholders("Hi {first_name}, it is {when}.", {"first_name": "Sam"})
    with pytest.raises(InvalidInputError, match=r"\{when\}"), campaign.store.begin() as conn:
        reply(conn, campaign.actor("responder"), _first(campaign), text)


def test_canned_reply_without_placeholder_is_refused(campaign: Campaign) -> None:
    with pytest.raises(InvalidInputError, match="placeholder"), campaign.store.begin() as conn:
        save_canned(conn, campaign.actor("manager"), "spam", "Thanks for your message!")


def test_waiting_item_closes_when_the_person_writes_again(campaign: Campaign) -> None:
    item = next(i for i in _open(campaign) if str(i["text"]).startswith("Can you call"))
    with campaign.store.begin() as conn:
        reply(
            conn,
            campaign.actor("responder"),
            int(item["id"]),
            "Sure, what number?",  # type: ignore[call-overload]
            wait_for_answer=True,
        )
        write_messages(
            conn,
            [
                msg(
                    "m8",
                    "1",
                    "555-0100",
                    kind=MessageKind.DM,
                    to=None,
                    to_handle=None,
                    conversation="1-100",
                    minutes_ago=1,
                )
            ],
            None,
        )
    sync_inbox(campaign.store)
    after = {i["text"]: i for i in _open(campaign, status=None)}
    assert after["Can you call me back?"]["status"] == "closed"
    assert after["555-0100"]["status"] == "assigned"
    assert after["555-0100"]["assignee"] == "responder@example.org"


def test_business_hours_push_due_time_to_monday() -> None:
    hours = BusinessHours.parse({"tz": "America/Toronto", "start": "09:00", "end": "17:00"})
    policy = Policy(None, "office", 120, 240, 30, hours)
    friday_4pm = datetime(2026, 1, 9, 21, 0, tzinfo=UTC)
    assert policy.due(friday_4pm, follow_up=False) == datetime(2026, 1, 12, 15, 0, tzinfo=UTC)


def test_sla_warns_then_breaches() -> None:
    due = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    states = [
        sla_state("new", due, None, due - timedelta(minutes=m), 30).value for m in (60, 10, -1)
    ]
    assert states == ["ok", "warning", "breached"]


def test_new_policy_applies_to_new_items(campaign: Campaign) -> None:
    with campaign.store.begin() as conn:
        save_policy(conn, campaign.actor("manager"), Policy(None, "fast", 5, 10, 2))
        write_messages(conn, [msg("m9", "4", "Where can I volunteer?", minutes_ago=0)], None)
    sync_inbox(campaign.store)
    item = next(i for i in _open(campaign) if i["text"] == "Where can I volunteer?")
    assert item["due_at"] is not None and item["sla"] in ("ok", "warning")
    assert item["due_at"] <= datetime.now(UTC) + timedelta(minutes=5)  # type: ignore[operator]


def test_filters_and_saved_views(campaign: Campaign) -> None:
    item = _first(campaign)
    with campaign.store.begin() as conn:
        inbox.claim(conn, campaign.actor("responder"), item)
        view = save_view(conn, campaign.actor("responder"), "mine", inbox.Filters(assignee="me"))
        mine = inbox.list_items(
            conn, campaign.actor("responder"), get_view(conn, campaign.actor("responder"), view)
        )
    assert [i["id"] for i in mine] == [item]
    assert {i["channel"] for i in _open(campaign, channel="email")} == {"email"}


def receive_messages(conn: Connection, workspace_id: int, batch: list[Message]) -> IntakeResult:
    """What ``POST /api/messages`` does with a workspace's push."""
    units = [Parsed(position=n, messages=(m,), unit="item") for n, m in enumerate(batch, 1)]
    return write_units(conn, units, push_source(workspace_id), workspace_id, pushed=True)


def _pushed(pid: str, author: str, text: str) -> Message:
    return msg(pid, author, text, conversation=pid)


def test_a_push_files_one_character_messages_too(campaign: Campaign) -> None:
    """The needs-reply model sees texts shorter than its character n-grams ("?", "x")."""
    with campaign.store.begin() as conn:
        created = receive_messages(
            conn, campaign.north_id, [_pushed("p-q", "41", "?"), _pushed("p-x", "42", "x")]
        ).filed
    assert created == 2
    texts = {i["text"]: i["needs_reply"] for i in _open(campaign, q="")}
    assert texts["?"] is True


def test_a_failed_push_leaves_nothing_half_filed(campaign: Campaign) -> None:
    """The messages and their items are one transaction: no message without its item."""
    with pytest.raises(RuntimeError), campaign.store.begin() as conn:
        receive_messages(conn, campaign.north_id, [_pushed("p-lost", "43", "Anyone there?")])
        raise RuntimeError("the connection dropped before the commit")
    with campaign.store.begin() as conn:
        assert (
            conn.execute(select(messages).where(messages.c.platform_id == "p-lost")).first() is None
        )
        assert (
            receive_messages(
                conn, campaign.north_id, [_pushed("p-lost", "43", "Anyone there?")]
            ).filed
            == 1
        )


def test_simultaneous_pushes_from_a_new_author_make_one_person(any_campaign: Campaign) -> None:
    """Two connectors deliver a stranger's first two messages at once: one person, two
    items, and no person left over from the losing insert."""
    store, north = any_campaign.store, any_campaign.north_id
    first, second = store.engine.connect(), store.engine.connect()
    try:
        first.begin()
        assert receive_messages(first, north, [_pushed("p-a", "77", "Hello?")]).filed == 1
        done: list[int] = []
        racer = threading.Thread(
            target=lambda: done.append(
                receive_messages(second, north, [_pushed("p-b", "77", "Hi?")]).filed
            )
        )
        second.begin()
        racer.start()
        racer.join(timeout=1)  # PostgreSQL: waits on the first's identity row; SQLite: its lock
        first.commit()
        racer.join(timeout=60)
        second.commit()
    finally:
        first.close()
        second.close()
    assert done == [1]
    with store.begin() as conn:
        rows = conn.execute(
            select(person_identities.c.person_id).where(person_identities.c.account_id == "77")
        ).all()
        strangers = conn.execute(select(people.c.id).where(people.c.name == "user77")).all()
    assert len(rows) == 1 and len(strangers) == 1
    found = _open(any_campaign, status=None, person_id=rows[0].person_id)
    assert sorted(i["text"] for i in found) == ["Hello?", "Hi?"]


@contextmanager
def _statements(store: Store) -> Iterator[list[str]]:
    """The SQL statements sent to the database while the block runs."""
    sent: list[str] = []

    def count(*args: Any) -> None:
        sent.append(args[2])

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(store.engine, "before_cursor_execute", count)


def test_a_push_costs_the_same_round_trips_whatever_its_size(
    postgres_url: str, web_factory: Any
) -> None:
    """A connector's push of 50 messages waits on the database server no more often than
    one of 10: each message stored once and filed once, from batch-wide statements. (On
    PostgreSQL, where each statement is a round trip; SQLite runs in-process, and there
    SQLAlchemy inserts the new people one by one to return their ids in order.)"""
    store = Store.open(postgres_url)
    build_campaign(store)
    owner = web_factory(store, "owner@example.org")

    def push(size: int, tag: str) -> tuple[int, int]:
        body = [
            {
                "platform": "x",
                "platform_id": f"{tag}-{n}",
                "author_id": f"{tag}-author-{n}",
                "created_at": datetime.now(UTC).isoformat(),
                "text": "When is the town hall?" if n % 2 else "Thanks!",
                "kind": "reply",
                "reply_to_account_id": "100",
                "reply_to_handle": "northcand",
            }
            for n in range(size)
        ]
        with _statements(store) as sent:
            response = owner.post("/api/messages", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["filed"]), len(sent)

    (ten, small), (fifty, large) = push(10, "ten"), push(50, "fifty")
    assert (ten, fifty) == (10, 50)
    assert large == small
    assert push(50, "fifty")[0] == 0  # the same push again: stored and filed already
    with store.begin() as conn:
        filed = conn.execute(
            select(messages.c.platform_id)
            .join(inbox_items, inbox_items.c.message_id == messages.c.id)
            .where(messages.c.platform_id.like("fifty-%"))
        ).scalars()
        assert sorted(filed) == sorted(f"fifty-{n}" for n in range(50))
    store.close()


def test_a_pushed_author_keeps_the_profiles_their_account_links(any_campaign: Campaign) -> None:
    """The author's account record (URL, bio) is merge evidence on the person filed."""
    bio = "Volunteer. mailto:jo@voter.example"
    with any_campaign.store.begin() as conn:
        write_accounts(conn, [Account("x", "88", "jo", description=bio)], None)
        assert (
            receive_messages(
                conn, any_campaign.north_id, [_pushed("p-jo", "88", "Can I help?")]
            ).filed
            == 1
        )
        linked = conn.execute(
            select(person_identities.c.linked).where(person_identities.c.account_id == "88")
        ).scalar_one()
    assert linked == [["email", "jo@voter.example"]]


def test_the_warning_margin_comes_from_the_active_policy(any_campaign: Campaign) -> None:
    c, text = any_campaign, "Where can I volunteer?"
    with c.store.begin() as conn:
        save_policy(conn, c.actor("manager"), Policy(None, "fast", 5, 10, 10))
        write_messages(conn, [msg("m9", "4", text, minutes_ago=0)], None)
    sync_inbox(c.store)

    def state() -> tuple[object, object, bool]:
        item = next(i for i in _open(c) if i["text"] == text)
        with c.store.begin() as conn:
            detail = item_detail(conn, c.actor("manager"), int(item["id"]))  # type: ignore[call-overload]
        return item["sla"], detail["sla"], text in [i["text"] for i in _open(c, sla="warning")]

    assert state() == ("warning", "warning", True)  # due within 5 minutes, warned 10 ahead
    with c.store.begin() as conn:
        save_policy(conn, c.actor("manager"), Policy(None, "calm", 5, 10, 0))
    assert state() == ("ok", "ok", False)
