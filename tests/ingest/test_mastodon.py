"""The Mastodon importer on the recorded Mastodon 4.6 responses and hand-written edge cases.

Expected counts are computed here from the raw JSON with plain ``json``, by a walk that knows
nothing of endpoints: every object with ``account``, ``content`` and ``visibility`` is a
status, except those nested as a reblog or a quote, which are context.
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

from hustings.ingest.base import Sample
from hustings.ingest.mastodon import MastodonImporter, html_to_text
from hustings.ingest.runner import ImportPlan, ImportSummary, detect, import_paths
from hustings.model import Message, MessageKind, Quarantined, Visibility
from hustings.store import Store
from hustings.store.schema import messages

DATA = Path(__file__).resolve().parent.parent / "data" / "mastodon"
FIXTURES = [
    "conversations_direct.json",
    "notifications_mention.json",
    "notifications_types_mention.json",
    "search_v2.json",
    "status_context_empty.json",
    "status_post_visibility_direct.json",
    "status_reply.json",
    "status_reply_in_reply_to_ids.json",
    "status_reply_with_quote.json",
    "streaming_direct_sse.json",
    "timeline_hashtag.json",
    "timeline_public.json",
]


def _fixture(shared_data: Path, name: str) -> Path:
    return shared_data / "fixtures" / "mastodon" / name


def _walk_statuses(value: Any) -> Iterator[dict[str, Any]]:
    """Every status object in a body, not descending into reblogs and quotes."""
    if isinstance(value, list):
        for item in value:
            yield from _walk_statuses(item)
    elif isinstance(value, dict):
        if {"account", "content", "visibility"} <= set(value):
            yield value
            return
        for key, child in value.items():
            if key not in {"reblog", "quote"}:
                yield from _walk_statuses(child)


def _raw_statuses(path: Path) -> dict[str, dict[str, Any]]:
    """Unique statuses by id in the recorded exchanges, DELETE echoes left out."""
    found: dict[str, dict[str, Any]] = {}
    for exchange in json.loads(path.read_text()):
        if exchange["request"]["method"] == "DELETE":
            continue
        body = exchange["response"]["body"]
        if isinstance(body, str):
            body = [json.loads(line[5:]) for line in body.splitlines() if line.startswith("data:")]
        for status in _walk_statuses(body):
            found[status["id"]] = status
    return found


def _import(store: Store, path: Path | str) -> ImportSummary:
    [summary] = import_paths(store, [str(path)], ImportPlan(fmt="mastodon"))
    return summary


def _stored(store: Store, partial: bool = False) -> list[Any]:
    with store.begin() as conn:
        query = select(messages).where(messages.c.platform == "mastodon")
        return list(conn.execute(query.where(messages.c.partial == partial)).all())


def _parse(path: Path) -> list[Any]:
    with path.open("rb") as handle:
        return list(MastodonImporter().parse(handle, str(path)))


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_counts_match_raw_json(shared_data: Path, store: Store, name: str) -> None:
    path = _fixture(shared_data, name)
    raw = _raw_statuses(path)
    summary = _import(store, path)
    rows = _stored(store)
    assert summary.quarantined == 0
    assert sorted(r.platform_id.rsplit("/", 1)[1] for r in rows) == sorted(raw)
    kinds = [r.kind for r in rows]
    direct = [s for s in raw.values() if s["visibility"] == "direct"]
    assert kinds.count("dm") == len(direct)
    assert sum(1 for r in rows if r.visibility == "direct") == len(direct)
    replies = [s for s in raw.values() if s["in_reply_to_id"] and s["visibility"] != "direct"]
    assert kinds.count("reply") == len(replies)
    assert kinds.count("repost") == sum(1 for s in raw.values() if s["reblog"])
    assert sum(len(r.mentions) for r in rows) == sum(len(s["mentions"]) for s in raw.values())
    assert sum(len(r.hashtags) for r in rows) == sum(len(s["tags"]) for s in raw.values())


def test_fixture_sniffed_as_mastodon(shared_data: Path) -> None:
    for name in FIXTURES:
        head = _fixture(shared_data, name).read_bytes()[:65536]
        assert detect(Sample(name, head)).name == "mastodon", name


def test_quote_reply_keeps_reply_kind_and_quote_link(shared_data: Path) -> None:
    units = _parse(_fixture(shared_data, "status_reply_with_quote.json"))
    [reply] = [m for u in units for m in u.messages if m.reply_to_id]
    assert reply.kind is MessageKind.REPLY
    assert reply.quote_of_id == "localhost:3000/117020583121982310"
    assert reply.text == "@mastodonpy_test yoooo check this out"  # "RE: <link>" fallback left out
    assert reply.quote_of_id in {m.platform_id for u in units for m in u.context}


def test_reply_ids_share_the_instance_prefix(shared_data: Path) -> None:
    units = _parse(_fixture(shared_data, "status_reply.json"))
    [reply] = [m for u in units for m in u.messages if m.reply_to_id]
    assert reply.platform_id == "localhost:3000/117020583258292382"
    assert reply.reply_to_id == "localhost:3000/117020583245459824"
    assert reply.reply_to_account_id == "localhost:3000/117020566092212359"
    assert reply.reply_to_handle == "mastodonpy_test_2@localhost:3000"


def test_direct_status_is_a_dm(shared_data: Path) -> None:
    units = _parse(_fixture(shared_data, "status_post_visibility_direct.json"))
    [dm] = [m for u in units for m in u.messages]
    assert (dm.kind, dm.visibility) == (MessageKind.DM, Visibility.DIRECT)


def test_streaming_ids_use_the_web_host_not_the_streaming_port(shared_data: Path) -> None:
    units = _parse(_fixture(shared_data, "streaming_direct_sse.json"))
    ids = {m.platform_id for u in units for m in u.messages}
    assert ids == {"localhost:3000/117024234734337801", "localhost:3000/117024234746323939"}


def test_second_import_adds_nothing(shared_data: Path, store: Store) -> None:
    path = str(_fixture(shared_data, "timeline_public.json"))
    first = _import(store, path)
    second = _import(store, path)
    assert first.added == 8
    assert (second.added, second.updated, second.quarantined) == (0, 0, 0)


def test_html_content_becomes_readable_text(store: Store) -> None:
    _import(store, str(DATA / "context.json"))
    text = {r.platform_id.rsplit("/", 1)[1]: r.text for r in _stored(store)}
    assert text["113300000000000001"] == (
        "Bus route 7 is back from Monday & runs every 12 minutes.\n\n"
        "Details: https://okafor4council.org/buses #transport"
    )
    assert text["113300000000000002"] == "@okafor does it stop at\nStation Road <still>?"


def test_html_to_text_collects_links_but_not_mentions_or_tags() -> None:
    html = (
        '<p><a href="https://x.example/@a" class="u-url mention">@a</a> '
        '<a href="https://x.example/tags/b" class="mention hashtag">#b</a> '
        '<a href="https://example.org/p?q=1&amp;r=2">link</a></p>'
    )
    assert html_to_text(html) == ("@a #b link", ("https://example.org/p?q=1&r=2",))


def test_context_document_names_root_and_depths(store: Store) -> None:
    _import(store, str(DATA / "context.json"))
    rows = {r.platform_id.rsplit("/", 1)[1]: r for r in _stored(store)}
    root = "councilchat.social/113300000000000001"
    assert {r.root_id for r in rows.values()} == {root}
    assert rows["113300000000000001"].depth == 0
    assert rows["113300000000000002"].depth == 1
    assert rows["113300000000000007"].depth == 2
    # The DM answers 113300000000000003, which this document does not hold: depth unknown.
    assert rows["113300000000000004"].depth is None
    assert rows["113300000000000004"].kind == "dm"


def test_remote_author_keeps_full_handle_and_local_id() -> None:
    units = _parse(DATA / "context.json")
    reply = next(m for u in units for m in u.messages if m.author_handle == "jo@mastodon.example")
    assert reply.author_id == "councilchat.social/112233445566771234"


def test_reblog_is_a_repost_with_partial_original() -> None:
    [boost_unit, private_unit, *_] = _parse(DATA / "home_timeline.json")
    [boost] = boost_unit.messages
    [original] = boost_unit.context
    assert boost.kind is MessageKind.REPOST
    assert boost.repost_of_id == original.platform_id == "councilchat.social/113300000000000001"
    assert original.partial
    [private] = private_unit.messages
    assert (private.visibility, private.subject) == (Visibility.PUBLIC, "campaign logistics")


def test_raw_stream_reads_updates_mentions_and_edits() -> None:
    units = _parse(DATA / "stream_user.sse")
    got = [(u.position, m.platform_id.rsplit("/", 1)[1], m.text) for u in units for m in u.messages]
    assert got == [
        (2, "113300000000000010", "Town hall moved to 7pm."),
        (8, "113300000000000011", "@okafor thanks!"),
        (16, "113300000000000010", "Town hall moved to 7:30pm."),
    ]
    follower = [a.handle for u in units if u.position == 11 for a in u.accounts]
    assert follower == ["priya@councilchat.social"]
    [bad] = [q for u in units for q in u.quarantined]
    assert bad.position == 19
    assert bad.reason.startswith("update event: invalid JSON in event data")


def test_bad_records_quarantined_with_line_and_reason(store: Store) -> None:
    summary = _import(store, str(DATA / "bad_statuses.jsonl"))
    with store.begin() as conn:
        from hustings.store.schema import quarantine

        bad = {r.position: r.reason for r in conn.execute(select(quarantine)).all()}
    assert summary.added == 2
    assert bad == {
        2: "missing field 'id'",
        3: "account is not an object: 'okafor'",
        4: "timestamp '2024-10-17T06:10:00' has no time zone",
        5: bad[5],
        6: bad[6],
        8: "not a Mastodon status, notification, conversation, context or search result",
    }
    assert bad[5].startswith("invalid UTF-8")
    assert bad[6].startswith("invalid JSON")


def test_sniff_refuses_x_and_bluesky() -> None:
    sniff = MastodonImporter().sniff
    x_v2 = b'{"data": [{"id": "1", "author_id": "2", "text": "hi"}], "includes": {}}'
    x_v1 = b'{"id_str": "1", "user": {"screen_name": "a"}, "in_reply_to_status_id": null}'
    bsky = b'{"uri": "at://did:plc:abc/app.bsky.feed.post/1", "record": {"$type": "x"}}'
    for head in (x_v2, x_v1, bsky):
        assert sniff(Sample("a.json", head)) == 0


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "account",
                    "acct",
                    "content",
                    "created_at",
                    "visibility",
                    "reblog",
                    "quote",
                    "in_reply_to_id",
                    "mentions",
                    "tags",
                    "ancestors",
                    "descendants",
                    "statuses",
                    "accounts",
                    "last_status",
                    "type",
                    "status",
                    "url",
                    "request",
                    "response",
                    "body",
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
    payload = json.dumps(value).encode()
    for stream in (io.BytesIO(payload), io.BytesIO(b"event: update\ndata: " + payload + b"\n\n")):
        for unit in MastodonImporter().parse(stream, "fuzz"):
            assert all(isinstance(m, Message) for m in unit.messages + unit.context)
            assert all(isinstance(q, Quarantined) for q in unit.quarantined)


_STATUS = json.loads((DATA / "home_timeline.json").read_text())[0]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(_STATUS)), st.sampled_from(sorted(_STATUS["account"])), _JSONISH)
def test_parser_never_raises_on_a_damaged_status(key: str, account_key: str, value: Any) -> None:
    damaged = {**_STATUS, key: value}
    if isinstance(damaged.get("reblog"), dict):
        damaged["reblog"] = {
            **damaged["reblog"],
            "account": {**_STATUS["account"], account_key: value},
        }
    [unit] = MastodonImporter().parse(io.BytesIO(json.dumps(damaged).encode()), "fuzz")
    assert len(unit.messages) + len(unit.quarantined) >= 1
