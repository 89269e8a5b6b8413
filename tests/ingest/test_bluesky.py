"""The Bluesky importer on the real getPostThread/record fixtures and hand-written responses.

The hand-written files in ``tests/data/bluesky`` follow the lexicons in the shared fixture
folder (``app.bsky.feed.defs``, ``getAuthorFeed``, ``listNotifications``, ``richtext.facet``)
and the Jetstream event format. Expected values are computed here from the raw JSON.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hustings.ingest.base import Parsed, Sample
from hustings.ingest.bluesky import BlueskyImporter
from hustings.ingest.mastodon import MastodonImporter
from hustings.ingest.runner import ImportPlan, ImportSummary, import_paths
from hustings.model import Message, MessageKind, Quarantined
from hustings.store import Store
from hustings.store.schema import messages, quarantine

DATA = Path(__file__).resolve().parent.parent / "data" / "bluesky"
POST = "app.bsky.feed.post"


def _shared(shared_data: Path, name: str) -> Path:
    return shared_data / "fixtures" / "bluesky" / "fixtures" / name


def _parse(path: Path) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(BlueskyImporter().parse(handle, str(path)))


def _primary(units: list[Parsed]) -> list[Message]:
    return [m for u in units for m in u.messages]


def _import(store: Store, path: Path) -> ImportSummary:
    [summary] = import_paths(store, [str(path)], ImportPlan(fmt="bluesky"))
    return summary


def _rows(store: Store) -> dict[str, Any]:
    with store.begin() as conn:
        query = select(messages).where(messages.c.platform == "bluesky")
        return {r.platform_id: r for r in conn.execute(query).all()}


def _mention_count(record: dict[str, Any]) -> int:
    return sum(
        1
        for facet in record.get("facets", [])
        for feature in facet["features"]
        if feature["$type"] == "app.bsky.richtext.facet#mention"
    )


def _thread_depths(node: dict[str, Any], depth: int) -> Iterator[tuple[str, int]]:
    """(uri, depth) for the focus and every reply below it, from the raw nesting."""
    if "post" not in node:
        return
    yield node["post"]["uri"], depth
    for reply in node.get("replies", []):
        yield from _thread_depths(reply, depth + 1)


def _parents(node: dict[str, Any]) -> list[str]:
    chain = []
    while isinstance(node.get("parent"), dict) and "post" in node["parent"]:
        node = node["parent"]
        chain.append(node["post"]["uri"])
    return chain


@pytest.mark.parametrize(
    "path", [DATA / "post_thread_replies.json", None], ids=["hand-written", "shared"]
)
def test_thread_depths_and_roots_follow_the_nesting(
    shared_data: Path, store: Store, path: Path | None
) -> None:
    path = path or _shared(shared_data, "thread_view_post_with_embed_media.json")
    thread = json.loads(path.read_text())["thread"]
    parents = _parents(thread)
    expected = dict(_thread_depths(thread, len(parents)))
    expected.update({uri: len(parents) - 1 - i for i, uri in enumerate(parents)})
    root = parents[-1] if parents else thread["post"]["uri"]
    summary = _import(store, path)
    rows = _rows(store)
    assert summary.quarantined == 0
    assert {uri: rows[uri].depth for uri in expected} == expected
    assert {rows[uri].root_id for uri in expected} == {root}
    assert len(rows) == len(expected)


def test_thread_reply_parents_and_handles() -> None:
    raw = json.loads((DATA / "post_thread_replies.json").read_text())["thread"]
    by_uri = {m.platform_id: m for m in _primary(_parse(DATA / "post_thread_replies.json"))}
    for reply in raw["replies"]:
        if "post" not in reply:
            continue
        message = by_uri[reply["post"]["uri"]]
        assert message.reply_to_id == raw["post"]["uri"]
        assert message.reply_to_account_id == raw["post"]["author"]["did"]
        assert message.reply_to_handle == raw["post"]["author"]["handle"]


def test_shared_thread_post_is_a_quote(shared_data: Path) -> None:
    path = _shared(shared_data, "thread_view_post_with_embed_media.json")
    raw = json.loads(path.read_text())["thread"]["post"]
    [post] = _primary(_parse(path))
    assert post.kind is MessageKind.QUOTE
    assert post.quote_of_id == raw["record"]["embed"]["record"]["record"]["uri"]
    assert (post.author_id, post.author_handle) == (raw["author"]["did"], raw["author"]["handle"])
    assert post.language == raw["record"]["langs"][0]


def test_author_feed_counts_match_raw_json(store: Store) -> None:
    feed = json.loads((DATA / "author_feed.json").read_text())["feed"]
    reposted = [i for i in feed if i.get("reason", {}).get("$type", "").endswith("#reasonRepost")]
    own = [i for i in feed if i not in reposted]
    summary = _import(store, DATA / "author_feed.json")
    rows = [r for r in _rows(store).values() if not r.partial]
    kinds = [r.kind for r in rows]
    assert len(rows) == len(own) + len(reposted)
    assert kinds.count("repost") == len(reposted)
    assert kinds.count("reply") == sum(1 for i in own if "reply" in i["post"]["record"])
    assert kinds.count("dm") == 0
    assert sum(len(r.mentions) for r in rows) == sum(
        _mention_count(i["post"]["record"]) for i in own
    )
    context = {i["post"]["uri"] for i in reposted} | {
        ref["uri"] for i in own for ref in i.get("reply", {}).values() if "record" in ref
    }
    assert summary.context_added == len(context - {i["post"]["uri"] for i in own})


def test_feed_repost_names_reposter_and_post() -> None:
    raw = json.loads((DATA / "author_feed.json").read_text())["feed"][1]
    [repost] = [m for m in _primary(_parse(DATA / "author_feed.json")) if m.repost_of_id]
    assert repost.platform_id == raw["reason"]["uri"]
    assert repost.author_id == raw["reason"]["by"]["did"]
    assert repost.repost_of_id == raw["post"]["uri"]


def test_notifications_counts_match_raw_json() -> None:
    notes = json.loads((DATA / "list_notifications.json").read_text())["notifications"]
    records = [n["record"] for n in notes]
    units = _parse(DATA / "list_notifications.json")
    got = _primary(units)
    posts = [r for r in records if r["$type"] == POST]
    assert len(got) == len(posts) + sum(1 for r in records if r["$type"].endswith(".repost"))
    assert [m.kind for m in got].count(MessageKind.REPLY) == sum(1 for r in posts if "reply" in r)
    assert [m.kind for m in got].count(MessageKind.QUOTE) == sum(
        1
        for r in posts
        if "reply" not in r and r.get("embed", {}).get("$type", "").endswith(".record")
    )
    assert sum(len(m.mentions) for m in got) == sum(_mention_count(r) for r in posts)
    assert {a.platform_id for u in units for a in u.accounts} == {n["author"]["did"] for n in notes}


def test_jetstream_creates_become_messages_and_deletes_are_skipped() -> None:
    events = [json.loads(line) for line in (DATA / "jetstream.jsonl").read_text().splitlines()]
    wanted = [
        e
        for e in events
        if e["kind"] == "commit"
        and e["commit"]["operation"] in {"create", "update"}
        and e["commit"]["collection"] in {POST, "app.bsky.feed.repost"}
    ]
    units = _parse(DATA / "jetstream.jsonl")
    got = _primary(units)
    assert [m.platform_id for m in got] == [
        f"at://{e['did']}/{e['commit']['collection']}/{e['commit']['rkey']}" for e in wanted
    ]
    replies = [e for e in wanted if "reply" in e["commit"]["record"]]
    assert [m.reply_to_id for m in got if m.kind is MessageKind.REPLY] == [
        e["commit"]["record"]["reply"]["parent"]["uri"] for e in replies
    ]
    assert [u.position for u in units] == list(range(1, len(events) + 1))
    assert not [q for u in units for q in u.quarantined]
    handles = [a.handle for u in units for a in u.accounts]
    assert handles == [e["identity"]["handle"] for e in events if e["kind"] == "identity"]


def test_second_import_adds_nothing(store: Store) -> None:
    first = _import(store, DATA / "jetstream.jsonl")
    second = _import(store, DATA / "jetstream.jsonl")
    assert first.added == 4
    assert (second.added, second.updated, second.quarantined) == (0, 0, 0)


def test_records_naive_time_quarantined_and_others_skipped(shared_data: Path) -> None:
    [post] = _primary(_parse(_shared(shared_data, "post_record.json")))
    assert post.text == "new text114"
    [unit] = _parse(_shared(shared_data, "extended_post_record.json"))
    [bad] = unit.quarantined
    assert (bad.position, bad.reason) == (
        1,
        "timestamp '2023-07-21T01:33:51.481951' has no time zone",
    )
    for name in ("like_record.json", "feed_record.json"):
        [unit] = _parse(_shared(shared_data, name))
        assert unit == Parsed(position=1)


def test_follows_page_yields_accounts(shared_data: Path) -> None:
    path = _shared(shared_data, "get_follows.json")
    raw = json.loads(path.read_text())
    accounts = {a.platform_id for u in _parse(path) for a in u.accounts}
    assert accounts == {f["did"] for f in raw["follows"]} | {raw["subject"]["did"]}


def test_bad_records_quarantined_with_line_and_reason(store: Store) -> None:
    summary = _import(store, DATA / "bad_jetstream.jsonl")
    with store.begin() as conn:
        bad = {r.position: r.reason for r in conn.execute(select(quarantine)).all()}
    assert summary.added == 2
    assert set(bad) == {2, 3, 4, 5, 6, 8}
    assert bad[2] == "missing field 'rkey'"
    assert bad[3] == "text is not a string: 42"
    assert bad[4] == "timestamp '2024-10-16T16:20:00' has no time zone"
    assert bad[5].startswith("invalid UTF-8")
    assert bad[6].startswith("invalid JSON")
    assert bad[8] == "missing field 'createdAt'"


def test_sniff_claims_bluesky_and_refuses_others(shared_data: Path) -> None:
    sniff = BlueskyImporter().sniff
    for path in [*DATA.iterdir(), *(shared_data / "fixtures" / "bluesky" / "fixtures").iterdir()]:
        head = path.read_bytes()[:65536]
        assert sniff(Sample(path.name, head)) > MastodonImporter().sniff(Sample(path.name, head))
    x_v2 = b'{"data": [{"id": "1", "author_id": "2", "text": "hi"}], "includes": {}}'
    x_v1 = b'{"id_str": "1", "user": {"screen_name": "a"}, "text": "hi"}'
    for head in (x_v2, x_v1):
        assert sniff(Sample("a.json", head)) == 0
    for mastodon in (shared_data / "fixtures" / "mastodon").glob("*.json"):
        assert sniff(Sample(mastodon.name, mastodon.read_bytes()[:65536])) == 0


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "uri",
                    "did",
                    "kind",
                    "time_us",
                    "commit",
                    "operation",
                    "collection",
                    "rkey",
                    "record",
                    "value",
                    "text",
                    "createdAt",
                    "reply",
                    "parent",
                    "root",
                    "embed",
                    "facets",
                    "thread",
                    "post",
                    "replies",
                    "feed",
                    "reason",
                    "author",
                    "notifications",
                    "$type",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=200, deadline=None)
@given(_JSONISH)
def test_parser_never_raises(value: Any) -> None:
    for unit in BlueskyImporter().parse(io.BytesIO(json.dumps(value).encode()), "fuzz"):
        assert all(isinstance(m, Message) for m in unit.messages + unit.context)
        assert all(isinstance(q, Quarantined) for q in unit.quarantined)


_EVENT = json.loads((DATA / "jetstream.jsonl").read_text().splitlines()[1])


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(_EVENT["commit"]["record"])),
    st.sampled_from(["root", "parent"]),
    _JSONISH,
)
def test_parser_never_raises_on_a_damaged_event(key: str, ref: str, value: Any) -> None:
    record = {**_EVENT["commit"]["record"], key: value}
    if isinstance(record.get("reply"), dict):
        record["reply"] = {**record["reply"], ref: value}
    damaged = {**_EVENT, "commit": {**_EVENT["commit"], "record": record}}
    [unit] = BlueskyImporter().parse(io.BytesIO(json.dumps(damaged).encode()), "fuzz")
    assert len(unit.messages) + len(unit.quarantined) == 1


def _author(did: str, handle: str) -> dict[str, Any]:
    return {"did": did, "handle": handle, "displayName": handle.split(".")[0]}


def test_parse_value_reads_one_notification_and_one_feed_item_as_a_live_pull_does() -> None:
    from hustings.ingest.base import Where

    citizen = "did:plc:citizen000000000000000"
    campaign = "did:plc:campaign00000000000000"
    post_uri = f"at://{campaign}/{POST}/3kpost"
    reply_uri = f"at://{citizen}/{POST}/3kreply"
    record = {"$type": POST, "text": "Will it be streamed?", "createdAt": "2026-12-07T10:00:00Z",
              "reply": {"root": {"uri": post_uri, "cid": "bafyroot"},
                        "parent": {"uri": post_uri, "cid": "bafyroot"}}}
    notification = {"uri": reply_uri, "cid": "bafyreply", "reason": "reply", "isRead": False,
                    "indexedAt": "2026-12-07T10:00:01Z", "record": record,
                    "author": _author(citizen, "citizen.test")}
    like = {**notification, "uri": f"at://{citizen}/app.bsky.feed.like/3klike",
            "reason": "like", "record": {"$type": "app.bsky.feed.like",
                                         "subject": {"uri": post_uri, "cid": "bafyroot"},
                                         "createdAt": "2026-12-07T10:00:02Z"}}
    item = {"post": {"uri": reply_uri, "cid": "bafyreply", "record": record,
                     "author": _author(citizen, "citizen.test"),
                     "indexedAt": "2026-12-07T10:00:01Z"}}
    importer = BlueskyImporter()
    where = Where("connector:bluesky:1", 1)
    replied = importer.parse_value(notification, where)
    liked = importer.parse_value(like, where)
    fed = importer.parse_value(item, where)
    assert [(m.platform_id, m.kind, m.reply_to_id, m.reply_to_account_id)
            for m in replied.messages] == [(reply_uri, MessageKind.REPLY, post_uri, campaign)]
    assert (liked.messages, liked.quarantined) == ((), ())
    assert [m.platform_id for m in fed.messages] == [reply_uri] and fed.quarantined == ()
