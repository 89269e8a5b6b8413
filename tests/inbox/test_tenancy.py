"""Workspaces are walls: what one workspace pushes or types never changes, reaches or shows
in another (issue 16, items 1 and 3). Each attack as the issue reported it, on SQLite and
PostgreSQL, through the JSON API a hostile tenant would use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pyarrow.dataset as pads
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from hustings.cli.main import app
from hustings.inbox.sync import sync_inbox
from hustings.ingest.runner import import_paths
from hustings.listen import ListenQuery, load_corpus
from hustings.model import Message, MessageKind, TrackedAccount, Visibility
from hustings.model import Role as AccountRole
from hustings.store.parquet import export_parquet
from hustings.store.records import NOT_IMPORTS, write_messages, write_tracked
from hustings.store.schema import messages
from hustings.workspace import Actor, add_account
from tests.web.conftest import Campaign, msg, share_account

_NORTH_OWNER, _SOUTH_OWNER = "owner@example.org", "south@example.org"
_MASTODON_NORTH, _MASTODON_SOUTH = "north@social.example", "south@social.example"


def _texts(web: Any) -> list[str]:
    """The texts of every item in the signed-in workspace's inbox, as its staff list them."""
    response = web.get("/api/items?status=any&limit=500")
    assert response.status_code == 200, response.text
    return [i["text"] for i in response.json()]


def _item(web: Any, text: str) -> dict[str, Any]:
    """The item whose message says ``text``, opened as staff open it (thread and all)."""
    listed = web.get("/api/items?status=any&limit=500").json()
    (item,) = [i for i in listed if i["text"] == text]
    response = web.get(f"/api/items/{item['id']}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _thread(web: Any, text: str) -> list[str]:
    return [m["text"] for m in _item(web, text)["thread"]]


def _when(minutes_ago: int = 5) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


def _mastodon(c: Campaign) -> None:
    """North and South each get a Mastodon account on the same server."""
    with c.store.begin() as conn:
        write_tracked(
            conn,
            [
                TrackedAccount("mastodon", _MASTODON_NORTH, AccountRole.CANDIDATE),
                TrackedAccount("mastodon", _MASTODON_SOUTH, AccountRole.CANDIDATE),
            ],
        )
        add_account(conn, Actor.system(c.north_id), "mastodon", _MASTODON_NORTH)
        add_account(conn, Actor.system(c.south_id), "mastodon", _MASTODON_SOUTH)


_DM_ID = "social.example/110001"
_DM_TEXT = "My landlord is evicting me on Friday, please help"


def _dm_to_south(text: str = _DM_TEXT) -> dict[str, Any]:
    return {
        "platform": "mastodon",
        "platform_id": _DM_ID,
        "author_id": "social.example/77",
        "author_handle": "ana@social.example",
        "created_at": "2026-11-02T10:00:00+00:00",
        "text": text,
        "kind": "dm",
        "visibility": "direct",
        "mentions": [_MASTODON_SOUTH],
    }


def _dm_message(text: str) -> Message:
    """The DM of ``_dm_to_south`` as a platform import reads it."""
    return Message(
        platform="mastodon",
        platform_id=_DM_ID,
        author_id="social.example/77",
        author_handle="ana@social.example",
        created_at=datetime(2026, 11, 2, 10, tzinfo=UTC),
        text=text,
        kind=MessageKind.DM,
        visibility=Visibility.DIRECT,
        mentions=(_MASTODON_SOUTH,),
    )


@pytest.mark.parametrize("how", ["imported", "pushed by South"])
def test_a_push_never_rewrites_another_workspaces_dm(
    any_campaign: Campaign, web_factory: Any, how: str
) -> None:
    """North pushes a Mastodon DM under the platform id of a DM to South, with other text:
    it is refused, by name and reason, and South's DM still says what the person wrote."""
    c = any_campaign
    _mastodon(c)
    south = web_factory(c.store, _SOUTH_OWNER)
    if how == "imported":
        with c.store.begin() as conn:
            write_messages(conn, [_dm_message(_DM_TEXT)], None)
        sync_inbox(c.store)
    else:
        assert south.post("/api/messages", json=[_dm_to_south()]).json()["added"] == 1
    north = web_factory(c.store, _NORTH_OWNER)
    forged = {**_dm_to_south("Never mind, all sorted"), "mentions": [_MASTODON_NORTH]}
    response = north.post("/api/messages", json=[forged])
    assert _DM_TEXT in _texts(south)
    assert "Never mind, all sorted" not in _texts(south) + _texts(north)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["ok"] is False and result["added"] == result["updated"] == 0
    assert [(r["platform_id"], r["reason"]) for r in result["refused"]] == [
        (_DM_ID, "a message this workspace did not add holds this id: a push never changes it")
    ]


def test_a_workspace_edits_the_messages_it_pushed(any_campaign: Campaign, web_factory: Any) -> None:
    c = any_campaign
    _mastodon(c)
    south = web_factory(c.store, _SOUTH_OWNER)
    south.post("/api/messages", json=[_dm_to_south()])
    edited = south.post("/api/messages", json=[_dm_to_south("Evicted on Monday, not Friday")])
    assert edited.json() == {
        "ok": True,
        "filed": 0,
        "added": 0,
        "updated": 1,
        "unchanged": 0,
        "refused": [],
    }
    assert "Evicted on Monday, not Friday" in _texts(south)


def test_an_import_never_overwrites_a_workspaces_pushed_message(
    any_campaign: Campaign, web_factory: Any
) -> None:
    c = any_campaign
    _mastodon(c)
    south = web_factory(c.store, _SOUTH_OWNER)
    south.post("/api/messages", json=[_dm_to_south()])
    imported = _dm_message("Something else entirely")
    with c.store.begin() as conn:
        result = write_messages(conn, [imported], None)
    assert [reason for _, reason in result.conflicts] == [NOT_IMPORTS]
    assert _DM_TEXT in _texts(south)


def _invented(**changes: Any) -> dict[str, Any]:
    return {
        "platform": "x",
        "platform_id": "invented-1",
        "author_id": "66",
        "author_handle": "user66",
        "created_at": _when(),
        "text": "South's candidate told me she will close the hospital",
        "kind": "reply",
        "reply_to_account_id": "200",
        "reply_to_handle": "southcand",
        "conversation_id": "c9",
        **changes,
    }


def test_an_invented_reply_reaches_only_the_pushers_inbox(
    any_campaign: Campaign, web_factory: Any
) -> None:
    """North pushes a reply to South's candidate that mentions its own: it is North's, filed
    in North's inbox and nowhere else, whether pushed or picked up by a later sync."""
    c = any_campaign
    north = web_factory(c.store, _NORTH_OWNER)
    response = north.post("/api/messages", json=[_invented(mentions=["northcand"])])
    sync_inbox(c.store)
    south = web_factory(c.store, _SOUTH_OWNER)
    invented = _invented()["text"]
    assert invented not in _texts(south)
    assert invented not in _thread(south, "South voters ask: where do I vote?")
    assert invented in _texts(north)
    assert response.status_code == 200, response.text
    assert response.json()["filed"] == 1


def test_a_push_that_involves_none_of_the_workspaces_accounts_is_refused(
    any_campaign: Campaign, web_factory: Any
) -> None:
    c = any_campaign
    north = web_factory(c.store, _NORTH_OWNER)
    response = north.post("/api/messages", json=[_invented()])
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "1 message(s) neither sent by nor addressed to one of this workspace's accounts: "
        "x invented-1"
    )
    with c.store.begin() as conn:
        stored = conn.execute(select(messages.c.id).where(messages.c.platform_id == "invented-1"))
        assert stored.first() is None
    sync_inbox(c.store)
    assert _invented()["text"] not in _texts(web_factory(c.store, _SOUTH_OWNER))


_SOUTH_SECRET = "South only: my postal ballot never arrived, my address is 12 Elm St"


def test_a_pushed_conversation_id_does_not_open_another_workspaces_dm(
    any_campaign: Campaign, web_factory: Any
) -> None:
    """North pushes a reply from the same person with the conversation id of their DM with
    South: North's thread view of it shows North's own message, not South's DM."""
    c = any_campaign
    with c.store.begin() as conn:
        write_messages(
            conn,
            [
                msg(
                    "s-dm",
                    "9",
                    _SOUTH_SECRET,
                    kind=MessageKind.DM,
                    to=None,
                    to_handle=None,
                    conversation="9-200",
                    visibility=Visibility.DIRECT,
                )
            ],
            None,
        )
    sync_inbox(c.store)
    north = web_factory(c.store, _NORTH_OWNER)
    pushed = _invented(
        platform_id="bait-1",
        author_id="9",
        author_handle="user9",
        text="Hello?",
        reply_to_account_id="100",
        reply_to_handle="northcand",
        conversation_id="9-200",
    )
    assert north.post("/api/messages", json=[pushed]).status_code == 200
    assert _thread(north, "Hello?") == ["Hello?"]
    assert _SOUTH_SECRET in _thread(web_factory(c.store, _SOUTH_OWNER), _SOUTH_SECRET)


def test_another_workspaces_draft_is_not_in_the_thread_of_the_same_email(
    any_campaign: Campaign, web_factory: Any
) -> None:
    """North and South both watch the constituency office's address; South drafts a reply
    to a voter's e-mail. North's view of that e-mail shows North's reply, not South's."""
    c = any_campaign
    with c.store.begin() as conn:
        share_account(conn, c.south_id, "email", "office@north.example")
    sync_inbox(c.store)
    south = web_factory(c.store, _SOUTH_OWNER)
    north = web_factory(c.store, _NORTH_OWNER)
    ballot = "Question about my ballot"
    draft = "South draft: we will call you on Monday"
    answer = "North: your ballot is on its way"
    for web, text in ((south, draft), (north, answer)):
        item = _item(web, ballot)["id"]
        assert web.post(f"/api/items/{item}/replies", json={"text": text}).status_code == 200
    assert _thread(north, ballot) == [ballot, answer]
    assert _thread(south, ballot) == [ballot, draft]


_VOTERS = 14


def _mail(sender: str, to: str, mid: str, text: str, when: str, *parents: str) -> str:
    threading = (
        f"In-Reply-To: <{parents[-1]}>\nReferences: {' '.join(f'<{p}>' for p in parents)}\n"
        if parents
        else ""
    )
    return (
        f"From {sender} Mon Sep  1 13:00:00 2025\n"
        f"From: {sender}\nTo: {to}\nSubject: Week one\nDate: {when}\n"
        f"Message-ID: <{mid}>\n{threading}"
        f"Content-Type: text/plain; charset=utf-8\n\n{text}\n\n"
    )


def test_an_email_thread_is_the_correspondence_with_that_person_not_the_newsletter(
    any_campaign: Campaign, tmp_path: Path, web_factory: Any
) -> None:
    """Fourteen voters answer the office's newsletter. Opening one voter's answer shows the
    newsletter, that voter's mail with the office (in this thread or an earlier one) and
    the office's answer to them: none of the thirteen other voters' private e-mails."""
    office = "office@north.example"
    mbox = [
        _mail(office, "Supporters <news@north.example>", "nl-1@north.example",
              "Newsletter: the bus plan", "Mon, 01 Sep 2025 09:00:00 +0000"),
        _mail("voter0@mail.example", office, "bins-2@mail.example",
              "Voter 0 earlier: the bins were not collected", "Fri, 29 Aug 2025 09:00:00 +0000",
              "bins-1@north.example"),
        *(
            _mail(f"voter{n}@mail.example", office, f"r{n}@mail.example",
                  f"Voter {n} privately: my medical appointment is on the 12 route",
                  f"Mon, 01 Sep 2025 1{n % 10}:00:00 +0000", "nl-1@north.example")
            for n in range(_VOTERS)
        ),
        _mail(office, "voter0@mail.example", "a0@north.example",
              "Office to voter 0: we will keep the 12", "Tue, 02 Sep 2025 09:00:00 +0000",
              "nl-1@north.example", "r0@mail.example"),
    ]  # fmt: skip
    path = tmp_path / "office.mbox"
    path.write_text("".join(mbox), encoding="utf-8")
    import_paths(any_campaign.store, [str(path)])
    sync_inbox(any_campaign.store)
    north = web_factory(any_campaign.store, _NORTH_OWNER)
    voter0 = "Voter 0 privately: my medical appointment is on the 12 route"
    assert _thread(north, voter0) == [
        "Voter 0 earlier: the bins were not collected",
        "Newsletter: the bus plan",
        voter0,
        "Office to voter 0: we will keep the 12",
    ]


def _drafts_and_pushes(c: Campaign, web_factory: Any) -> tuple[str, str, str]:
    """South shares North's office address; each drafts a reply to the voter's e-mail, and
    North pushes a message of its own. Returns the two drafts' and the push's texts."""
    with c.store.begin() as conn:
        share_account(conn, c.south_id, "email", "office@north.example")
    sync_inbox(c.store)
    texts = ("North draft: see you Tuesday", "South draft: see you Monday", "Pushed: hello?")
    for who, text in ((_NORTH_OWNER, texts[0]), (_SOUTH_OWNER, texts[1])):
        web = web_factory(c.store, who)
        item = _item(web, "Question about my ballot")["id"]
        assert web.post(f"/api/items/{item}/replies", json={"text": text}).status_code == 200
    pushed = _invented(text=texts[2], reply_to_account_id="100", reply_to_handle="northcand")
    north = web_factory(c.store, _NORTH_OWNER)
    assert north.post("/api/messages", json=[pushed]).status_code == 200
    return texts


def test_the_shared_analytical_snapshot_holds_platform_facts_only(
    any_campaign: Campaign, web_factory: Any, tmp_path: Path
) -> None:
    """The audit's snapshot serves every workspace: no workspace's unsent drafts or pushed
    messages are in it, so none can count as answers or move another's scorecard."""
    own = _drafts_and_pushes(any_campaign, web_factory)
    export_parquet(any_campaign.store, tmp_path / "snapshot")
    texts = pads.dataset(tmp_path / "snapshot" / "messages").to_table(columns=["text"])
    exported = set(texts.column("text").to_pylist())
    assert "Question about my ballot" in exported
    assert exported.isdisjoint(own)


def test_the_thread_command_shows_a_workspaces_own_messages_only_when_named(
    any_campaign: Campaign, web_factory: Any
) -> None:
    north_draft, south_draft, _ = _drafts_and_pushes(any_campaign, web_factory)
    url = any_campaign.store.engine.url.render_as_string(hide_password=False)

    def thread(*options: str) -> list[str]:
        result = CliRunner().invoke(app, ["--db", url, "thread", "email", "m5", "--json", *options])
        assert result.exit_code == 0, result.output
        return [orjson.loads(line)["text"] for line in result.stdout.splitlines()]

    assert thread() == ["Question about my ballot"]
    assert thread("--workspace", "South HQ") == ["Question about my ballot", south_draft]
    assert thread("--workspace", "North HQ") == ["Question about my ballot", north_draft]


def test_a_listening_analysis_leaves_out_what_workspaces_pushed(
    any_campaign: Campaign, web_factory: Any
) -> None:
    """``hustings listen`` maps a public conversation from platform facts: a workspace's
    pushed public reply (its own row) is not a voice in it."""
    c = any_campaign
    with c.store.begin() as conn:
        write_messages(conn, [msg("fact-1", "5", "Bus cuts again #route12", minutes_ago=9)], None)
    north = web_factory(c.store, _NORTH_OWNER)
    pushed = _invented(
        text="Pushed: #route12 is fine", reply_to_account_id="100", reply_to_handle="northcand"
    )
    assert north.post("/api/messages", json=[pushed]).status_code == 200
    corpus = load_corpus(c.store, ListenQuery.parse("route12"))
    assert list(corpus.texts) == ["Bus cuts again #route12"]
