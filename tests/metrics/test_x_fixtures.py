"""Real X v2 pages, imported by the real importer: reply and thread counts equal the raw JSON's.

The expected values are read off the twarc2 JSONL with plain ``json`` (no Hustings code):
each author's tweets in ``data``, their replies (see ``_replied``), their
self-thread replies (``in_reply_to_user_id`` is the author), and the replies other people
sent them among the tweets in ``data``. ``includes.tweets`` are context, there because
something refers to them, and are never counted as inbound.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from hustings.ingest.runner import import_paths
from hustings.metrics import AuditParams, read_snapshot, run_audit
from hustings.store import Store
from hustings.store.parquet import export_parquet

pytestmark = pytest.mark.shared

FILES = ("withheld.jsonl", "media_policy_violation_on.jsonl")


def _pages(path: Path) -> list[dict[str, Any]]:
    pages = []
    for line in path.read_bytes().splitlines():
        try:
            page = json.loads(line)
        except ValueError:
            continue
        if "data" in page:
            pages.append(page)
    return pages


def _replied(tweet: dict[str, Any]) -> bool:
    """X's own word: a ``replied_to`` reference, or a user replied to (a tweet opening with
    an @handle starts its own conversation but carries ``in_reply_to_user_id``)."""
    refs = tweet.get("referenced_tweets", [])
    return "in_reply_to_user_id" in tweet or any(r["type"] == "replied_to" for r in refs)


def _retweet(tweet: dict[str, Any]) -> bool:
    return any(r["type"] == "retweeted" for r in tweet.get("referenced_tweets", []))


def raw_counts(path: Path) -> dict[str, dict[str, float]]:
    """Per author of a tweet in ``data``: messages, reply shares and inbound replies."""
    data: dict[str, dict[str, Any]] = {}
    for page in _pages(path):
        items = page["data"] if isinstance(page["data"], list) else [page["data"]]
        data.update((t["id"], t) for t in items)
    inbound = Counter(
        t["in_reply_to_user_id"]
        for t in data.values()
        if _replied(t) and not _retweet(t) and t.get("in_reply_to_user_id") != t["author_id"]
    )
    out: dict[str, dict[str, float]] = {}
    for author in {t["author_id"] for t in data.values()}:
        mine = [t for t in data.values() if t["author_id"] == author]
        authored = [t for t in mine if not _retweet(t)]
        replies = [t for t in authored if _replied(t)]
        own_thread = [t for t in replies if t.get("in_reply_to_user_id") == author]
        out[author] = {
            "messages": len(mine),
            "reply_share": len(replies) / len(authored) if authored else float("nan"),
            "reply_share_self": len(own_thread) / len(authored) if authored else float("nan"),
            "inbound_reply": inbound[author],
        }
    return out


@pytest.fixture(scope="module", params=FILES)
def page_file(request: pytest.FixtureRequest, shared_data: Path) -> Path:
    path = shared_data / "fixtures" / "x-api-v2-twarc" / request.param
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def snapshot(page_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("xv2")
    store = Store.open(f"sqlite:///{out / 'store.db'}")
    import_paths(store, [str(page_file)])
    export_parquet(store, out / "snapshot")
    store.close()
    return out / "snapshot"


def test_reply_and_thread_counts_match_the_raw_json(
    con: Any, page_file: Path, snapshot: Path
) -> None:
    card = run_audit(
        read_snapshot(con, snapshot), AuditParams(min_posts=1), engine=con.name, groupings=()
    )
    want = pd.DataFrame.from_dict(raw_counts(page_file), orient="index").sort_index()
    got = card.accounts.set_index("account_id").sort_index()
    pd.testing.assert_frame_equal(
        got[list(want.columns)].astype(float), want.astype(float), check_names=False
    )
    # the pages hold replies and self-threads: the check is not vacuous
    assert (want["reply_share"] > 0).any()
    assert (want["reply_share_self"] > 0).any()
