"""The x-v1 importer on real v1.1 statuses, checked against counts taken with plain json."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hustings.ingest.base import Parsed, Sample
from hustings.ingest.x import XV1Importer, XV2Importer
from hustings.model import Message, MessageKind

DATA = Path(__file__).resolve().parent.parent / "data" / "x"


def parse(path: Path) -> list[Parsed]:
    with path.open("rb") as handle:
        return list(XV1Importer().parse(handle, str(path)))


def primary(units: list[Parsed]) -> list[Message]:
    return [m for u in units for m in u.messages]


def congress(shared_data: Path) -> Path:
    return shared_data / "registries" / "us-congress" / "raw_v1_tweets_2017-06-13.json"


def raw_statuses(path: Path) -> list[dict[str, Any]]:
    """Statuses read with plain json, from a plain array or tweepy's recorded responses."""
    doc = json.loads(path.read_bytes())
    if doc and "response" in doc[0]:
        bodies = [item["response"]["body"] for item in doc]
        doc = []
        for body in bodies:
            doc += body if isinstance(body, list) else body.get("statuses", [body])
    return list(doc)


def expected(statuses: list[dict[str, Any]]) -> dict[str, int]:
    counts: Counter[str] = Counter(messages=len(statuses))
    for status in statuses:
        if "retweeted_status" in status:
            counts["reposts"] += 1
        elif status.get("in_reply_to_status_id_str"):
            counts["replies"] += 1
        elif status.get("quoted_status_id_str") or "quoted_status" in status:
            counts["quotes"] += 1
        counts["mentions"] += len(
            {m["screen_name"] for m in status["entities"].get("user_mentions", [])}
        )
        counts["context"] += "retweeted_status" in status
        counts["context"] += "quoted_status" in status
        counts["context"] += "quoted_status" in status.get("retweeted_status", {})
    return {k: v for k, v in counts.items() if v}


def observed(units: list[Parsed]) -> dict[str, int]:
    messages = primary(units)
    kinds = Counter(m.kind for m in messages)
    counts = {
        "messages": len(messages),
        "reposts": kinds[MessageKind.REPOST],
        "replies": kinds[MessageKind.REPLY],
        "quotes": kinds[MessageKind.QUOTE],
        "mentions": sum(len(m.mentions) for m in messages),
        "context": sum(len(u.context) for u in units),
    }
    return {k: v for k, v in counts.items() if v}


def test_congress_counts_match_raw_json(shared_data: Path) -> None:
    path = congress(shared_data)
    assert observed(parse(path)) == expected(raw_statuses(path))


def test_congress_has_the_59_documented_self_replies(shared_data: Path) -> None:
    replies = [m for m in primary(parse(congress(shared_data))) if m.kind is MessageKind.REPLY]
    assert len(replies) == 59
    assert all(m.reply_to_id and m.reply_to_account_id for m in replies)


def test_ids_come_from_id_str_not_the_rounded_number(shared_data: Path) -> None:
    first = primary(parse(congress(shared_data)))[0]
    assert first.platform_id == "874729112040079360"
    assert first.client == "TweetDeck"


@pytest.mark.parametrize(
    "name",
    [
        "v1.1_testgetstatus.json",
        "v1.1_testhometimeline.json",
        "v1.1_testsearchtweets.json",
        "v1.1_testusertimeline.json",
    ],
)
def test_tweepy_recordings_match_raw_json(shared_data: Path, name: str) -> None:
    path = shared_data / "fixtures" / "x-api-tweepy" / name
    units = parse(path)
    assert observed(units) == expected(raw_statuses(path))
    assert not [q for u in units for q in u.quarantined]


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (2, "invalid JSON"),
        (3, "status 1600000000000000022: field 'full_text' should be text, not list"),
        (4, "status has no 'id_str'"),
        (5, "timestamp '2024-05-02 09:15:00' has no time zone"),
        (6, "invalid UTF-8 at byte"),
    ],
)
def test_bad_line_is_quarantined_with_its_line(line: int, reason: str) -> None:
    bad = {q.position: q.reason for u in parse(DATA / "bad_v1.jsonl") for q in u.quarantined}
    assert bad[line].startswith(reason)


def test_good_lines_around_bad_ones_are_kept() -> None:
    units = parse(DATA / "bad_v1.jsonl")
    assert [u.position for u in units if u.messages] == [1, 7]


def test_sniffs_v1_array_not_v2(shared_data: Path) -> None:
    sample = Sample("tweets.json", congress(shared_data).read_bytes()[:65536])
    assert XV1Importer().sniff(sample) > XV2Importer().sniff(sample)
