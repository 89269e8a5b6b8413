"""The demo writes real formats: twarc2 pages, Mastodon statuses, a stdlib-readable mbox."""

from __future__ import annotations

import json
import mailbox
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from hustings.demo import DemoFiles

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "data" / "fixtures"


def test_every_x_line_is_a_twarc_page(x_pages: list[dict[str, Any]]) -> None:
    for page in x_pages:
        assert set(page) == {"data", "includes", "meta", "__twarc"}
        assert 0 < len(page["data"]) <= 100
        assert page["meta"]["result_count"] == len(page["data"])
        assert page["__twarc"]["url"].startswith("https://api.twitter.com/2/tweets/search/all?")
        assert datetime.fromisoformat(page["__twarc"]["retrieved_at"]).utcoffset() is not None


def test_x_pages_are_newest_first_with_pagination_tokens(x_pages: list[dict[str, Any]]) -> None:
    for page in x_pages:
        ids = [int(t["id"]) for t in page["data"]]
        assert ids == sorted(ids, reverse=True)
        assert page["meta"]["newest_id"] == page["data"][0]["id"]
        assert page["meta"]["oldest_id"] == page["data"][-1]["id"]
    assert sum("next_token" in p["meta"] for p in x_pages) == len(x_pages) - 5


def test_x_tweet_has_the_fields_of_the_real_fixture(tweets: dict[str, dict[str, Any]]) -> None:
    real = FIXTURES / "x-api-v2-twarc" / "brexit.jsonl"
    if not real.exists():
        pytest.skip(f"real fixture {real} is absent")
    page = json.loads(real.read_text(encoding="utf-8").splitlines()[0])
    needed = {
        "id",
        "text",
        "author_id",
        "created_at",
        "conversation_id",
        "lang",
        "source",
        "public_metrics",
    }
    assert needed <= set(page["data"][0])
    for tweet in tweets.values():
        assert needed <= set(tweet)
        assert set(tweet["public_metrics"]) >= set(page["data"][0]["public_metrics"])


def test_x_referenced_tweets_exist_in_data_or_includes(x_pages: list[dict[str, Any]]) -> None:
    for page in x_pages:
        known = {t["id"] for t in page["data"]} | {t["id"] for t in page["includes"]["tweets"]}
        users = {u["id"] for u in page["includes"]["users"]}
        for tweet in page["data"]:
            assert tweet["author_id"] in users
            for ref in tweet.get("referenced_tweets", []):
                assert ref["id"] in known


def test_x_in_reply_to_user_is_the_author_of_the_replied_tweet(
    x_pages: list[dict[str, Any]],
) -> None:
    replies = 0
    for page in x_pages:
        every = {t["id"]: t for t in page["data"] + page["includes"]["tweets"]}
        for tweet in page["data"]:
            for ref in tweet.get("referenced_tweets", []):
                if ref["type"] == "replied_to":
                    replies += 1
                    assert tweet["in_reply_to_user_id"] == every[ref["id"]]["author_id"]
    assert replies > 10000


def test_x_conversation_id_is_the_thread_root(tweets: dict[str, dict[str, Any]]) -> None:
    for tweet in tweets.values():
        node = tweet
        while parents := [
            r for r in node.get("referenced_tweets", []) if r["type"] == "replied_to"
        ]:
            node = tweets[parents[0]["id"]]
        assert tweet["conversation_id"] == node["id"]


def test_x_ids_grow_with_time(tweets: dict[str, dict[str, Any]]) -> None:
    ordered = sorted(tweets.values(), key=lambda t: int(t["id"]))
    times = [t["created_at"] for t in ordered]
    assert times == sorted(times)
    assert all(t["id"].isdigit() for t in ordered)


def test_x_entities_point_at_their_text(tweets: dict[str, dict[str, Any]]) -> None:
    for tweet in tweets.values():
        entities = tweet.get("entities", {})
        for tag in entities.get("hashtags", []):
            assert tweet["text"][tag["start"] : tag["end"]] == "#" + tag["tag"]
        for mention in entities.get("mentions", []):
            assert tweet["text"][mention["start"] : mention["end"]] == "@" + mention["username"]
        for url in entities.get("urls", []):
            assert tweet["text"][url["start"] : url["end"]] == url["url"]


def test_mastodon_files_are_arrays_of_statuses(statuses: list[dict[str, Any]]) -> None:
    needed = {
        "id",
        "uri",
        "url",
        "created_at",
        "account",
        "content",
        "visibility",
        "in_reply_to_id",
        "in_reply_to_account_id",
        "mentions",
        "tags",
        "language",
        "reblog",
        "sensitive",
        "spoiler_text",
        "replies_count",
    }
    for status in statuses:
        assert needed <= set(status)
        assert {"id", "username", "acct", "display_name", "url", "followers_count"} <= set(
            status["account"]
        )
        assert status["reblog"] is not None or status["content"].startswith("<p")


def test_mastodon_replies_point_at_existing_statuses(statuses: list[dict[str, Any]]) -> None:
    by_id = {s["id"]: s for s in statuses}
    replies = [s for s in statuses if s["in_reply_to_id"] is not None]
    assert len(replies) > 1000
    for status in replies:
        parent = by_id[status["in_reply_to_id"]]
        assert status["in_reply_to_account_id"] == parent["account"]["id"]


def test_mastodon_direct_messages_mention_their_recipient(statuses: list[dict[str, Any]]) -> None:
    direct = [s for s in statuses if s["visibility"] == "direct"]
    assert len(direct) > 100
    for status in direct:
        assert status["mentions"]


def test_mbox_opens_and_every_reply_points_at_a_message(files: DemoFiles) -> None:
    box = mailbox.mbox(files.mbox, create=False)
    messages = list(box)
    ids = {m["Message-ID"] for m in messages}
    assert len(messages) == files.emails
    replies = [m for m in messages if m["In-Reply-To"]]
    assert replies
    for message in replies:
        assert message["In-Reply-To"] in ids
        assert all(ref in ids for ref in message["References"].split())


def test_mbox_newsletters_carry_list_headers(files: DemoFiles) -> None:
    newsletters = [m for m in mailbox.mbox(files.mbox) if m["List-Id"]]
    assert newsletters
    assert all(m["List-Unsubscribe"] for m in newsletters)


def test_mbox_escapes_body_lines_starting_with_from(files: DemoFiles) -> None:
    raw = files.mbox.read_bytes()
    assert b"\n>From the campaign trail" in raw
    separators = sum(line.startswith(b"From ") for line in raw.splitlines())
    assert separators == files.emails


def test_every_date_is_timezone_aware(
    files: DemoFiles, tweets: dict[str, dict[str, Any]], statuses: list[dict[str, Any]]
) -> None:
    stamps = [t["created_at"] for t in tweets.values()] + [s["created_at"] for s in statuses]
    assert all(datetime.fromisoformat(s).utcoffset() is not None for s in stamps)
    for message in mailbox.mbox(files.mbox):
        assert parsedate_to_datetime(message["Date"]).utcoffset() is not None
