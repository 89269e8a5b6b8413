"""The x-v2 importer on real twarc2 captures, checked against counts taken with plain json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hustings.ingest.base import Parsed, Sample
from hustings.ingest.x import XArchiveImporter, XV1Importer, XV2Importer
from hustings.ingest.x._collect import Where
from hustings.ingest.x._v2 import parse_unit
from hustings.model import Message, MessageKind, Visibility

DATA = Path(__file__).resolve().parent.parent / "data" / "x"
TWEET_FILES = [
    "brexit.jsonl",
    "noflat.jsonl",
    "flat.jsonl",
    "withheld.jsonl",
    "2sets.jsonl",
    "mentions_tweet.jsonl",
    "edited.jsonl",
    "quoted_edit.jsonl",
    "streaming_output_with_error.jsonl",
    "geo_tweets.jsonl",
    "many_urls.jsonl",
    "media_policy_violation_on.jsonl",
]


def twarc(shared_data: Path, name: str) -> Path:
    return shared_data / "fixtures" / "x-api-v2-twarc" / name


def parse(path: Path) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(XV2Importer().parse(handle, str(path)))


def primary(units: list[Parsed]) -> list[Message]:
    return [m for u in units for m in u.messages]


def raw_tweets(path: Path) -> list[dict[str, Any]]:
    """Primary tweets read with plain json: ``data`` of each page, or each flattened line."""
    tweets: list[dict[str, Any]] = []
    for line in path.read_bytes().splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if "data" in doc:
            tweets += doc["data"] if isinstance(doc["data"], list) else [doc["data"]]
        else:
            tweets.append(doc)
    return tweets


def expected(tweets: list[dict[str, Any]]) -> dict[str, int]:
    """Kinds by the documented precedence: retweeted, then replied_to, then quoted."""
    counts: Counter[str] = Counter(messages=len(tweets))
    for tweet in tweets:
        types = {ref["type"] for ref in tweet.get("referenced_tweets", [])}
        if "retweeted" in types:
            counts["reposts"] += 1
        elif "replied_to" in types:
            counts["replies"] += 1
        elif "quoted" in types:
            counts["quotes"] += 1
        counts["mentions"] += len(
            {m["username"] for m in tweet.get("entities", {}).get("mentions", [])}
        )
    counts["conversations"] = len({t["conversation_id"] for t in tweets})
    return dict(counts)


def observed(messages: list[Message]) -> dict[str, int]:
    kinds = Counter(m.kind for m in messages)
    counts = {
        "messages": len(messages),
        "reposts": kinds[MessageKind.REPOST],
        "replies": kinds[MessageKind.REPLY],
        "quotes": kinds[MessageKind.QUOTE],
        "mentions": sum(len(m.mentions) for m in messages),
        "conversations": len({m.conversation_id for m in messages}),
    }
    return {k: v for k, v in counts.items() if v}


@pytest.mark.parametrize("name", TWEET_FILES)
def test_counts_match_raw_json(shared_data: Path, name: str) -> None:
    path = twarc(shared_data, name)
    want = {k: v for k, v in expected(raw_tweets(path)).items() if v}
    assert observed(primary(parse(path))) == want


def test_brexit_matches_provenance_counts(shared_data: Path) -> None:
    kinds = Counter(m.kind for m in primary(parse(twarc(shared_data, "brexit.jsonl"))))
    assert (kinds[MessageKind.REPLY], kinds[MessageKind.QUOTE]) == (10, 11)
    assert (kinds[MessageKind.REPOST], sum(kinds.values())) == (67, 100)


def test_reply_links_point_to_parent_and_account(shared_data: Path) -> None:
    tweets = {t["id"]: t for t in raw_tweets(twarc(shared_data, "noflat.jsonl"))}
    replies = [m for m in primary(parse(twarc(shared_data, "noflat.jsonl"))) if m.reply_to_id]
    assert replies
    for message in replies:
        raw = tweets[message.platform_id]
        parent = next(r["id"] for r in raw["referenced_tweets"] if r["type"] == "replied_to")
        assert message.reply_to_id == parent
        assert message.reply_to_account_id == raw["in_reply_to_user_id"]
        assert message.reply_link is not None


def test_flat_and_raw_pages_give_the_same_messages(shared_data: Path) -> None:
    def shape(name: str) -> set[tuple[str, str, str | None, str | None, str | None]]:
        return {
            (m.platform_id, m.kind, m.reply_to_id, m.author_handle, m.reply_to_handle)
            for m in primary(parse(twarc(shared_data, name)))
        }

    assert shape("flat.jsonl") == shape("noflat.jsonl")


def test_includes_tweets_become_partial_context(shared_data: Path) -> None:
    path = twarc(shared_data, "brexit.jsonl")
    included = {t["id"] for t in json.loads(path.read_bytes())["includes"]["tweets"]}
    context = [m for u in parse(path) for m in u.context]
    assert {m.platform_id for m in context} == included
    assert all(m.partial for m in context)


def test_followers_snapshot_taken_at_retrieval_time(shared_data: Path) -> None:
    path = twarc(shared_data, "brexit.jsonl")
    page = json.loads(path.read_bytes())
    (unit,) = parse(path)
    assert len(unit.accounts) == len({u["id"] for u in page["includes"]["users"]})
    assert {s.taken_at.isoformat() for s in unit.snapshots} == {page["__twarc"]["retrieved_at"]}


def test_partial_errors_keep_the_page_data(shared_data: Path) -> None:
    path = twarc(shared_data, "withheld.jsonl")
    units = parse(path)
    assert not [q for u in units for q in u.quarantined]
    assert len(primary(units)) == len(raw_tweets(path)) == 215


def test_cut_off_stream_line_is_quarantined_with_its_line(shared_data: Path) -> None:
    units = parse(twarc(shared_data, "streaming_output_with_error.jsonl"))
    bad = [q for u in units for q in u.quarantined]
    assert [(q.position, q.reason.split(":")[0]) for q in bad] == [(8, "invalid JSON")]
    assert len(primary(units)) == 7


def test_users_file_gives_accounts_and_snapshots(shared_data: Path) -> None:
    path = twarc(shared_data, "users.jsonl")
    page = json.loads(path.read_bytes())
    (unit,) = parse(path)
    ids = {u["id"] for u in page["data"]}
    assert {a.platform_id for a in unit.accounts} == ids
    followers = {u["id"]: u["public_metrics"]["followers_count"] for u in page["data"]}
    assert {s.account_id: s.followers for s in unit.snapshots} == followers
    assert not unit.messages and not unit.quarantined


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("counts.jsonl", "not tweets: 169 tweet count buckets"),
        ("lists.jsonl", "not tweets: 4 list objects"),
        ("tweets_compliance.jsonl", "not tweets: a compliance record (delete, protected)"),
        ("users_compliance.jsonl", "not tweets: a compliance record (delete, protected)"),
    ],
)
def test_non_tweet_responses_are_quarantined_not_imported(
    shared_data: Path, name: str, reason: str
) -> None:
    units = parse(twarc(shared_data, name))
    assert not primary(units)
    bad = [q for u in units for q in u.quarantined]
    assert bad and bad[0].reason.startswith(reason)


def test_tweepy_default_fields_are_quarantined_with_advice(shared_data: Path) -> None:
    path = shared_data / "fixtures" / "x-api-tweepy" / "test_client_search_recent_tweets.json"
    body = json.loads(path.read_bytes())[0]["response"]["body"]
    bad = [q for u in parse(path) for q in u.quarantined]
    assert len(bad) == len(body["data"])
    assert "request tweet.fields=author_id,created_at" in bad[0].reason


def test_tweepy_recorded_user_becomes_an_account(shared_data: Path) -> None:
    path = shared_data / "fixtures" / "x-api-tweepy" / "test_client_get_user.json"
    body = json.loads(path.read_bytes())[0]["response"]["body"]
    (unit,) = parse(path)
    assert [(a.platform_id, a.handle) for a in unit.accounts] == [
        (body["data"]["id"], body["data"]["username"])
    ]


def test_dm_events_become_direct_messages() -> None:
    units = parse(DATA / "dm_events.json")
    dms = primary(units)
    assert [(m.kind, m.visibility) for m in dms] == [(MessageKind.DM, Visibility.DIRECT)] * 2
    assert dms[1].author_handle == "CllrJaneDoe"
    assert dms[1].conversation_id == "1500000000000000001-1500000000000000002"
    assert dms[1].urls == ("https://example.org/report/881",)
    assert not [q for u in units for q in u.quarantined]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (2, "invalid JSON"),
        (4, "invalid UTF-8 at byte"),
        (5, "field 'author_id' should be a string id, not int"),
        (6, "tweet has no 'id'"),
        (7, "timestamp '2024-05-02T09:20:00' has no time zone"),
    ],
)
def test_bad_line_is_quarantined_with_its_line(line: int, reason: str) -> None:
    bad = {q.position: q.reason for u in parse(DATA / "bad_v2.jsonl") for q in u.quarantined}
    assert bad[line].startswith(reason)


def test_good_lines_around_bad_ones_are_kept() -> None:
    units = parse(DATA / "bad_v2.jsonl")
    assert [u.position for u in units if u.messages] == [1, 3, 8]
    assert len({q.position for u in units for q in u.quarantined}) == 5


@pytest.mark.parametrize("name", ["brexit.jsonl", "flat.jsonl", "users.jsonl", "counts.jsonl"])
def test_sniffs_twarc_files_as_x_v2(shared_data: Path, name: str) -> None:
    head = twarc(shared_data, name).read_bytes()[:65536]
    sample = Sample(name, head)
    assert XV2Importer().sniff(sample) > max(
        XV1Importer().sniff(sample), XArchiveImporter().sniff(sample)
    )


@pytest.mark.parametrize(
    "doc",
    [
        {"id": "1", "uri": "https://m.example/1", "account": {}, "visibility": "public"},
        {"uri": "at://did:plc:x/app.bsky.feed.post/1", "cid": "b", "record": {"$type": "x"}},
        [{"id": "1", "created_at": "2024-01-01T00:00:00Z", "account": {"id": "2"}}],
    ],
)
def test_does_not_claim_mastodon_or_bluesky(doc: object) -> None:
    sample = Sample("posts.json", json.dumps(doc).encode())
    assert XV2Importer().sniff(sample) == 0
    assert XV1Importer().sniff(sample) == 0


_KEYS = st.sampled_from(
    [
        "data",
        "includes",
        "errors",
        "meta",
        "__twarc",
        "users",
        "tweets",
        "id",
        "text",
        "author_id",
        "created_at",
        "referenced_tweets",
        "type",
        "entities",
        "mentions",
        "username",
        "event_type",
        "request",
        "response",
        "body",
        "uri",
        "retrieved_at",
        "public_metrics",
        "followers_count",
        "author",
    ]
) | st.text(max_size=5)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["MessageCreate", "replied_to", "2024-05-02T09:15:00Z", "/2/", "1"])
    | st.text(max_size=8)
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=6),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_KEYS, _JSON, max_size=6))
def test_page_parser_never_raises(value: dict[str, Any]) -> None:
    unit = parse_unit(value, Where("fuzz.jsonl", 1, "line"))
    assert unit.position == 1
    assert all(isinstance(m, Message) for m in (*unit.messages, *unit.context))
