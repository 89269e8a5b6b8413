"""Erasure across workspaces (issue 16): what one workspace's erasure removes, keeps and
redacts, on SQLite and PostgreSQL. North and South are the two campaigns of
``tests/web/conftest.py``: North owns ``@northcand`` (x:100), South owns ``@southcand``
(x:200); citizens ``user1``, ``user2``, ``user3`` write to North."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as pads
import pytest
from sqlalchemy import func, select

from hustings.inbox import InvalidInputError
from hustings.inbox.items import Filters, list_items
from hustings.inbox.replies import reply
from hustings.inbox.sync import sync_inbox
from hustings.ingest.readers import quarantined
from hustings.model import Account, FollowerSnapshot, MessageKind
from hustings.people import Stance, StanceSource
from hustings.people.core import add_identity, add_note, add_tag, list_people
from hustings.people.merge import merge_people
from hustings.people.privacy import erase_person, person_detail
from hustings.people.stance import record_stance
from hustings.store.batches import quarantine_records, start_batch
from hustings.store.parquet import export_parquet
from hustings.store.records import write_accounts, write_messages, write_snapshots
from hustings.store.schema import accounts, audit_log, messages, people, quarantine
from hustings.workspace import Actor, list_audit
from tests.people.helpers import score_message, tables_containing
from tests.web.conftest import Campaign, msg


def _person(c: Campaign, actor: Actor, handle: str) -> int:
    with c.store.begin() as conn:
        found = list_people(conn, actor, q=handle)
    assert len(found) == 1, found
    return int(found[0]["id"])


def _text(c: Campaign, platform_id: str) -> Any:
    with c.store.begin() as conn:
        return conn.execute(select(messages).where(messages.c.platform_id == platform_id)).first()


def _item(c: Campaign, actor: Actor, text: str) -> int:
    with c.store.begin() as conn:
        items = list_items(conn, actor, Filters(status=None), limit=200)
    return int(next(i["id"] for i in items if i["text"] == text))


def _post(c: Campaign, *messages_: Any) -> None:
    with c.store.begin() as conn:
        write_messages(conn, list(messages_), None)
    sync_inbox(c.store)


# --- item 2: an identity that is another workspace's tracked account -------------------


def test_attaching_another_workspaces_tracked_account_is_refused(any_campaign: Campaign) -> None:
    c, south = any_campaign, any_campaign.actor("south")
    voter = _person(c, south, "user9")
    with c.store.begin() as conn:
        with pytest.raises(InvalidInputError, match="tracked account of another workspace"):
            add_identity(conn, south, voter, "x", "100", "northcand")
        with pytest.raises(InvalidInputError, match="tracked account of another workspace"):
            add_identity(conn, south, voter, "X", "NorthCand")  # known by handle alone
        add_identity(conn, south, voter, "x", "9001", "someone")  # an ordinary account is fine


def test_the_api_refuses_another_workspaces_tracked_account(
    any_campaign: Campaign, web_factory: Any
) -> None:
    south = web_factory(any_campaign.store, "south@example.org")
    voter = _person(any_campaign, any_campaign.actor("south"), "user9")
    response = south.post(
        f"/api/people/{voter}/identities", json={"platform": "x", "account_id": "100"}
    )
    assert response.status_code == 422
    assert "tracked account of another workspace" in response.text


# --- item 2: erasure keeps what is not this workspace's to erase ------------------------


def test_erasing_a_tracked_accounts_person_keeps_its_posts_and_profile(
    any_campaign: Campaign,
) -> None:
    """South's candidate writes to North, so North's inbox made a person of it; North
    erasing that person must not take South's candidate's posts or profile with it."""
    c, north = any_campaign, any_campaign.actor("manager")
    with c.store.begin() as conn:
        write_accounts(conn, [Account("x", "200", "southcand", "South Candidate")], None)
    own_posts = [
        msg(f"s{i}", "200", f"My plan for South, part {i}", kind=MessageKind.POST, to=None)
        for i in range(5)
    ]
    _post(c, msg("s-to-north", "200", "@northcand debate me", mentions=("northcand",)), *own_posts)
    southcand = _person(c, north, "user200")
    with c.store.begin() as conn:
        counts = erase_person(conn, north, southcand)
        written = conn.execute(
            select(func.count()).select_from(messages).where(messages.c.author_id == "200")
        ).scalar_one()
        profile = conn.execute(
            select(accounts.c.handle).where(accounts.c.platform_id == "200")
        ).scalar()
    assert (written, profile) == (6, "southcand")
    assert counts["messages"] == 0
    assert _text(c, "s-to-north").text == "@northcand debate me"


def test_erasing_a_person_both_workspaces_know_keeps_the_other_workspaces_reply_and_data(
    any_campaign: Campaign,
) -> None:
    c, north, south = any_campaign, any_campaign.actor("manager"), any_campaign.actor("south")
    asked = "@southcand and @northcand: fix the buses"
    _post(c, msg("both", "1", asked, kind=MessageKind.POST, to=None, mentions=("southcand",)))
    south_view = _person(c, south, "user1")
    with c.store.begin() as conn:
        reply(conn, south, _item(c, south, asked), "South will fix the buses, user1")
        add_tag(conn, south, south_view, "transit")
        record_stance(conn, south, south_view, Stance.SUPPORT)
        reply(conn, north, _item(c, north, "Can you call me back?"), "North calls at 5, user1")
        counts = erase_person(conn, north, _person(c, north, "user1"))
        kept = person_detail(conn, south, south_view)
    assert counts["people"] == 1 and counts["replies"] == 1
    assert kept["tags"] == ["transit"]
    assert [(st["target"], st["value"]) for st in kept["stances"]] == [("southcand", "support")]
    assert [i["text"] for i in kept["items"]] == [asked]
    with c.store.begin() as conn:
        texts = set(conn.execute(select(messages.c.text)).scalars())
    assert "South will fix the buses, user1" in texts
    assert "North calls at 5, user1" not in texts
    assert asked in texts  # South's inbox holds it


def test_a_third_partys_message_to_the_person_is_kept_with_the_handle_redacted(
    any_campaign: Campaign,
) -> None:
    c, north = any_campaign, any_campaign.actor("manager")
    neighbour = msg("t1", "3", "@user1 you are so right about the buses", to="1", to_handle="user1")
    candidate = msg("t2", "100", "@USER1 thanks, see you there", to="1", to_handle="user1")
    dm = msg(
        "t3",
        "100",
        "Calling you at 5",
        kind=MessageKind.DM,
        to=None,
        to_handle=None,
        conversation="1-100",
    )
    mention = msg(
        "t4",
        "3",
        "cc @user1 and @user12",
        kind=MessageKind.POST,
        to=None,
        mentions=("user1", "user12"),
    )
    _post(c, neighbour, candidate, dm, mention)
    user1, user3 = _person(c, north, "user1"), _person(c, north, "user3")
    with c.store.begin() as conn:
        add_note(conn, north, user3, "Lives next to @User1 on the bus route")
        counts = erase_person(conn, north, user1)
        notes = person_detail(conn, north, user3)["notes"]
    t1, t2, t3, t4 = (_text(c, f"t{i}") for i in range(1, 5))
    assert t1.text == "@[erased] you are so right about the buses"
    assert (t1.reply_to_account_id, t1.reply_to_handle) == ("[erased]", "[erased]")
    assert t1.author_handle == "user3"
    assert t2.text == "@[erased] thanks, see you there" and t2.author_id == "100"
    assert (t3.text, t3.conversation_id) == ("Calling you at 5", "[erased]-100")
    assert (t4.text, t4.mentions) == ("cc @[erased] and @user12", ["[erased]", "user12"])
    assert counts["redacted_messages"] == 4
    assert [n["text"] for n in notes] == ["Lives next to @[erased] on the bus route"]


def test_a_workspaces_own_reply_to_the_person_goes_but_a_pushed_third_party_message_stays(
    any_campaign: Campaign,
) -> None:
    """Rows North typed or pushed carry its id (schema 0006): its own account's reply to
    the person is North's data about them; a neighbour's message it pushed is not."""
    c, north = any_campaign, any_campaign.actor("manager")
    pushed = msg("w1", "3", "@user1 agreed, the 12 is always late", to="1", to_handle="user1")
    drafted = msg("w2", "100", "@user1 we hear you", to="1", to_handle="user1")
    _post(c, pushed, drafted)
    with c.store.begin() as conn:
        conn.execute(
            messages.update()
            .where(messages.c.platform_id.in_(["w1", "w2"]))
            .values(workspace_id=c.north_id)
        )
        erase_person(conn, north, _person(c, north, "user1"))
    assert _text(c, "w2") is None
    assert _text(c, "w1").text == "@[erased] agreed, the 12 is always late"


# --- item 4: merge chains -------------------------------------------------------------


def test_erasure_follows_the_whole_merge_chain(any_campaign: Campaign) -> None:
    c, north = any_campaign, any_campaign.actor("manager")
    first, middle, last = (_person(c, north, h) for h in ("user3", "user2", "user1"))
    with c.store.begin() as conn:
        merge_people(conn, north, middle, first)  # 23 into 22
        merge_people(conn, north, last, middle)  # then 22 into 24
        counts = erase_person(conn, north, last)  # then erase 24
        left = conn.execute(select(people.c.id).where(people.c.id.in_([first, middle, last]))).all()
        listed = {p["id"] for p in list_people(conn, north)}
    assert counts["people"] == 3 and left == []
    assert first not in listed
    assert tables_containing(c.store, "bus route") == []  # user3's own words went too


# --- item 5: nothing of the person left anywhere ---------------------------------------


def test_nothing_of_the_person_survives_in_any_table_or_the_parquet_export(
    any_campaign: Campaign, tmp_path: Path
) -> None:
    c, north = any_campaign, any_campaign.actor("manager")
    raw = '{"id": "q1", "author_id": "1", "username": "user1", "text": "my secret plan'
    alice = _person(c, north, "user1")
    with c.store.begin() as conn:
        write_accounts(conn, [Account("x", "1", "user1", "Ursula One", "lives on Elm St")], None)
        day = datetime.now(UTC).replace(microsecond=0)
        write_snapshots(
            conn,
            [FollowerSnapshot("x", "1", day - timedelta(days=d), 40 + d) for d in range(3)],
        )
        batch = start_batch(conn, "tweets.jsonl", "x-api-v2", "f" * 64)
        quarantine_records(conn, batch, [quarantined("tweets.jsonl", 7, "line", "bad JSON", raw)])
        add_note(conn, north, alice, "Ursula called about Elm St")
    score_message(c.store, "m1", "needs_reply", "needs_reply", 0.9)
    with c.store.begin() as conn:
        counts = erase_person(conn, north, alice)
        excerpt = conn.execute(select(quarantine.c.excerpt, quarantine.c.source)).one()
    for needle in ("user1", "Ursula", "Elm St", "secret plan", "town hall in Northville"):
        assert tables_containing(c.store, needle) == [], needle
    assert tuple(excerpt) == ("[erased]", "tweets.jsonl")  # the place stays, for the import
    assert counts["follower_snapshots"] == 3 and counts["profiles"] == 1
    assert counts["scores"] == 1
    written = export_parquet(c.store, tmp_path / "snapshot")
    for name, path in written.items():
        table = pads.dataset(path, partitioning="hive").to_table()
        cells = [
            str(v)
            for column in table.columns
            if not pa.types.is_timestamp(column.type)
            for v in column.to_pylist()
        ]
        for needle in ("user1", "Ursula", "town hall in Northville"):
            word = re.compile(rf"(?<!\w){needle}(?!\w)")
            assert not any(word.search(cell) for cell in cells), (name, needle)
        if name == "follower_snapshots":
            assert table.num_rows == 0


def test_the_audit_log_records_only_who_erased_when_and_counts(any_campaign: Campaign) -> None:
    c, north = any_campaign, any_campaign.actor("manager")
    alice = _person(c, north, "user1")
    with c.store.begin() as conn:
        add_tag(conn, north, alice, "donor")
        counts = erase_person(conn, north, alice)
        log = list_audit(conn, north)
        about = conn.execute(
            select(audit_log).where(
                audit_log.c.target_type == "person", audit_log.c.target_id == alice
            )
        ).all()
    assert about == []
    erased = log[0]
    assert (erased["action"], erased["user"], erased["detail"]) == (
        "person.erase",
        "manager@example.org",
        counts,
    )
    assert erased["target_type"] == "erasure"
    assert any(e["action"] == "person.tag" and e["detail"] == {} for e in log)


def test_erasing_through_the_web_drops_the_cached_audit_scorecard(
    campaign: Campaign, web_factory: Any
) -> None:
    """The dashboard's audit keeps the people who waited in vain, words and handles."""
    web = web_factory(campaign.store, "manager@example.org")
    cache = web.app.state.audit
    cache.refresh(campaign.store)
    assert any("town hall in Northville" in t for t in cache._last.card.waiting["text"])
    alice = _person(campaign, campaign.actor("manager"), "user1")
    assert web.request("DELETE", f"/api/people/{alice}").status_code == 200
    assert not cache.ready
    assert "has not run yet" in web.get("/dashboard").text


# --- item 8: only enrichment writes model stances -------------------------------------


def test_staff_cannot_record_a_model_stance(any_campaign: Campaign) -> None:
    c, responder = any_campaign, any_campaign.actor("responder")
    alice = _person(c, responder, "user1")
    with c.store.begin() as conn, pytest.raises(InvalidInputError, match="hustings nlp enrich"):
        record_stance(conn, responder, alice, Stance.OPPOSE, StanceSource.MODEL)
    with c.store.begin() as conn:
        assert person_detail(conn, responder, alice)["stance_history"] == []


def test_the_stance_api_refuses_source_model(any_campaign: Campaign, web_factory: Any) -> None:
    web = web_factory(any_campaign.store, "responder@example.org")
    alice = _person(any_campaign, any_campaign.actor("responder"), "user1")
    claimed = web.post(f"/api/people/{alice}/stance", json={"value": "oppose", "source": "model"})
    assert claimed.status_code == 422
    assert "hustings nlp enrich" in claimed.text
    said = {"value": "support", "source": "self_declared"}
    recorded = web.post(f"/api/people/{alice}/stance", json=said).json()
    assert recorded == {"target": "northcand", "stance": "support"}
    history = web.get(f"/api/people/{alice}").json()["stance_history"]
    assert [e["source"] for e in history] == ["self_declared"]
