"""On real X v2 searches, reply and mention edges match counts made from the raw JSON."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from hustings.listen import EdgeKind, ListenQuery, listen_files

pytestmark = pytest.mark.shared


def _raw_edges(path: Path, tag: str) -> dict[str, Counter[tuple[str, str]]]:
    """Independent count: one pass over the pages with plain json, no Hustings code."""
    tweets, users, context = [], {}, {}
    for line in path.read_text().splitlines():
        page = json.loads(line)
        tweets += page.get("data", [])
        for user in page.get("includes", {}).get("users", []):
            users[user["id"]] = user["username"].lower()
        for tweet in page.get("includes", {}).get("tweets", []):
            context[tweet["id"]] = tweet

    def tags(tweet: dict) -> set[str]:  # type: ignore[type-arg]
        return {h["tag"].lower() for h in tweet.get("entities", {}).get("hashtags", [])}

    edges: dict[str, Counter[tuple[str, str]]] = {"reply": Counter(), "mention": Counter()}
    for tweet in tweets:
        refs = {r["type"]: r["id"] for r in tweet.get("referenced_tweets", [])}
        original = context.get(refs.get("retweeted", ""), {})
        if tag not in tags(tweet) | tags(original):
            continue
        author = users[tweet["author_id"]]
        if "retweeted" in refs:
            continue
        to = tweet.get("in_reply_to_user_id")
        if "replied_to" in refs and to and users.get(to, to) != author:
            edges["reply"][(author, users.get(to, to))] += 1
        named = {m["username"].lower() for m in tweet.get("entities", {}).get("mentions", [])}
        for name in named - {author}:
            edges["mention"][(author, name)] += 1
    return edges


@pytest.mark.parametrize(("name", "tag"), [("brexit.jsonl", "brexit"), ("2sets.jsonl", "kpop")])
def test_reply_and_mention_edges_match_the_raw_file(shared_data: Path, name: str, tag: str) -> None:
    path = shared_data / "fixtures" / "x-api-v2-twarc" / name
    expected = _raw_edges(path, tag)
    result = listen_files([str(path)], ListenQuery.parse(f"#{tag}"), classify=False)
    c = result.corpus
    for kind in (EdgeKind.REPLY, EdgeKind.MENTION):
        mask = c.edges_of(kind)
        ours = Counter(
            (c.names[s], c.names[d]) for s, d in zip(c.src[mask], c.dst[mask], strict=True)
        )
        assert ours == expected[kind.label], kind
    assert sum(expected["mention"].values()) > 0  # a file with edges to compare, not two zeros


def test_every_brexit_tweet_is_in_the_conversation(shared_data: Path) -> None:
    path = shared_data / "fixtures" / "x-api-v2-twarc" / "brexit.jsonl"
    result = listen_files([str(path)], ListenQuery.parse("#brexit"), classify=False)
    assert result.corpus.n_messages == 100
    assert result.measures["repost_interactions"] == 67
